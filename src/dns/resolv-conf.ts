/**
 * Where forwarded queries go and which search domain expands names, from the resolver files:
 * /etc/resolv.conf, or, when it names systemd-resolved's stub 127.0.0.53, the real upstreams
 * resolved itself uses (/run/systemd/resolve/resolv.conf), so vmlet never forwards to the stub
 * (which, in capture mode, would send the query straight back to vmlet).
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { parseUpstream } from '../config/sections/dns.js';
import { RESOLVED_STUB } from './mode.js';
import type { DnsServerAddress } from './types.js';

export const RESOLV_CONF = '/etc/resolv.conf';
export const RESOLVED_UPSTREAM_CONF = '/run/systemd/resolve/resolv.conf';

export interface ResolvConf {
  readonly nameservers: readonly string[];
  readonly search: readonly string[];
}

/** `nameserver` and `search`/`domain` lines (the last search/domain line wins, as in glibc). */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: string[] = [];
  let search: string[] = [];
  for (const line of text.split('\n')) {
    const words = line.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (words[0] === 'nameserver' && words[1] !== undefined && isIP(words[1].split('%')[0] as string) !== 0) nameservers.push(words[1]);
    else if ((words[0] === 'search' || words[0] === 'domain') && words.length > 1) search = words.slice(1);
  }
  return { nameservers, search };
}

export interface ResolverSetup {
  readonly upstreams: readonly DnsServerAddress[];
  readonly search: readonly string[];
  /** Where the upstreams came from, for the log and status. */
  readonly upstreamSource: string;
}

export interface ResolverFiles {
  readonly resolvConf?: string;
  readonly resolvedConf?: string;
}

/**
 * The upstreams (dns.upstreams when set, else the files) and the search domains (always from
 * /etc/resolv.conf: the file applications' resolvers read). `self` (the proxy's own address) and
 * the stub are never upstreams.
 */
export async function readResolverSetup(override: readonly string[], self: DnsServerAddress, files: ResolverFiles = {}): Promise<ResolverSetup> {
  const main = parseResolvConf(await readFile(files.resolvConf ?? RESOLV_CONF, 'utf8').catch(() => ''));
  const isSelf = (u: DnsServerAddress) => u.address === self.address && u.port === self.port;
  if (override.length > 0) {
    const ups = override.map((u) => parseUpstream(u)).filter((u): u is DnsServerAddress => u !== undefined);
    return { upstreams: ups.filter((u) => !isSelf(u)), search: main.search, upstreamSource: 'dns.upstreams' };
  }
  let source = files.resolvConf ?? RESOLV_CONF;
  let servers = main.nameservers;
  if (servers.includes(RESOLVED_STUB)) {
    source = files.resolvedConf ?? RESOLVED_UPSTREAM_CONF;
    servers = parseResolvConf(await readFile(source, 'utf8').catch(() => '')).nameservers;
  }
  const upstreams = servers.filter((s) => s !== RESOLVED_STUB && !s.includes('%')).map((s) => ({ address: s, port: 53 })).filter((u) => !isSelf(u));
  return { upstreams, search: main.search, upstreamSource: source };
}
