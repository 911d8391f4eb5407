/**
 * Doctor's checks on the way to istiod, each bounded by its timeout (shown in the result): the
 * discovery address resolving (hosts file, then DNS), a TCP connect, the TLS handshake verified
 * against root-cert.pem with the name vmlet checks, then one certificate request (istiod accepts
 * the credentials; its NotBefore, backdated by istiod a fixed 2 minutes, gives istiod's clock) and
 * the WorkloadGroup (the agent's view when it runs, else a short xDS stream).
 */
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { connect as tcpConnect, isIP } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { humanDuration } from '../identity/token.js';
import { serverNameFor } from '../istiod/index.js';
import { EXPLANATIONS } from './explain.js';
import { fail, pass, skip, warn, type DoctorContext, type Verdict } from './types.js';

/** istiod's fixed backdating of NotBefore (security/pkg/pki/util ClockSkewGracePeriod). */
export const ISTIOD_BACKDATE_MS = 120_000;

export interface Target { readonly host: string; readonly port: number; readonly name: string }

export function targetOf(ctx: DoctorContext): Target {
  const { caAddress, serverName } = ctx.load.config.istiod;
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(caAddress);
  return { host: m?.[1] ?? caAddress, port: Number(m?.[2] ?? 15012), name: serverNameFor(caAddress, serverName) };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms); })]).finally(() => clearTimeout(timer));
}

/** Entries for `host` in a hosts-format file. */
export function hostsLookup(text: string, host: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const [ip, ...names] = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (ip && names.includes(host)) out.push(ip);
  }
  return out;
}

export interface Resolved { readonly addresses: readonly string[]; readonly source: string }

export async function checkDns(ctx: DoctorContext, t: Target): Promise<{ verdict: Verdict; resolved?: Resolved }> {
  const r = await dns(ctx, t);
  return isIP(t.host) ? r : { ...r, verdict: bounded(r.verdict, ctx.timeouts.dns) };
}

async function dns(ctx: DoctorContext, t: Target): Promise<{ verdict: Verdict; resolved?: Resolved }> {
  if (isIP(t.host)) return { verdict: pass(`${t.host} is an IP address (TLS name ${t.name})`, { host: t.host }), resolved: { addresses: [t.host], source: 'literal' } };
  let etc = '';
  try { etc = readFileSync(ctx.etcHosts, 'utf8'); } catch { /* none */ }
  const fromEtc = hostsLookup(etc, t.host);
  const fromIstio = ctx.load.config.istio.hosts.filter((h) => h.names.includes(t.host)).map((h) => h.ip);
  const data: Record<string, unknown> = { host: t.host, etcHosts: fromEtc, istioHostsFile: fromIstio, timeoutMs: ctx.timeouts.dns };
  if (fromEtc.length > 0) {
    const stale = fromIstio.length > 0 && !fromIstio.some((ip) => fromEtc.includes(ip));
    const saw = `${t.host} -> ${fromEtc.join(', ')} (${ctx.etcHosts})`;
    if (stale) return { verdict: warn(`${saw}, but istioctl's hosts file says ${fromIstio.join(', ')}`, { cause: 'the hosts entry differs from the one istioctl generated (istiod or the gateway moved?)', fix: `replace the ${t.host} line in ${ctx.etcHosts} with the one in istioctl's hosts file` }, data), resolved: { addresses: fromEtc, source: ctx.etcHosts } };
    return { verdict: pass(saw, data), resolved: { addresses: fromEtc, source: ctx.etcHosts } };
  }
  try {
    const found = await withTimeout(lookup(t.host, { all: true }), ctx.timeouts.dns, 'lookup');
    const addresses = found.map((a) => a.address);
    return { verdict: pass(`${t.host} -> ${addresses.join(', ')} (DNS)`, { ...data, dns: addresses }), resolved: { addresses, source: 'DNS' } };
  } catch (err) {
    const hint = fromIstio.length > 0 ? `; istioctl's hosts file has ${fromIstio.join(', ')} for it, but ${ctx.etcHosts} does not` : '';
    return { verdict: fail(`${t.host} does not resolve (${(err as Error).message})${hint}`, EXPLANATIONS.DOCTOR_DNS, data) };
  }
}

