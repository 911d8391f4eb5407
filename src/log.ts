/**
 * Logging: one JSON line per event on stdout (journald keeps it), in pino's shape
 * (`{"level":30,"time":"<ISO>","pid":N,...bindings,...fields,"msg":"..."}`, numeric levels,
 * `err` serialized with type/message/stack/code), one child logger per component, secrets
 * redacted by path as a backstop (the code never logs them on purpose), and sampling for repeated
 * retry logs. Written here rather than taken from pino: pino and its stream helpers
 * (sonic-boom, thread-stream, worker_threads) cost an idle agent about 2.5 MB of its 45 MB
 * budget, for the small part of them vmlet uses. pino-pretty still renders a terminal.
 */
import { writeSync } from 'node:fs';
import type pinoPretty from 'pino-pretty';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
type Emitting = Exclude<LogLevel, 'silent'>;

const LEVELS: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

export interface LogFn {
  (msg: string): void;
  (fields: unknown, msg?: string): void;
}

export interface Logger {
  /** The threshold, shared by a root logger and all its children: setting it on one sets it for all. */
  level: string;
  readonly trace: LogFn;
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
  readonly fatal: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

/** Field names whose values never reach a log ('*' is any key at that depth). */
export const REDACT_PATHS = [
  'token', '*.token', 'authorization', '*.authorization', 'headers.authorization',
  'key', '*.key', 'privateKey', '*.privateKey', 'keyPem', '*.keyPem', 'password', '*.password',
  'req.headers.authorization', 'metadata.authorization',
];
const CENSOR = '*****';
const REDACT = REDACT_PATHS.map((p) => p.split('.'));

export interface LoggerOptions {
  level?: LogLevel;
  format?: 'json' | 'pretty';
  /** Where to write; defaults to stdout. Tests pass a stream to capture lines. */
  destination?: NodeJS.WritableStream;
}

let prettyFactory: typeof pinoPretty | undefined;

/**
 * Loads pino-pretty for `format: 'pretty'` (a terminal). Under systemd the format is JSON, and
 * pino-pretty's code would only cost memory, so it is imported on demand: call this before
 * createLogger({ format: 'pretty' }).
 */
export async function loadPrettyFormat(): Promise<void> {
  prettyFactory ??= (await import('pino-pretty')).default;
}

type Sink = (line: string) => void;

export function createLogger(opts: LoggerOptions = {}): Logger {
  let sink: Sink;
  if (opts.format === 'pretty') {
    if (prettyFactory === undefined) throw new Error('createLogger: format pretty needs `await loadPrettyFormat()` first');
    const dest = opts.destination ?? process.stdout;
    const pretty = prettyFactory({ destination: dest, colorize: (dest as { isTTY?: boolean }).isTTY === true, sync: true, ignore: 'pid,hostname' });
    sink = (line) => { pretty.write(line); };
  } else if (opts.destination !== undefined) {
    const dest = opts.destination;
    sink = (line) => { dest.write(line); };
  } else {
    sink = writeStdout;
  }
  return new JsonLogger(sink, opts.level ?? 'info', `,"pid":${process.pid}`);
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return new JsonLogger(() => undefined, 'silent', '');
}

class JsonLogger implements Logger {
  readonly trace: LogFn;
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
  readonly fatal: LogFn;
  private readonly state: { name: LogLevel; threshold: number };

  /** `prefix`: the bindings, already JSON (`,"pid":1,"component":"x"`); `state` is shared with children. */
  constructor(private readonly sink: Sink, level: string | { name: LogLevel; threshold: number }, private readonly prefix: string) {
    if (typeof level === 'string') {
      const name = checkLevel(level);
      this.state = { name, threshold: LEVELS[name] };
    } else this.state = level;
    const fn = (l: Emitting): LogFn => (a: unknown, b?: string) => { if (LEVELS[l] >= this.state.threshold) this.write(l, a, b); };
    this.trace = fn('trace');
    this.debug = fn('debug');
    this.info = fn('info');
    this.warn = fn('warn');
    this.error = fn('error');
    this.fatal = fn('fatal');
  }

  get level(): string {
    return this.state.name;
  }

  set level(level: string) {
    this.state.name = checkLevel(level);
    this.state.threshold = LEVELS[this.state.name];
  }

  child(bindings: Record<string, unknown>): Logger {
    let extra = '';
    for (const [k, v] of Object.entries(redact(bindings))) {
      if (v !== undefined) extra += `,${JSON.stringify(k)}:${safeJson(k === 'err' ? serializeError(v) : v)}`;
    }
    return new JsonLogger(this.sink, this.state, this.prefix + extra);
  }

