/**
 * The running agent's own view, from its local status server (general.statusAddress:statusPort):
 * readiness gates with the first cause and fix of each unmet one, components in trouble, and the
 * certificate's expiry (vmlet_identity_expiry_timestamp_seconds on /metrics). Bounded.
 */
import { get } from 'node:http';
import type { StatusSnapshot } from '../status/index.js';
import { humanDuration } from '../identity/token.js';
import { explainGate } from './explain.js';
import { fail, pass, skip, warn, type DoctorContext, type Verdict } from './types.js';

export interface AgentView {
  readonly url: string;
  readonly snapshot: StatusSnapshot;
  /** ms since the epoch, when the agent holds a certificate. */
  readonly certNotAfter?: number;
}

function fetchText(url: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export function statusBase(ctx: DoctorContext): string {
  const g = ctx.load.config.general;
  return `http://${g.statusAddress.includes(':') ? `[${g.statusAddress}]` : g.statusAddress}:${g.statusPort}`;
}

/** The agent's view, or the reason there is none. */
export async function readAgent(ctx: DoctorContext): Promise<{ view?: AgentView; why?: string }> {
  const base = statusBase(ctx);
  try {
    const [status, metrics] = await Promise.all([fetchText(`${base}/status`, ctx.timeouts.local), fetchText(`${base}/metrics`, ctx.timeouts.local).catch(() => '')]);
    const expiry = /^vmlet_identity_expiry_timestamp_seconds(?:\{[^}]*\})? (\S+)$/m.exec(metrics)?.[1];
    const n = expiry === undefined ? NaN : Number(expiry);
    return { view: { url: base, snapshot: JSON.parse(status) as StatusSnapshot, ...(Number.isFinite(n) && n > 0 ? { certNotAfter: n * 1000 } : {}) } };
  } catch (err) {
    return { why: `no agent answers on ${base} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
}

export function checkAgent(ctx: DoctorContext, view: AgentView | undefined, why: string | undefined): Verdict {
  if (view === undefined) return skip(`${why ?? 'no agent'}: vmlet run is not running; the other checks stand in for its view`);
  const s = view.snapshot;
  const unmet = s.gates.filter((g) => !g.passed);
  const troubled = s.components.filter((c) => c.state === 'failed' || c.state === 'degraded');
  const cert = view.certNotAfter === undefined ? 'no certificate' : `certificate expires in ${humanDuration(view.certNotAfter - ctx.now())}`;
  const data = {
    phase: s.phase, ready: s.ready,
    gates: s.gates.map((g) => ({ ...g, ...(g.passed ? {} : { explanation: explainGate(g.name, g.reason) }) })),
    problems: troubled.map((c) => ({ name: c.name, state: c.state, detail: c.detail })),
    ...(view.certNotAfter !== undefined ? { certNotAfter: new Date(view.certNotAfter).toISOString() } : {}),
  };
  const first = unmet[0];
  if (first !== undefined) {
    const e = explainGate(first.name, first.reason);
    return fail(`${s.phase}, not ready: ${unmet.map((g) => `${g.name} (${g.reason ?? 'not met'})`).join('; ')}; ${cert}`, e, data);
  }
  if (troubled.length > 0) {
    const t = troubled[0]!;
    return warn(`ready; ${troubled.map((c) => `${c.name} ${c.state}: ${c.detail}`).join('; ')}; ${cert}`, explainGate(t.name, t.detail), data);
  }
  return pass(`${s.phase}, ready, every gate passed; ${cert}`, data);
}
