/**
 * The facts the builder needs from the host, read at apply time: the proxy user's uid, the
 * resolv.conf nameservers (DNS capture matches only them), whether a global IPv6 address exists,
 * and istiod's addresses (the hosts file first, then DNS) for the root → istiod exemption.
 */
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Config } from '../config/schema.js';
import { decideDnsMode, readResolverHost } from '../dns/mode.js';
import type { DnsMode } from '../dns/types.js';
import { findUser } from '../passwd.js';
import type { HostFacts, IstiodEndpoint } from './options.js';

export function nameserversFrom(resolvConf: string): string[] {
  // A scoped address (fe80::1%eth0) cannot be matched by iptables; it is left uncaptured.
  return resolvConf.split('\n').map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1]).filter((s): s is string => s !== undefined && !s.includes('%') && isIP(s) !== 0);
}

export function hasGlobalIpv6(): boolean {
  return Object.values(networkInterfaces()).flat().some((a) => a !== undefined && a.family === 'IPv6' && !a.internal && !/^fe[89ab]/i.test(a.address) && a.address !== '::1');
}

/**
 * istiod's addresses, to exempt from capture: istiod.caAddress (the loader fills it from CA_ADDR,
 * then mesh discoveryAddress, then Istio's default), resolved by the Istio hosts file, then DNS.
 */
export async function istiodEndpoints(config: Pick<Config, 'istio' | 'istiod'>): Promise<IstiodEndpoint[]> {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(config.istiod.caAddress);
  if (!m) return [];
  const [host, port] = [m[1] as string, Number(m[2])];
  if (isIP(host) !== 0) return [{ ip: host, port }];
  const fromHosts = config.istio.hosts.filter((h) => h.names.includes(host)).map((h) => ({ ip: h.ip, port }));
  if (fromHosts.length > 0) return fromHosts;
  const timeout = new Promise<[]>((resolve) => setTimeout(() => resolve([]), 3000).unref());
  const found = await Promise.race([lookup(host, { all: true }).catch(() => []), timeout]);
  return found.map((a) => ({ ip: a.address, port }));
}

/** `dnsMode`: the mode main.ts decided for this run; undefined decides it here the same way (the CLI). */
export async function readHostFacts(config: Config, dnsMode?: DnsMode): Promise<HostFacts> {
  const user = config.capture.proxyUser || config.envoy.runAsUser;
  return {
    // envoy.runAsUser '' = Envoy runs as vmlet's own user: exempt that uid, or Envoy's own
    // outbound connections would be redirected back to itself (reference §1.7).
    proxyUserUid: user !== '' ? findUser(user)?.uid : process.getuid?.(),
    dnsServers: config.capture.dnsCapture ? nameserversFrom(await readFile('/etc/resolv.conf', 'utf8').catch(() => '')) : [],
    hasGlobalIpv6: hasGlobalIpv6(),
    istiod: config.capture.istiodExempt ? await istiodEndpoints(config) : [],
    dnsMode: dnsMode ?? decideDnsMode(config, await readResolverHost()).mode,
    ...(process.getuid === undefined ? {} : { vmletUid: process.getuid() }),
  };
}
