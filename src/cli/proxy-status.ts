/**
 * `vmlet proxy-status [--json]`: what `istioctl proxy-status` shows for a pod, from this VM's side
 * of the xDS stream: per type, whether Envoy holds what istiod last sent (SYNCED), is still
 * answering it (STALE), was never sent any (NOT SENT) or rejected it (NACKED, with Envoy's
 * error_detail). Read from the running agent's /debug/xds (src/xds/sync-view.ts). Exit codes: 0
 * every subscribed type SYNCED, 1 anything else or vmlet not reachable, 2 bad command line.
 */
import { EXIT_FAILURE, EXIT_OK } from '../errors.js';
import type { TypeView, XdsView } from '../xds/sync-view.js';
import { command, printResult, type CliIo, type CommandSpec } from './args.js';
import { fetchText, statusBase } from './status-client.js';

export const spec: CommandSpec = {
  name: 'proxy-status',
  summary: "Show, per xDS type, whether Envoy holds what istiod last sent (SYNCED, STALE, NOT SENT, NACKED), as istioctl proxy-status does.",
  description: 'Reads the running vmlet\'s status server (/debug/xds). Exit codes: 0 every type SYNCED, 1 a type NACKED, STALE or NOT SENT, no Envoy stream, or vmlet not reachable, 2 bad command line.',
  json: 'print the view as JSON (stable: documented in docs/troubleshooting.md)',
};

export interface ProxyStatusView extends XdsView {
  readonly node: string;
  readonly cluster: string;
  readonly istioVersion: string;
}

export const run = command(spec, async (args, io) => {
  const view = JSON.parse(await fetchText(`http://${statusBase(args.common, io.env)}/debug/xds`)) as ProxyStatusView;
  printResult(io, args, view, (v) => renderProxyStatus(v, Date.now()));
  const allSynced = view.stream?.open === true && view.types.length > 0 && view.types.every((t) => t.state === 'SYNCED');
  return allSynced ? EXIT_OK : EXIT_FAILURE;
});

/** The four types istioctl always shows; IGNORED when Envoy did not subscribe. */
const CORE = ['CDS', 'LDS', 'EDS', 'RDS'];

export function renderProxyStatus(v: ProxyStatusView, now: number): string {
  const ago = (iso: string | undefined) => (iso === undefined ? '-' : humanDuration(now - Date.parse(iso)));
  const head = [
    ['NAME', 'CLUSTER', 'STREAM', 'VERSION'],
    [v.node, v.cluster || '-', v.stream ? `${v.stream.flavor}, ${v.stream.open ? 'open' : 'closed'} ${ago(v.stream.openedAt)}` : 'none (Envoy has not connected)', v.istioVersion || '-'],
  ];
  const byShort = new Map(v.types.map((t) => [t.short, t]));
  const rows: string[][] = [['TYPE', 'STATUS', 'VERSION', 'NONCE', 'RESOURCES', 'ANSWER']];
  const shorts = [...CORE, ...v.types.map((t) => t.short).filter((s) => !CORE.includes(s))];
  for (const short of shorts) {
    const t = byShort.get(short);
    if (t === undefined) {
      rows.push([short, 'IGNORED', '-', '-', '-', 'not subscribed']);
      continue;
    }
    rows.push([short, statusText(t, ago), t.sent?.version || '-', t.sent?.nonce || '-', t.sent ? String(t.sent.resources) : '-', answerText(t, ago)]);
  }
  const lines = [...table(head), '', ...table(rows)];
  for (const t of v.types) {
    if (t.state === 'NACKED') lines.push('', `${t.short} NACKED: ${t.answer?.error ?? ''}`);
    else if (t.lastNack) lines.push('', `${t.short} was NACKED ${ago(t.lastNack.at)} ago (${t.nacks} on this stream): ${t.lastNack.error ?? ''}`);
  }
  return `${lines.join('\n')}\n`;
}

function statusText(t: TypeView, ago: (iso: string | undefined) => string): string {
  const at = t.state === 'NACKED' ? t.answer?.at : t.sent?.at;
  return t.state === 'NOT SENT' ? 'NOT SENT' : `${t.state} (${ago(at)})`;
}

function answerText(t: TypeView, ago: (iso: string | undefined) => string): string {
  if (t.answer === undefined) return t.sent ? 'waiting' : `requested ${ago(t.requestedAt)} ago`;
  const by = t.answer.by === 'vmlet' ? ' by vmlet' : '';
  return `${t.answer.kind}${by} ${ago(t.answer.at)} ago`;
}

/** 450ms, 12s, 3m4s, 5h6m, 2d3h: istioctl's human durations, close enough. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 1) return `${Math.max(0, Math.round(ms))}ms`;
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) ? `${Math.floor((s % 3600) / 60)}m` : ''}`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600) ? `${Math.floor((s % 86_400) / 3600)}h` : ''}`;
}

/** Columns padded to their widest cell, three spaces apart (istioctl's tabwriter look). */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd());
}
