/**
 * The pure rule builder: CaptureOptions → the rules of one address family, with Istio's chain
 * names and istio-iptables' generation order (reference §2.2), each rule spelled exactly as
 * iptables-save prints it so verification is a plain comparison. vmlet's safety defaults
 * (SSH, cloud metadata, root → istiod) are marked where they are added. Port lists and CIDR
 * lists that share one target are compacted (./compact.ts): multiport groups and merged CIDRs
 * instead of one rule each, the same connections captured with far fewer rules.
 */
import { canonicalCidr, coversLoopback, familyOf, type Family } from './cidr.js';
import { mergeCidrs, portGroups, portMatch } from './compact.js';
import { METADATA_V4, METADATA_V6, SSH_PORT, type CaptureOptions } from './options.js';

export type Table = 'nat' | 'raw';
export const TABLES: readonly Table[] = ['nat', 'raw'];
/** Every chain vmlet owns starts with this (Istio's names, so leftovers from istio-iptables are recognised too). */
export const CHAIN_PREFIX = 'ISTIO_';

export interface Rule {
  readonly chain: string;
  /** The rule after `-A <chain> `, in iptables-save's spelling. */
  readonly spec: string;
}

export interface TableRules {
  /** vmlet's chains in first-use order. */
  readonly chains: readonly string[];
  readonly rules: readonly Rule[];
}

export type FamilyRules = Readonly<Record<Table, TableRules>>;

class TableBuilder {
  readonly chains: string[] = [];
  readonly rules: Rule[] = [];
  add(chain: string, spec: string): void {
    for (const c of [chain, /-j (\S+)/.exec(spec)?.[1] ?? '']) {
      if (c.startsWith(CHAIN_PREFIX) && !this.chains.includes(c)) this.chains.push(c);
    }
    this.rules.push({ chain, spec });
  }
  done(): TableRules {
    return { chains: this.chains, rules: this.rules };
  }
}

const uniq = <T>(xs: readonly T[]): T[] => [...new Set(xs)];
const tcpPort = (p: number, not = false): string => `-p tcp -m tcp ${not ? '! ' : ''}--dport ${p}`;

