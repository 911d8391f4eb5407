/**
 * `vmlet doctor`: a pre-flight and a diagnosis, with or without a running agent, as root or not.
 * Owns: the checks (each says pass/warn/fail/skip, what it saw, and the cause and fix from
 * ./explain.ts), their order and bounds, and the report (`--json` schema 1, docs/doctor.md).
 * Must not touch: anything that changes the host (it reads files, runs read-only programs, and
 * asks istiod for one throwaway certificate and one short xDS stream; never a token's text).
 *
 * The local checks (and onboarding's, which asks the exchange and metadata services) run while
 * the network chain (dns -> reach -> tls -> ca/clock/workloadgroup) waits on istiod; every network
 * step is bounded by its timeout, so the whole run is too.
 */
import { CertStore } from '../identity/store.js';
import { checkAgent, readAgent } from './agent.js';
import { existsSync } from 'node:fs';
import { decideOnboarding } from '../onboard/agent/decide.js';
import { checkConfig, checkFiles, clusterEnvPathOf, storeDirOf } from './files-and-token.js';
import { checkAddress, checkEnvoy, checkIptables, checkSystemd, checkUser } from './host-checks.js';
import { checkIstiod } from './istiod-checks.js';
import { checkDns, checkReach, checkTls, targetOf } from './network-checks.js';
import { checkOnboarding } from './onboarding-check.js';
import { checkPorts } from './ports.js';
import { checkToken } from './token-check.js';
import type { CheckResult, CheckStatus, DoctorContext, Verdict } from './types.js';

export type { CheckResult, CheckStatus, DoctorContext } from './types.js';
export { DEFAULT_TIMEOUTS } from './types.js';

/** Every check id, in report order (docs/doctor.md documents each; a test pins the list). */
export const CHECK_IDS = ['config', 'files', 'token', 'onboarding', 'address', 'user', 'envoy', 'ports', 'iptables', 'systemd', 'agent', 'dns', 'reach', 'tls', 'ca', 'clock', 'workloadgroup'] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export interface DoctorReport {
  readonly schema: 1;
  readonly vmlet: string;
  /** Whether no check failed. */
  readonly ok: boolean;
  readonly uid: number;
  readonly agentRunning: boolean;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly summary: Readonly<Record<CheckStatus, number>>;
  readonly checks: readonly CheckResult[];
}

async function timed(id: CheckId, f: () => Verdict | Promise<Verdict>): Promise<CheckResult> {
  const t0 = performance.now();
  let v: Verdict;
  try {
    v = await f();
  } catch (err) {
    v = { status: 'fail', saw: `the check itself failed: ${(err as Error).message}`, cause: 'a bug in vmlet doctor', fix: 'report it with this output' };
  }
  return { id, ...v, saw: v.saw.replace(/\s*\n\s*/g, ' '), durationMs: Math.round(performance.now() - t0) };
}