/** A network check's verdict with its bound, shown beside what it saw. */
const bounded = (v: Verdict, ms: number): Verdict => ({ ...v, timeoutMs: ms });

export async function checkReach(ctx: DoctorContext, t: Target, r: Resolved | undefined): Promise<Verdict> {
  const v = await reach(ctx, t, r);
  return v.status === 'skip' ? v : bounded(v, ctx.timeouts.connect);
}

/** At most this many resolved addresses are tried (in parallel, each under the connect bound). */
export const REACH_MAX_ADDRESSES = 4;

type Attempt = { readonly ip: string; readonly ok: boolean; readonly ms: number; readonly error?: string };

function attempt(ip: string, port: number, timeoutMs: number): Promise<Attempt> {
  const started = Date.now();
  return new Promise((resolve) => {
    const s = tcpConnect({ host: ip, port, timeout: timeoutMs });
    s.once('connect', () => { s.destroy(); resolve({ ip, ok: true, ms: Date.now() - started }); });
    s.once('timeout', () => { s.destroy(); resolve({ ip, ok: false, ms: Date.now() - started, error: `no answer within ${timeoutMs} ms` }); });
    s.once('error', (e: NodeJS.ErrnoException) => { s.destroy(); resolve({ ip, ok: false, ms: Date.now() - started, error: e.code ?? e.message }); });
  });
}

const hostPort = (ip: string, port: number) => (isIP(ip) === 6 ? `[${ip}]:${port}` : `${ip}:${port}`);

/**
 * TCP to every resolved address (up to REACH_MAX_ADDRESSES, in parallel): pass when all accept,
 * warn when only some do (vmlet dials the first; a round-robin name or a load balancer with a dead
 * member fails some connections), fail when none does. `data.accepted` lists the ones that did.
 */
async function reach(ctx: DoctorContext, t: Target, r: Resolved | undefined): Promise<Verdict> {
  if (r === undefined) return skip('the discovery address did not resolve');
  const ips = [...new Set(r.addresses)].slice(0, REACH_MAX_ADDRESSES);
  const tries = await Promise.all(ips.map((ip) => attempt(ip, t.port, ctx.timeouts.connect)));
  const accepted = tries.filter((a) => a.ok).map((a) => a.ip);
  const data = { address: hostPort(ips[0]!, t.port), port: t.port, accepted, tried: tries.map((a) => ({ ip: a.ip, ok: a.ok, ms: a.ms, ...(a.error ? { error: a.error } : {}) })), timeoutMs: ctx.timeouts.connect };
  const one = (a: Attempt) => `TCP ${hostPort(a.ip, t.port)}: ${a.ok ? `accepted in ${a.ms} ms` : a.error}`;
  if (accepted.length === tries.length) return pass(tries.length === 1 ? one(tries[0]!) : `TCP accepted on all ${tries.length} addresses (${tries.map((a) => `${a.ip} ${a.ms} ms`).join(', ')})`, data);
  if (accepted.length === 0) return fail(tries.map(one).join('; '), EXPLANATIONS.DOCTOR_UNREACHABLE, data);
  return warn(`${tries.length} addresses, only ${accepted.length} accept: ${tries.map(one).join('; ')}`, EXPLANATIONS.DOCTOR_PARTLY_REACHABLE, data);
}

function sansOf(cert: PeerCertificate): string[] {
  return (cert.subjectaltname ?? '').split(', ').filter(Boolean);
}

export async function checkTls(ctx: DoctorContext, t: Target, r: Resolved | undefined, reachable: boolean): Promise<Verdict> {
  const v = await tlsHandshake(ctx, t, r, reachable);
  return v.status === 'skip' ? v : bounded(v, ctx.timeouts.tls);
}