export function buildFamilyRules(o: CaptureOptions, family: Family): FamilyRules {
  const nat = new TableBuilder();
  const raw = new TableBuilder();
  const loop = family === 4 ? '127.0.0.1/32' : '::1/128';
  const passthrough = family === 4 ? '127.0.0.6/32' : '::6/128';
  const mine = (cidrs: readonly string[]) => uniq(cidrs.filter((c) => familyOf(c) === family).map(canonicalCidr));
  const servers = mine(o.dnsServers);
  const dns = o.dnsCapture && o.dnsServers.length > 0;
  const owners = [...o.proxyUids.map((id) => ['uid', id] as const), ...o.proxyGids.map((id) => ['gid', id] as const)];

  // Base chains (always present).
  nat.add('ISTIO_INBOUND', `${tcpPort(o.tunnelPort)} -j RETURN`);
  nat.add('ISTIO_REDIRECT', `-p tcp -j REDIRECT --to-ports ${o.envoyPort}`);
  nat.add('ISTIO_IN_REDIRECT', `-p tcp -j REDIRECT --to-ports ${o.inboundCapturePort}`);

  // Inbound (REDIRECT mode). Safety: port 22 is never captured when sshExempt.
  const ssh = SSH_PORT;
  if (o.inboundPorts === '*') {
    nat.add('PREROUTING', '-p tcp -j ISTIO_INBOUND');
    // The SSH exemption is a rule of its own, so `iptables -t nat -S ISTIO_INBOUND` shows it plainly.
    if (o.sshExempt) nat.add('ISTIO_INBOUND', `${tcpPort(ssh)} -j RETURN`);
    const excludes = o.sshExempt ? o.localExcludePorts.filter((p) => p !== ssh) : o.localExcludePorts;
    for (const g of portGroups(excludes)) nat.add('ISTIO_INBOUND', `${portMatch('tcp', g)} -j RETURN`);
    nat.add('ISTIO_INBOUND', '-p tcp -j ISTIO_IN_REDIRECT');
  } else {
    const ports = uniq(o.inboundPorts.filter((p) => !(o.sshExempt && p === ssh)));
    if (ports.length > 0) {
      nat.add('PREROUTING', '-p tcp -j ISTIO_INBOUND');
      for (const g of portGroups(ports)) nat.add('ISTIO_INBOUND', `${portMatch('tcp', g)} -j ISTIO_IN_REDIRECT`);
    }
  }

  // Outbound.
  nat.add('OUTPUT', '-j ISTIO_OUTPUT');
  const outExcludes = portGroups(o.localOutboundPortsExclude);
  for (const proto of ['tcp', 'udp'] as const) for (const g of outExcludes) nat.add('ISTIO_OUTPUT', `${portMatch(proto, g)} -j RETURN`);
  nat.add('ISTIO_OUTPUT', `-s ${passthrough} -o lo -j RETURN`);
  const serviceList = o.serviceCidrs === '*' ? [] : mine(o.serviceCidrs);
  const loopbackCaptured = serviceList.some(coversLoopback);
  for (const [kind, id] of owners) {
    const m = `-m owner --${kind}-owner ${id}`;
    const notM = `-m owner ! --${kind}-owner ${id}`;
    const toInbound = dns && kind === 'uid' ? `-p tcp -m multiport ! --dports 53,${o.tunnelPort}` : `${tcpPort(o.tunnelPort, true)}`;
    nat.add('ISTIO_OUTPUT', `! -d ${loop} -o lo ${toInbound} ${m} -j ISTIO_IN_REDIRECT`);
    if (!loopbackCaptured) nat.add('ISTIO_OUTPUT', dns ? `-o lo ${tcpPort(53, true)} ${notM} -j RETURN` : `-o lo ${notM} -j RETURN`);
    nat.add('ISTIO_OUTPUT', `${m} -j RETURN`);
  }
  // Safety: vmlet (root) talks to istiod before Envoy is up; never capture it.
  for (const e of o.istiod.filter((x) => familyOf(x.ip) === family)) {
    nat.add('ISTIO_OUTPUT', `-d ${canonicalCidr(e.ip)} ${tcpPort(e.port)} -m owner --uid-owner 0 -j RETURN`);
  }
  const upstreamPorts = `${o.dnsUpstreamPorts.first}:${o.dnsUpstreamPorts.last}`;
  if (dns && servers.length > 0) {
    // vmlet (root) is not a proxy uid: its upstream queries leave from dnsUpstreamPorts and are
    // never redirected back to its own DNS proxy.
    if (o.dnsProxyUid !== undefined) {
      for (const proto of ['udp', 'tcp'] as const) nat.add('ISTIO_OUTPUT', `-p ${proto} -m ${proto} --sport ${upstreamPorts} -m owner --uid-owner ${o.dnsProxyUid} -j RETURN`);
    }
    nat.add('ISTIO_OUTPUT', '-j ISTIO_OUTPUT_DNS');
    for (const s of servers) {
      nat.add('ISTIO_OUTPUT_DNS', `-d ${s} ${tcpPort(53)} -j REDIRECT --to-ports ${o.dnsPort}`);
      nat.add('ISTIO_OUTPUT_DNS', `-d ${s} -p udp -m udp --dport 53 -j REDIRECT --to-ports ${o.dnsPort}`);
    }
  }
  nat.add('ISTIO_OUTPUT', `-d ${loop} -j RETURN`);
  // Safety: cloud metadata is appended to the exclusions (after DNS, so a metadata-server resolver stays captured).
  const meta = o.metadataExempt ? [family === 4 ? METADATA_V4 : METADATA_V6] : [];
  for (const c of mergeCidrs(mine([...o.excludeCidrs, ...meta]), family)) nat.add('ISTIO_OUTPUT', `-d ${c} -j RETURN`);
  for (const g of portGroups(o.outboundPorts)) nat.add('ISTIO_OUTPUT', `${portMatch('tcp', g)} -j ISTIO_REDIRECT`);
  if (o.serviceCidrs === '*') nat.add('ISTIO_OUTPUT', '-j ISTIO_REDIRECT');
  for (const c of mergeCidrs(serviceList, family)) nat.add('ISTIO_OUTPUT', `-d ${c} -j ISTIO_REDIRECT`);

  // DNS conntrack zones (raw), only when this family has nameservers.
  if (dns && servers.length > 0) {
    raw.add('OUTPUT', '-j ISTIO_OUTPUT_DNS');
    for (const [kind, id] of owners) {
      raw.add('ISTIO_OUTPUT_DNS', `-p udp -m udp --dport 53 -m owner --${kind}-owner ${id} -j CT --zone 1`);
      raw.add('ISTIO_OUTPUT_DNS', `-p udp -m udp --sport ${o.dnsPort} -m owner --${kind}-owner ${id} -j CT --zone 2`);
    }
    // The same conntrack zones for vmlet's DNS proxy as for a proxy uid's: its upstream queries
    // in zone 1 (their answers come back in zone 1), its answers to applications in zone 2 (the
    // zone of their redirected queries, so the answer is un-NATed to the nameserver's address).
    if (o.dnsProxyUid !== undefined) {
      raw.add('ISTIO_OUTPUT_DNS', `-p udp -m udp --sport ${upstreamPorts} --dport 53 -m owner --uid-owner ${o.dnsProxyUid} -j CT --zone 1`);
      raw.add('ISTIO_OUTPUT_DNS', `-p udp -m udp --sport ${o.dnsPort} -m owner --uid-owner ${o.dnsProxyUid} -j CT --zone 2`);
    }
    raw.add('PREROUTING', '-j ISTIO_INBOUND');
    for (const s of servers) {
      raw.add('ISTIO_OUTPUT_DNS', `-d ${s} -p udp -m udp --dport 53 -j CT --zone 2`);
      raw.add('ISTIO_INBOUND', `-s ${s} -p udp -m udp --sport 53 -j CT --zone 1`);
    }
  }
  return { nat: nat.done(), raw: raw.done() };
}

export interface CapturePlan {
  readonly v4: FamilyRules;
  /** undefined when IPv6 capture is off. */
  readonly v6: FamilyRules | undefined;
}

export function buildPlan(o: CaptureOptions): CapturePlan {
  return { v4: buildFamilyRules(o, 4), v6: o.ipv6 ? buildFamilyRules(o, 6) : undefined };
}