export async function runDoctor(ctx: DoctorContext, version: string): Promise<DoctorReport> {
  const t0 = performance.now();
  const startedAt = new Date(ctx.now()).toISOString();
  const stored = new CertStore(storeDirOf(ctx)).load();
  const c = ctx.load.config;
  const ours = stored !== undefined && stored.spiffeId.endsWith(`/ns/${c.identity.namespace}/sa/${c.identity.serviceAccount}`);
  const validCert = ours && stored !== undefined && stored.notAfter > ctx.now();
  const agentP = readAgent(ctx);
  const target = targetOf(ctx);

  const network = (async () => {
    // Not onboarded yet: istiod's address, hosts entry, root certificate and token all come with
    // onboarding's bundle, so there is nothing of istiod's to check (the onboarding check says
    // whether onboarding can bring them).
    if (c.onboarding.provider !== 'none' && !existsSync(clusterEnvPathOf(ctx)) && (await decideOnboarding(c, ctx.now())).needed) {
      const why: Verdict = { status: 'skip', saw: "not onboarded yet: istiod's address, root certificate and token come with onboarding's files (see the onboarding check)" };
      return (['dns', 'reach', 'tls', 'ca', 'clock', 'workloadgroup'] as const).map((id): CheckResult => ({ id, ...why, durationMs: 0 }));
    }
    const dnsStart = performance.now();
    const dns = await checkDns(ctx, target);
    const dnsR: CheckResult = { id: 'dns', ...dns.verdict, durationMs: Math.round(performance.now() - dnsStart) };
    const reach = await timed('reach', () => checkReach(ctx, target, dns.resolved));
    // TLS goes to an address that accepted (on a reach warn, not necessarily the first).
    const accepted = (reach.data?.['accepted'] as string[] | undefined) ?? [];
    const tlsTo = dns.resolved && accepted.length > 0 ? { ...dns.resolved, addresses: accepted } : dns.resolved;
    const tls = await timed('tls', () => checkTls(ctx, target, tlsTo, reach.status === 'pass' || reach.status === 'warn'));
    const agent = await agentP;
    const t1 = performance.now();
    const istiod = await checkIstiod(ctx, tls.status === 'pass' || tls.status === 'warn', stored, agent.view).catch((err: Error) => {
      const v: Verdict = { status: 'fail', saw: `the check itself failed: ${err.message}`, cause: 'a bug in vmlet doctor', fix: 'report it with this output' };
      return { ca: v, clock: v, workloadgroup: v };
    });
    const ms = Math.round(performance.now() - t1);
    return [dnsR, reach, tls, { id: 'ca', ...istiod.ca, durationMs: ms }, { id: 'clock', ...istiod.clock, durationMs: ms }, { id: 'workloadgroup', ...istiod.workloadgroup, durationMs: ms }] as CheckResult[];
  })();

  const local = await Promise.all([
    timed('config', () => checkConfig(ctx)),
    timed('files', () => checkFiles(ctx, validCert)),
    timed('token', () => checkToken(ctx, stored === undefined ? undefined : { spiffeId: stored.spiffeId, notAfter: stored.notAfter, ours })),
    timed('onboarding', () => checkOnboarding(ctx)),
    timed('address', () => checkAddress(ctx)),
    timed('user', () => checkUser(ctx)),
    timed('envoy', () => checkEnvoy(ctx)),
    timed('ports', () => checkPorts(ctx)),
    timed('iptables', () => checkIptables(ctx)),
    timed('systemd', () => checkSystemd(ctx)),
    agentP.then(({ view, why }) => timed('agent', () => checkAgent(ctx, view, why))),
  ]);
  const checks = [...local, ...(await network)];
  const summary: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of checks) summary[r.status] += 1;
  const agent = await agentP;
  return {
    schema: 1, vmlet: version, ok: summary.fail === 0, uid: ctx.uid, agentRunning: agent.view !== undefined,
    startedAt, durationMs: Math.round(performance.now() - t0), summary, checks,
  };
}

const MARK: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

/** The report for a terminal: one line per check, cause and fix under each warn and fail. */
export function renderReport(r: DoctorReport): string {
  const lines = [`vmlet doctor ${r.vmlet} (uid ${r.uid}, agent ${r.agentRunning ? 'running' : 'not running'})`];
  const width = Math.max(...r.checks.map((c) => c.id.length));
  for (const c of r.checks) {
    const bound = c.timeoutMs !== undefined ? ` [timeout ${c.timeoutMs} ms]` : '';
    lines.push(`${MARK[c.status]}  ${c.id.padEnd(width)}  ${c.saw}${bound}`);
    if (c.cause) lines.push(`      ${''.padEnd(width)}  cause: ${c.cause}`);
    if (c.fix) lines.push(`      ${''.padEnd(width)}  fix:   ${c.fix}`);
  }
  const s = r.summary;
  lines.push(`${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.skip} skip in ${(r.durationMs / 1000).toFixed(2)} s`);
  return `${lines.join('\n')}\n`;
}

