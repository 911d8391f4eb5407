/**
 * `vmlet status [--json] [--watch | --history]`: asks the local status server of a running `vmlet
 * run` (general.statusAddress:statusPort from the same configuration inputs) what state it is in.
 * Each unmet readiness gate comes with its first cause and the fix, in the words `vmlet doctor`
 * uses (src/doctor/explain.ts). `--watch` streams /events until vmlet stops or Ctrl-C;
 * `--history` prints the last 100 transitions (/history). Exit codes: 0 ready (with --watch: the
 * stream ended normally; with --history: printed), 1 not ready or unreachable, 2 bad command line.
 */
import WebSocket from 'ws';
import { EXIT_FAILURE, EXIT_OK } from '../errors.js';
import { explainGate, type Explanation } from '../doctor/explain.js';
import type { GateState, StatusSnapshot, VmletEvent } from '../status/index.js';
import type { DnsSnapshot } from '../dns/index.js';
import { command, type CliIo, type CommandSpec } from './args.js';
import { fetchText, statusBase, unreachable } from './status-client.js';

export const spec: CommandSpec = {
  name: 'status',
  summary: 'Show the state of the running vmlet (readiness gates, components) from its local status server.',
  description: 'Each unmet readiness gate shows its first cause and the fix (as vmlet doctor says them).\nExit codes: 0 ready (--history: printed), 1 not ready or vmlet not reachable, 2 bad command line.',
  json: 'print JSON (with --watch: one event per line; unmet gates carry cause and fix)',
  options: {
    watch: { type: 'boolean', short: 'w', help: 'stream state changes (/events) until vmlet stops or Ctrl-C' },
    history: { type: 'boolean', help: 'print the last 100 transitions (gates, components, phase, NACKs), oldest first' },
  },
};

export const run = command(spec, async (args, io) => {
  const base = statusBase(args.common, io.env);
  const json = args.json;
  if (args.values.watch === true) return watch(`ws://${base}/events`, json, io);
  if (args.values.history === true) {
    const events = JSON.parse(await fetchText(`http://${base}/history`)) as VmletEvent[];
    io.stdout.write(json ? `${JSON.stringify(events, null, 2)}\n` : events.map((e) => renderEvent(e, true)).join(''));
    return EXIT_OK;
  }
  const snapshot = JSON.parse(await fetchText(`http://${base}/status`)) as StatusSnapshot;
  // DNS on: its mode, table size and age (the age changes by the second, so it is read, not kept in the status line).
  const dns = snapshot.components.some((c) => c.name === 'dns') ? await fetchText(`http://${base}/debug/dns`).then((t) => JSON.parse(t) as DnsSnapshot, () => undefined) : undefined;
  io.stdout.write(json ? `${JSON.stringify({ ...explained(snapshot), ...(dns ? { dns } : {}) }, null, 2)}\n` : renderSnapshot(snapshot) + (dns ? renderDns(dns) : ''));
  return snapshot.ready ? EXIT_OK : EXIT_FAILURE;
});

export function renderDns(d: DnsSnapshot): string {
  const table = d.tableAgeSeconds === null ? 'no name table yet (every name is forwarded)' : `${d.hosts} hosts, received ${d.tableAgeSeconds} s ago (${d.tableSource === 'istiod' ? 'from istiod' : 'kept from an earlier run'})`;
  return `dns: mode ${d.mode} on ${d.listen}; ${table}; upstreams ${d.upstreams.join(', ') || 'none'}\n`;
}

/** The snapshot with cause and fix on each unmet gate (`--json`). */
export function explained(s: StatusSnapshot): StatusSnapshot & { gates: readonly (GateState & Partial<Explanation>)[] } {
  return { ...s, gates: s.gates.map((g) => (g.passed ? g : { ...g, ...explainGate(g.name, g.reason) })) };
}

export function renderSnapshot(s: StatusSnapshot): string {
  const lines = [`vmlet: ${s.line}`, `phase: ${s.phase}${s.ready ? ' (ready)' : ''}`];
  if (s.gates.length > 0) {
    lines.push('gates:');
    for (const g of s.gates) {
      lines.push(`  ${g.passed ? '✓' : '✗'} ${g.name}${g.reason ? `: ${g.reason}` : ''}`);
      if (g.passed) continue;
      const { cause, fix } = explainGate(g.name, g.reason);
      lines.push(`      cause: ${cause}`, `      fix:   ${fix}`);
    }
  }
  if (s.components.length > 0) {
    lines.push('components:');
    for (const c of s.components) lines.push(`  ${c.name.padEnd(12)} ${c.state.padEnd(9)} ${c.detail}`);
  }
  return `${lines.join('\n')}\n`;
}

/** One line per event; `fullTime` keeps the date (history spans days, --watch does not). */
export function renderEvent(e: VmletEvent, fullTime = false): string {
  const t = fullTime ? e.time : e.time.slice(11, 23);
  if (e.type === 'state') return renderSnapshot(e.data as unknown as StatusSnapshot).split('\n').map((l) => (l ? `${t} ${l}` : l)).join('\n');
  const d = e.data as Record<string, unknown>;
  switch (e.type) {
    case 'phase': return `${t} phase ${String(d.from)} -> ${String(d.to)}\n`;
    case 'gate': return `${t} gate ${String(d.name)} ${d.passed ? 'passed' : `not met: ${String(d.reason ?? '')}`}\n`;
    case 'component': return `${t} ${String(d.name)} ${String(d.state)} ${String(d.detail ?? '')}\n`;
    default: return `${t} ${e.type} ${JSON.stringify(d)}\n`;
  }
}

function watch(url: string, json: boolean, io: CliIo): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { handshakeTimeout: 5000 });
    let opened = false;
    const stop = () => ws.close(1000);
    process.once('SIGINT', stop);
    ws.on('open', () => { opened = true; });
    ws.on('message', (raw) => {
      const e = JSON.parse(String(raw)) as VmletEvent;
      io.stdout.write(json ? `${JSON.stringify(e)}\n` : renderEvent(e));
    });
    ws.on('error', (err) => {
      process.off('SIGINT', stop);
      if (!opened) reject(unreachable(url, err));
      else resolve(EXIT_FAILURE);
    });
    ws.on('close', (code) => {
      process.off('SIGINT', stop);
      if (!opened) return;
      if (!json && code === 1001) io.stdout.write('vmlet is stopping; stream closed\n');
      resolve(code === 1000 || code === 1001 ? EXIT_OK : EXIT_FAILURE);
    });
  });
}
