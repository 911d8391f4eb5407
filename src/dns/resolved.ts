/**
 * resolved mode: systemd-resolved sends only mesh domains to vmlet's DNS proxy, on a link vmlet
 * owns, and every other name keeps going to the host's own resolvers. Port 53, /etc and the
 * host's other links are never touched.
 *
 * Why a link of its own: a global resolved.conf drop-in makes vmlet a default route for every
 * name (not fail-open) and outlives a crash; `lo` is refused. A `dummy` link (a veth pair where
 * the kernel has no dummy driver), up, with a scope-global /32 from 169.254.0.0/16, is a link
 * resolved accepts for unicast DNS. The calls go in the order measured to work (dns-facts): not
 * a default route, LLMNR and mDNS off (DNSSEC and DNS-over-TLS off too: the proxy speaks plain
 * DNS), the routing domains, and the server last, so the link never receives a non-mesh name.
 *
 * Fail-open: if the proxy dies, only mesh names fail (fast: the port refuses). A crash leaves
 * the link (unlike a TUN it is not tied to the process): the next start replaces it, and the
 * unit's ExecStopPost and the packages' removal scripts delete it (deleting the link drops
 * resolved's settings for it at once).
 */
import { spawn } from 'node:child_process';
import { VmletError } from '../errors.js';
import { monotonicMs } from '../lifecycle/types.js';
import './errors.js';
import { routingDomains } from './routing-domains.js';
import type { CreateResolvedRouting, DnsServerAddress, HostResolverRouting, ResolvedRoutingDeps } from './types.js';

/** The link's name; packaging/common/stop-post.sh and the removal scripts delete it by this name. */
export const LINK_NAME = 'vmlet-dns';
/** The veth peer, only where the kernel has no dummy driver. */
export const PEER_NAME = 'vmlet-dns-peer';
/** Scope global (resolved ignores link-scope addresses for unicast DNS); never routed anywhere. */
export const LINK_ADDRESS = '169.254.53.53/32';
const LINK_ALIAS = 'vmlet: routes mesh DNS names to its DNS proxy; deleted when vmlet stops';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `bin args...`; never throws (a spawn failure is code 127). */
export type CommandRunner = (bin: string, args: readonly string[]) => Promise<CommandResult>;

