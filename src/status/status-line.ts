/**
 * The one human line for systemd's STATUS= and the top of `vmlet status`: the phase, then what
 * blocks readiness or what is wrong. Pure. Short on purpose: `systemctl status` shows one line.
 */
import type { GateState } from './gates.js';
import type { ComponentState } from './types.js';

export type Phase = 'starting' | 'ready' | 'stopping' | 'stopped';

export interface ComponentStatus {
  readonly name: string;
  readonly state: ComponentState;
  readonly detail: string;
  /** ISO 8601 of the last change. */
  readonly since: string;
}

export interface StatusSnapshot {
  readonly phase: Phase;
  /** Every gate passed and not stopping. */
  readonly ready: boolean;
  readonly gates: readonly GateState[];
  readonly components: readonly ComponentStatus[];
  readonly line: string;
}

const MAX = 200;

export function statusLine(phase: Phase, gates: readonly GateState[], components: readonly ComponentStatus[]): string {
  const bad = components.filter((c) => c.state === 'failed' || c.state === 'degraded');
  const problems = bad.map((c) => `${c.name} ${c.state}${c.detail ? `: ${c.detail}` : ''}`);
  const unmet = gates.filter((g) => !g.passed).map((g) => (g.reason ? `${g.name} (${g.reason})` : g.name));
  let line: string;
  if (phase === 'stopping' || phase === 'stopped') {
    line = phase;
  } else if (unmet.length > 0) {
    line = `${phase === 'starting' ? 'starting' : 'not ready'}: waiting for ${unmet.join(', ')}`;
  } else if (phase === 'starting') {
    line = 'starting';
  } else {
    const ok = components.filter((c) => c.state === 'ok').map((c) => c.name);
    const off = components.filter((c) => c.state === 'off').map((c) => c.name);
    const parts = [...(ok.length > 0 ? [`${ok.join(', ')} ok`] : []), ...(off.length > 0 ? [`${off.join(', ')} off`] : [])];
    line = problems.length > 0 ? 'ready, degraded' : parts.length > 0 ? `ready: ${parts.join('; ')}` : 'ready';
  }
  if (problems.length > 0 && phase !== 'stopped') line += `; ${problems.join('; ')}`;
  line = line.replace(/[\r\n]+/g, ' ');
  return line.length > MAX ? `${line.slice(0, MAX - 1)}…` : line;
}
