/**
 * CaptureOptions: everything the pure rule builder needs, already resolved (uids looked up,
 * nameservers read, istiod resolved, IPv6 decided). `optionsFromConfig` is pure: the facts read
 * from the host are passed in.
 */
import { isIP } from 'node:net';
import type { Config } from '../config/schema.js';
import { DNS_PROXY_PORT } from '../config/sections/dns.js';
import type { DnsMode } from '../dns/types.js';

export interface IstiodEndpoint {
  readonly ip: string;
  readonly port: number;
}

export interface CaptureOptions {
  /** '*' = every inbound TCP port; [] = no inbound capture. */
  readonly inboundPorts: '*' | readonly number[];
  readonly localExcludePorts: readonly number[];
  /** '*' = every outbound destination; [] = none (only outboundPorts). */
  readonly serviceCidrs: '*' | readonly string[];
  readonly excludeCidrs: readonly string[];
  readonly outboundPorts: readonly number[];
  readonly localOutboundPortsExclude: readonly number[];
  readonly dnsCapture: boolean;
  /** resolv.conf nameservers (both families); DNS rules are per family. */
  readonly dnsServers: readonly string[];
  /**
   * vmlet's own uid, whose DNS proxy sockets need their own exemption: its upstream queries
   * (from dnsUpstreamPorts) are never redirected back to it, and its answers (from dnsPort) are
   * un-NATed like the proxy user's. undefined: the DNS proxy runs as a proxy uid (Istio).
   */
  readonly dnsProxyUid?: number;
  readonly proxyUids: readonly number[];
  readonly proxyGids: readonly number[];
  readonly ipv6: boolean;
  readonly sshExempt: boolean;
  readonly metadataExempt: boolean;
  /** Root's traffic to these is never captured (empty when istiodExempt is off). */
  readonly istiod: readonly IstiodEndpoint[];
  readonly envoyPort: number;
  readonly inboundCapturePort: number;
  readonly tunnelPort: number;
  readonly dnsPort: number;
  /** Source ports of the DNS proxy's upstream queries (src/dns/upstream.ts UPSTREAM_PORTS). */
  readonly dnsUpstreamPorts: { readonly first: number; readonly last: number };
}

export const DEFAULTS = { envoyPort: 15001, inboundCapturePort: 15006, tunnelPort: 15008, dnsUpstreamPorts: { first: 15060, last: 15075 } } as const;
/** The inbound port sshExempt keeps out of capture. */
export const SSH_PORT = 22;
export const METADATA_V4 = '169.254.169.254';
export const METADATA_V6 = 'fd00:ec2::254';
/** Istio's fallback proxy uid when the proxy user does not exist. */
export const FALLBACK_UID = 1337;

/** Facts read from the host by the caller (src/capture/host-facts.ts). */
export interface HostFacts {
  /** uid of the proxy user, undefined when the user does not exist. */
  readonly proxyUserUid: number | undefined;
  readonly dnsServers: readonly string[];
  readonly hasGlobalIpv6: boolean;
  readonly istiod: readonly IstiodEndpoint[];
  /** The DNS mode decided for this run (src/dns/mode.ts); DNS rules only in `capture`. Default: capture when asked for. */
  readonly dnsMode?: DnsMode;
  /** vmlet's own uid (process.getuid()). */
  readonly vmletUid?: number;
}

const nums = (list: readonly string[] | undefined): number[] | undefined =>
  list === undefined || list.length === 0 ? undefined : list.map(Number);

/**
 * DNS capture as Istio's: port 53 of the resolv.conf nameservers to the DNS proxy, when
 * ISTIO_META_DNS_CAPTURE asks for it and the DNS mode is capture (resolved mode leaves port 53
 * alone; off has no proxy to send queries to).
 */
export function optionsFromConfig(config: Pick<Config, 'capture' | 'dns'>, facts: HostFacts): CaptureOptions {
  const c = config.capture;
  const dnsMode = facts.dnsMode ?? (config.dns.mode === 'off' ? 'off' : 'capture');
  const proxyUids = nums(c.proxyUid) ?? [facts.proxyUserUid ?? FALLBACK_UID];
  // istio-iptables: PROXY_GID defaults to the uid *string* (issue 6576), not the group's gid.
  const proxyGids = nums(c.proxyGid) ?? proxyUids;
  const ipv6 = c.ipv6 === 'true' || (c.ipv6 === 'auto' && facts.hasGlobalIpv6);
  return {
    inboundPorts: c.inboundPorts.includes('*') ? '*' : c.inboundPorts.map(Number),
    localExcludePorts: c.localExcludePorts,
    serviceCidrs: c.serviceCidr.includes('*') ? '*' : c.serviceCidr,
    excludeCidrs: c.serviceExcludeCidr,
    outboundPorts: c.outboundPorts,
    localOutboundPortsExclude: c.localOutboundPortsExclude,
    dnsCapture: c.dnsCapture && dnsMode === 'capture',
    dnsServers: facts.dnsServers.filter((s) => isIP(s) !== 0),
    ...(facts.vmletUid === undefined || proxyUids.includes(facts.vmletUid) ? {} : { dnsProxyUid: facts.vmletUid }),
    proxyUids,
    proxyGids,
    ipv6,
    sshExempt: c.sshExempt,
    metadataExempt: c.metadataExempt,
    istiod: c.istiodExempt ? facts.istiod : [],
    ...DEFAULTS,
    // The DNS proxy's port, from the section that owns it (0, a free port, is refused with mode capture).
    dnsPort: config.dns.port,
  };
}

/** Options with Istio's defaults and vmlet's safety defaults; tests and benches start here. */
export function baseOptions(over: Partial<CaptureOptions> = {}): CaptureOptions {
  return {
    inboundPorts: [],
    localExcludePorts: [],
    serviceCidrs: [],
    excludeCidrs: [],
    outboundPorts: [],
    localOutboundPortsExclude: [],
    dnsCapture: false,
    dnsServers: [],
    proxyUids: [FALLBACK_UID],
    proxyGids: [FALLBACK_UID],
    ipv6: false,
    sshExempt: true,
    metadataExempt: true,
    istiod: [],
    ...DEFAULTS,
    dnsPort: DNS_PROXY_PORT,
    ...over,
  };
}
