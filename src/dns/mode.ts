/**
 * Which DNS mode vmlet runs in, decided once at start from the configuration and two host facts.
 * Pure (`decideDnsMode`) beside the small reader of those facts (`readResolverHost`), so capture
 * (which installs DNS rules only in capture mode), the DNS capability and `vmlet capture plan`
 * agree. This module loads no DNS code: capture imports it.
 */
import { connect } from 'node:net';
import type { Config } from '../config/schema.js';
import type { DnsMode } from './types.js';

/** systemd-resolved's stub listener, as /etc/resolv.conf names it. */
export const RESOLVED_STUB = '127.0.0.53';
/** resolved's varlink socket: connectable only while resolved runs. */
export const RESOLVED_VARLINK = '/run/systemd/resolve/io.systemd.Resolve';

export interface ResolverHostFacts {
  /** /etc/resolv.conf names the 127.0.0.53 stub as a nameserver. */
  readonly stubInResolvConf: boolean;
  /** systemd-resolved answers on its socket. */
  readonly resolvedRunning: boolean;
}

export interface DnsDecision {
  readonly mode: DnsMode;
  /** Why, in words for the log and `vmlet status`. */
  readonly why: string;
}

/**
 * DNS is on only when capture.dnsCapture (ISTIO_META_DNS_CAPTURE) asks for it, as with Istio's
 * agent; dns.mode then picks how queries reach the proxy.
 */
export function decideDnsMode(config: Pick<Config, 'capture' | 'dns'>, host: ResolverHostFacts): DnsDecision {
  if (!config.capture.dnsCapture) return { mode: 'off', why: 'ISTIO_META_DNS_CAPTURE (capture.dnsCapture) is not true' };
  const asked = config.dns.mode;
  if (asked === 'off') return { mode: 'off', why: 'dns.mode is off' };
  if (asked === 'capture') return { mode: 'capture', why: 'dns.mode is capture' };
  if (asked === 'resolved') return { mode: 'resolved', why: 'dns.mode is resolved' };
  if (host.stubInResolvConf && host.resolvedRunning) {
    return { mode: 'resolved', why: `dns.mode auto: /etc/resolv.conf names systemd-resolved's stub ${RESOLVED_STUB} and systemd-resolved is running` };
  }
  return {
    mode: 'capture',
    why: host.stubInResolvConf
      ? `dns.mode auto: /etc/resolv.conf names ${RESOLVED_STUB} but systemd-resolved is not running`
      : 'dns.mode auto: /etc/resolv.conf does not name systemd-resolved\'s stub',
  };
}

/** true when resolv.conf text has `nameserver 127.0.0.53`. */
export function namesResolvedStub(resolvConf: string): boolean {
  return resolvConf.split('\n').some((l) => /^\s*nameserver\s+127\.0\.0\.53\s*$/.test(l));
}

/** Reads the two facts; an unreadable resolv.conf counts as "no stub". */
export async function readResolverHost(paths: { resolvConf?: string; varlink?: string } = {}): Promise<ResolverHostFacts> {
  // node:fs/promises only here (main.ts imports this module whatever the DNS mode): on Node 20 it
  // loads readline and the fs watchers with it, which an agent without DNS capture never uses.
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(paths.resolvConf ?? '/etc/resolv.conf', 'utf8').catch(() => '');
  const stubInResolvConf = namesResolvedStub(text);
  const resolvedRunning = stubInResolvConf ? await canConnect(paths.varlink ?? RESOLVED_VARLINK) : false;
  return { stubInResolvConf, resolvedRunning };
}

function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.setTimeout(1000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}
