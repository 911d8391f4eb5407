/**
 * Envoy's stdout/stderr lines into vmlet's log (component: envoy), at the level Envoy printed:
 * `[2024-05-01 10:00:00.123][42][warning][config] [source/...] message`. Lines without a level
 * are logged at info. Partial lines are held until their newline.
 */
import type { Readable } from 'node:stream';
import type { Logger } from '../log.js';

const LEVELS: Readonly<Record<string, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'>> = {
  trace: 'trace', debug: 'debug', info: 'info', warning: 'warn', warn: 'warn', error: 'error', critical: 'fatal',
};

const ENVOY_LINE = /^\[[^\]]*\]\[(\d+)\]\[(\w+)\]\[([\w.-]+)\]\s*(.*)$/;

export function parseEnvoyLine(line: string): { level: (typeof LEVELS)[string]; envoyComponent?: string; msg: string } {
  const m = ENVOY_LINE.exec(line);
  if (!m) return { level: 'info', msg: line };
  return { level: LEVELS[m[2] as string] ?? 'info', envoyComponent: m[3] as string, msg: m[4] as string };
}

export function pipeLines(stream: Readable, logger: Logger, streamName: 'stdout' | 'stderr'): void {
  let buf = '';
  stream.setEncoding('utf8');
  const emit = (line: string) => {
    if (line.trim() === '') return;
    const p = parseEnvoyLine(line);
    logger[p.level]({ stream: streamName, ...(p.envoyComponent ? { envoyComponent: p.envoyComponent } : {}) }, p.msg);
  };
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      emit(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
    if (buf.length > 64 * 1024) {
      emit(buf);
      buf = '';
    }
  });
  stream.on('end', () => emit(buf));
}
