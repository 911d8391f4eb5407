/**
 * `vmlet status [--json] [--watch]`: asks the local status server of a running `vmlet run`
 * (general.statusAddress:statusPort from the same configuration inputs) what state it is in.
 * `--watch` streams /events until vmlet stops or Ctrl-C. Exit codes: 0 ready (or, with --watch,
 * the stream ended normally), 1 not ready or unreachable, 2 bad command line.
 */
import WebSocket from 'ws';
import { EXIT_FAILURE, EXIT_OK } from '../errors.js';
import type { StatusSnapshot, VmletEvent } from '../status/index.js';
import { helpText, parseCommandArgs, type CliIo, type CommandSpec } from './args.js';
import { fetchText, statusBase, unreachable } from './status-client.js';

export const spec: CommandSpec = {
  name: 'status',
  summary: 'Show the state of the running vmlet (readiness gates, components) from its local status server.',
  description: 'Exit codes: 0 ready, 1 not ready or vmlet not reachable, 2 bad command line.',
  options: {
    json: { type: 'boolean', help: 'print JSON (with --watch: one event per line)' },
    watch: { type: 'boolean', short: 'w', help: 'stream state changes (/events) until vmlet stops or Ctrl-C' },
  },
};

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs(argv, spec);
  if (args.help) {
    io.stdout.write(helpText(spec));
    return EXIT_OK;
  }
  const base = statusBase(args.common, io.env);
  const json = args.values.json === true;
  if (args.values.watch === true) return watch(`ws://${base}/events`, json, io);
  const snapshot = JSON.parse(await fetchText(`http://${base}/status`)) as StatusSnapshot;
  io.stdout.write(json ? `${JSON.stringify(snapshot, null, 2)}\n` : renderSnapshot(snapshot));
  return snapshot.ready ? EXIT_OK : EXIT_FAILURE;
}

export function renderSnapshot(s: StatusSnapshot): string {
  const lines = [`vmlet: ${s.line}`, `phase: ${s.phase}${s.ready ? ' (ready)' : ''}`];
  if (s.gates.length > 0) {
    lines.push('gates:');
    for (const g of s.gates) lines.push(`  ${g.passed ? '✓' : '✗'} ${g.name}${g.reason ? `: ${g.reason}` : ''}`);
  }
  if (s.components.length > 0) {
    lines.push('components:');
    for (const c of s.components) lines.push(`  ${c.name.padEnd(12)} ${c.state.padEnd(9)} ${c.detail}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderEvent(e: VmletEvent): string {
  const t = e.time.slice(11, 23);
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