  private write(level: Emitting, a: unknown, b: string | undefined): void {
    let fields: Record<string, unknown> | undefined;
    let msg: string | undefined;
    if (typeof a === 'string') msg = a;
    else if (a instanceof Error) {
      fields = { err: a };
      msg = b ?? a.message;
    } else {
      if (a !== null && typeof a === 'object') fields = a as Record<string, unknown>;
      msg = b;
    }
    let line = `{"level":${LEVELS[level]},"time":"${new Date().toISOString()}"${this.prefix}`;
    if (fields !== undefined) {
      for (const [k, v] of Object.entries(redact(fields))) {
        if (v !== undefined && k !== 'msg') line += `,${JSON.stringify(k)}:${safeJson(k === 'err' ? serializeError(v) : v)}`;
      }
    }
    if (msg !== undefined) line += `,"msg":${JSON.stringify(msg)}`;
    this.sink(`${line}}\n`);
  }
}

function checkLevel(level: string): LogLevel {
  if (!(level in LEVELS)) throw new Error(`unknown log level '${level}' (one of ${Object.keys(LEVELS).join(', ')})`);
  return level as LogLevel;
}

/** pino-std-serializers' err: type, message, stack, own enumerable fields (code, details), cause. */
export function serializeError(e: unknown, depth = 0): unknown {
  if (!(e instanceof Error) || depth > 5) return e;
  const out: Record<string, unknown> = { type: e.constructor?.name ?? 'Error', message: e.message, stack: e.stack };
  for (const [k, v] of Object.entries(e)) if (!(k in out)) out[k] = v instanceof Error ? serializeError(v, depth + 1) : v;
  if (e.cause !== undefined && out['cause'] === undefined) out['cause'] = serializeError(e.cause, depth + 1);
  return out;
}

/** A copy of `obj` with every REDACT_PATHS value replaced by the censor; `obj` is not changed. */
function redact(obj: Record<string, unknown>): Record<string, unknown> {
  let out = obj;
  for (const path of REDACT) out = censorPath(out, path) as Record<string, unknown>;
  return out;
}

function censorPath(node: unknown, path: readonly string[]): unknown {
  if (node === null || typeof node !== 'object' || Array.isArray(node) || node instanceof Error) return node;
  const [head, ...rest] = path as [string, ...string[]];
  const src = node as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const k of head === '*' ? Object.keys(src) : Object.hasOwn(src, head) ? [head] : []) {
    const next = rest.length === 0 ? (src[k] === undefined ? undefined : CENSOR) : censorPath(src[k], rest);
    if (next !== src[k]) {
      copy ??= { ...src };
      copy[k] = next;
    }
  }
  return copy ?? node;
}

/** JSON.stringify that survives cycles and BigInt (pino's safe-stable-stringify does the same). */
function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? 'null';
  } catch {
    const seen = new WeakSet<object>();
    return JSON.stringify(v, (_k, x: unknown) => {
      if (typeof x === 'bigint') return x.toString();
      if (x !== null && typeof x === 'object') {
        if (seen.has(x)) return '[Circular]';
        seen.add(x);
      }
      return x;
    }) ?? 'null';
  }
}

/** Synchronous stdout, as pino.destination({ sync: true }): retried on EAGAIN (a full pipe). */
function writeStdout(line: string): void {
  let buf = Buffer.from(line);
  for (let tries = 0; buf.length > 0 && tries < 1000; tries++) {
    try {
      buf = buf.subarray(writeSync(1, buf));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

/**
 * Logs the first `first` occurrences of a repeated event, then one in `every` (kuma's restart
 * logging), so a retry loop cannot flood journald. `shouldLog()` also returns how many were
 * suppressed since the last logged one.
 */
export class LogSampler {
  private count = 0;
  private suppressed = 0;
  constructor(private readonly first = 5, private readonly every = 10) {}

  shouldLog(): { log: boolean; suppressed: number } {
    this.count += 1;
    if (this.count <= this.first || (this.count - this.first) % this.every === 0) {
      const suppressed = this.suppressed;
      this.suppressed = 0;
      return { log: true, suppressed };
    }
    this.suppressed += 1;
    return { log: false, suppressed: this.suppressed };
  }

  reset(): void {
    this.count = 0;
    this.suppressed = 0;
  }
}