export interface ResolvedRoutingOptions extends ResolvedRoutingDeps {
  /** Default: spawn with a 10 s bound per command. */
  readonly run?: CommandRunner;
  /** How long resolved may take to notice the new link (ms; default 5000, polled every 50). */
  readonly linkWaitMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export const spawnRunner: CommandRunner = (bin, args) => new Promise((resolve) => {
  const child = spawn(bin, [...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  child.on('error', (e) => resolve({ code: 127, stdout: '', stderr: String(e) }));
  child.on('close', (code, signal) => resolve({ code: code ?? 128, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() + (signal ? ` (${signal})` : '') }));
});

/** Which kernel link type carries the routes. */
export type LinkKind = 'dummy' | 'veth';

/** `ip` commands that create the link, address it and bring it up (the peer first: carrier). */
export function linkUpCommands(kind: LinkKind): string[][] {
  const add = kind === 'dummy'
    ? ['link', 'add', LINK_NAME, 'type', 'dummy']
    : ['link', 'add', LINK_NAME, 'type', 'veth', 'peer', 'name', PEER_NAME];
  return [
    add,
    ['link', 'set', 'dev', LINK_NAME, 'alias', LINK_ALIAS],
    ['addr', 'add', LINK_ADDRESS, 'dev', LINK_NAME],
    ...(kind === 'veth' ? [['link', 'set', 'dev', PEER_NAME, 'up']] : []),
    ['link', 'set', 'dev', LINK_NAME, 'up'],
  ];
}

/** The resolvectl calls, in the order that keeps non-mesh names off the link. */
export function resolvectlCommands(server: DnsServerAddress, domains: readonly string[]): string[][] {
  const srv = server.address.includes(':') ? `[${server.address}]:${server.port}` : `${server.address}:${server.port}`;
  return [
    ['default-route', LINK_NAME, 'false'],
    ['llmnr', LINK_NAME, 'no'],
    ['mdns', LINK_NAME, 'no'],
    ['dnssec', LINK_NAME, 'no'],
    ['dnsovertls', LINK_NAME, 'no'],
    domainCommand(domains),
    ['dns', LINK_NAME, srv],
  ];
}

function domainCommand(domains: readonly string[]): string[] {
  return ['domain', LINK_NAME, ...domains.map((d) => `~${d}`)];
}

const why = (r: CommandResult) => (r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ') || `exit ${r.code}`;
const noDummyDriver = (r: CommandResult) => /unknown device type|not supported|no such device/i.test(r.stderr);
const linkUnknownToResolved = (r: CommandResult) => /not known|unknown link|no such device|failed to resolve interface/i.test(r.stderr);

export function createResolvedRoutingWith(o: ResolvedRoutingOptions): HostResolverRouting {
  const run = o.run ?? spawnRunner;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const log = o.logger;
  let applied = false;
  let current: readonly string[] = [];
  // One operation at a time: an update racing a revert must not re-add what revert removed.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };

  const fail = (step: string, r: CommandResult, hint: string): VmletError => new VmletError('VMLET_DNS_RESOLVED_UNAVAILABLE',
    `dns.mode resolved: ${step} failed: ${why(r)}; ${hint}, or set dns.mode to capture (or off)`, { details: { step, code: r.code } });

  /** Deletes the link if it is there (resolved's settings for it go with it). true if one was. */
  const removeLink = async (): Promise<boolean> => {
    if ((await run('ip', ['link', 'show', 'dev', LINK_NAME])).code !== 0) return false;
    // RevertLink first, so resolved drops the server and domains even before it sees the deletion.
    await run('resolvectl', ['revert', LINK_NAME]);
    const r = await run('ip', ['link', 'delete', 'dev', LINK_NAME]);
    if (r.code !== 0 && (await run('ip', ['link', 'show', 'dev', LINK_NAME])).code === 0) {
      throw fail(`deleting link ${LINK_NAME}`, r, 'delete it by hand (ip link delete vmlet-dns)');
    }
    return true;
  };

  const createLink = async (): Promise<LinkKind> => {
    let kind: LinkKind = 'dummy';
    let r = await run('ip', linkUpCommands('dummy')[0]!);
    if (r.code !== 0 && noDummyDriver(r)) {
      kind = 'veth';
      r = await run('ip', linkUpCommands('veth')[0]!);
    }
    if (r.code !== 0) throw fail(`creating link ${LINK_NAME}`, r, 'vmlet needs CAP_NET_ADMIN and a kernel with the dummy or veth driver');
    for (const args of linkUpCommands(kind).slice(1)) {
      const s = await run('ip', args);
      if (s.code !== 0) throw fail(`ip ${args.join(' ')}`, s, 'check that vmlet may configure links (CAP_NET_ADMIN)');
    }
    return kind;
  };

  const resolvectl = async (args: readonly string[], waitForLink: boolean): Promise<void> => {
    // By the monotonic clock: a wall clock stepped back meanwhile must not stretch the wait.
    const deadline = monotonicMs() + (waitForLink ? o.linkWaitMs ?? 5_000 : 0);
    for (;;) {
      const r = await run('resolvectl', args);
      if (r.code === 0) return;
      // resolved learns of new links over netlink; the first call may come before it has.
      if (!waitForLink || !linkUnknownToResolved(r) || monotonicMs() >= deadline) {
        throw fail(`resolvectl ${args.slice(0, 2).join(' ')}`, r, 'check that systemd-resolved runs and that vmlet runs as root (resolved allows link changes to root or CAP_NET_ADMIN only)');
      }
      await sleep(50);
    }
  };

  const plan = (domains: readonly string[]): readonly string[] => {
    const r = routingDomains(domains);
    if (r.collapsed > 0 || r.dropped.length > 0) {
      log.warn({ collapsed: r.collapsed, dropped: r.dropped.slice(0, 20), droppedCount: r.dropped.length, limit: r.domains.length },
        'more mesh domains than systemd-resolved keeps per link: some are routed by their parent domain (siblings the mesh does not know then go through vmlet too), and dropped ones resolve only through the host\'s own resolvers');
    }
    return r.domains;
  };

  return {
    apply: ({ server, domains }) => serial(async () => {
      if (applied) throw new Error('resolved routing: apply called twice');
      if (await removeLink()) log.warn({ link: LINK_NAME }, `removed link ${LINK_NAME} left by an earlier vmlet (a crash or kill -9) before routing again`);
      const routed = plan(domains);
      try {
        const kind = await createLink();
        const cmds = resolvectlCommands(server, routed);
        for (const [i, args] of cmds.entries()) await resolvectl(args, i === 0);
        applied = true;
        current = routed;
        log.info({ link: LINK_NAME, kind, address: LINK_ADDRESS, server: `${server.address}:${server.port}`, domains: routed.length, sample: routed.slice(0, 5) },
          `systemd-resolved routes ${routed.length} mesh domain(s) to the DNS proxy over link ${LINK_NAME}; other names go to the host's resolvers as before`);
      } catch (err) {
        await removeLink().catch((e: unknown) => log.error({ err: e }, `could not remove link ${LINK_NAME} after a failed set-up`));
        throw err;
      }
    }),

    update: (domains) => serial(async () => {
      if (!applied) return;
      const routed = plan(domains);
      if (routed.length === current.length && routed.every((d, i) => d === current[i])) return;
      await resolvectl(domainCommand(routed), false);
      log.info({ domains: routed.length, was: current.length }, 'systemd-resolved routing domains updated from the name table');
      current = routed;
    }),

    revert: () => serial(async () => {
      const had = await removeLink();
      if (had) log.info({ link: LINK_NAME }, `link ${LINK_NAME} deleted: systemd-resolved no longer sends mesh domains to vmlet`);
      applied = false;
      current = [];
    }),
  };
}

export const createResolvedRouting: CreateResolvedRouting = (deps) => createResolvedRoutingWith(deps);