function tlsHandshake(ctx: DoctorContext, t: Target, r: Resolved | undefined, reachable: boolean): Promise<Verdict> {
  if (r === undefined || !reachable) return Promise.resolve(skip('istiod is not reachable over TCP'));
  const root = ctx.load.config.istio.rootCertPem;
  if (!root) return Promise.resolve(fail('no root-cert.pem to verify istiod with', EXPLANATIONS.DOCTOR_FILE_MISSING));
  const ip = r.addresses[0]!;
  return new Promise((resolve) => {
    const s = tlsConnect({ host: ip, port: t.port, ...(isIP(t.name) ? {} : { servername: t.name }), ca: root, ALPNProtocols: ['h2'], rejectUnauthorized: false, timeout: ctx.timeouts.tls,
      // The chain (authorizationError) and the name are judged apart, to say which one is wrong.
      checkServerIdentity: () => undefined });
    const finish = (v: Verdict) => { s.destroy(); resolve(v); };
    s.once('secureConnect', () => {
      const cert = s.getPeerCertificate();
      const sans = sansOf(cert);
      const data = { name: t.name, sans, notAfter: cert.valid_to, issuer: cert.issuer?.O ?? cert.issuer?.CN, alpn: s.alpnProtocol, timeoutMs: ctx.timeouts.tls };
      if (!s.authorized) return finish(fail(`istiod's certificate does not verify against root-cert.pem: ${String(s.authorizationError)}`, EXPLANATIONS.DOCTOR_TLS_ROOT, data));
      const nameErr = checkServerIdentity(t.name, cert);
      if (nameErr) return finish(fail(`istiod's certificate is not for ${t.name} (it names ${sans.join(', ') || 'no SAN'})`, EXPLANATIONS.DOCTOR_TLS_NAME, data));
      if (s.alpnProtocol !== 'h2') return finish(warn(`verified for ${t.name}, but ALPN is ${String(s.alpnProtocol)}, not h2`, { cause: 'something between the VM and istiod terminates TLS without HTTP/2 (a proxy or a TLS-terminating gateway)', fix: 'pass port 15012 through as TLS (PASSTHROUGH on the east-west gateway)' }, data));
      const left = new Date(cert.valid_to).getTime() - ctx.now();
      return finish(pass(`verified against root-cert.pem for ${t.name}; valid ${humanDuration(left)} more`, data));
    });
    s.once('timeout', () => finish(fail(`no TLS handshake within ${ctx.timeouts.tls} ms`, EXPLANATIONS.DOCTOR_UNREACHABLE, { timeoutMs: ctx.timeouts.tls })));
    s.once('error', (e: NodeJS.ErrnoException) => finish(fail(`TLS handshake failed: ${e.code ?? e.message}`, EXPLANATIONS.DOCTOR_TLS_ROOT, { timeoutMs: ctx.timeouts.tls })));
  });
}

/** Skew from an issued certificate: istiod's now = NotBefore + 2 min, compared with the call's midpoint. */
export function skewFrom(leafPem: string, sentAt: number, receivedAt: number): number {
  const nb = new Date(new X509Certificate(leafPem).validFrom).getTime();
  return nb + ISTIOD_BACKDATE_MS - (sentAt + receivedAt) / 2;
}

export function clockVerdict(skewMs: number, allowedMs: number, rttMs: number): Verdict {
  const abs = Math.abs(skewMs);
  const saw = `this VM is ${humanDuration(abs)} ${skewMs > 0 ? 'behind' : 'ahead of'} istiod (±${Math.ceil(rttMs / 2000) + 1} s: certificate times are whole seconds)`;
  const data = { skewMs: Math.round(skewMs), allowedMs, rttMs };
  if (abs > allowedMs) return fail(saw, EXPLANATIONS.DOCTOR_CLOCK_SKEW, data);
  if (abs > 5_000 + rttMs) return warn(saw, EXPLANATIONS.DOCTOR_CLOCK_SKEW, data);
  return pass(abs < 2_000 + rttMs ? `in step with istiod (${Math.round(skewMs / 1000)} s, round trip ${rttMs} ms)` : saw, data);
}

