/**
 * The DNS capability's shared vocabulary: the mode it runs in, and the contract of the
 * host-resolver routing used in `resolved` mode (src/dns/resolved.ts implements it; the DNS
 * capability (./index.ts) loads it with `await import('./resolved.js')` only in that mode).
 */
import type { Logger } from '../log.js';

/** How queries reach vmlet's DNS proxy; `off`: there is no DNS proxy. */
export type DnsMode = 'capture' | 'resolved' | 'off';

/** A DNS server address (the proxy's own listening address, or an upstream). */
export interface DnsServerAddress {
  readonly address: string;
  readonly port: number;
}

/**
 * Routes mesh domains of the host's resolver (systemd-resolved) to vmlet's DNS proxy and
 * nothing else, so non-mesh names never depend on vmlet (fail-open). Every method rejects with a
 * VmletError (a stable code, a message saying what to do) and leaves no half-applied state it
 * cannot revert.
 */
export interface HostResolverRouting {
  /**
   * Starts routing: queries for `domains` (routing domains such as `cluster.local`, without the
   * leading `~`) go to `server`; everything else keeps going where it went. Called once, after
   * the DNS proxy listens and before anything depends on mesh names.
   */
  apply(o: { readonly server: DnsServerAddress; readonly domains: readonly string[] }): Promise<void>;
  /** Replaces the routed domains (a new name table from istiod); only after apply. */
  update(domains: readonly string[]): Promise<void>;
  /**
   * Undoes everything apply did (idempotent; a no-op when apply never ran or already reverted).
   * Runs on every stop; what a crash leaves behind must also stop routing by itself.
   */
  revert(): Promise<void>;
}

export interface ResolvedRoutingDeps {
  /** A child logger (`component: dns`). */
  readonly logger: Logger;
  /** vmlet's runtime directory (general.runDir), for anything that must vanish on reboot. */
  readonly runDir: string;
  /** vmlet's state directory (general.stateDir). */
  readonly stateDir: string;
}

/** What src/dns/resolved.ts exports as `createResolvedRouting`. */
export type CreateResolvedRouting = (deps: ResolvedRoutingDeps) => HostResolverRouting;
