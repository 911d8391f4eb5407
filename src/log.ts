/**
 * Logging is pino: one JSON line per event on stdout (journald keeps it), numeric levels, ISO
 * time, pid, a child logger per component, `err` serialized with its cause, secrets censored by
 * pino's `redact` as a backstop (the code never logs them on purpose). Written synchronously to
 * fd 1 (pino.destination({ sync: true }), sonic-boom) with NO transport: a transport runs in a
 * worker thread (thread-stream), which an idle agent would carry for nothing; the build leaves
 * pino's transport code out of the bundle (scripts/build.mjs).
 *
 * What this file adds, because pino does not do it: a level set on the root reaches every child
 * made before (pino children keep the level they were born with; SIGHUP's general.logLevel must
 * reach them all), level names checked with vmlet's message, pino-pretty loaded only for a
 * terminal, and sampling for repeated retry logs (LogSampler).
 */
import pino from 'pino';
import type pinoPretty from 'pino-pretty';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

const LEVEL_NAMES: readonly string[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

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

/** Field names whose values never reach a log ('*' is any key at that depth), for pino's `redact`. */
export const REDACT_PATHS = [
  'token', '*.token', 'authorization', '*.authorization', 'headers.authorization',
  'key', '*.key', 'privateKey', '*.privateKey', 'keyPem', '*.keyPem', 'password', '*.password',
  'req.headers.authorization', 'metadata.authorization',
  // Onboarding's secrets (the AWS reauth secret, a join token), on the VM and in the service.
  'reauthSecret', '*.reauthSecret', 'joinToken', '*.joinToken',
];

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

export function createLogger(opts: LoggerOptions = {}): Logger {
  let stream: pino.DestinationStream;
  if (opts.format === 'pretty') {
    if (prettyFactory === undefined) throw new Error('createLogger: format pretty needs `await loadPrettyFormat()` first');
    const dest = opts.destination ?? process.stdout;
    stream = prettyFactory({ destination: dest, colorize: (dest as { isTTY?: boolean }).isTTY === true, sync: true, ignore: 'pid,hostname' });
  } else {
    stream = (opts.destination as pino.DestinationStream | undefined) ?? pino.destination({ dest: 1, sync: true });
  }
  const children = new Set<WeakRef<pino.Logger>>();
  const root = pino({
    level: checkLevel(opts.level ?? 'info'),
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: pino.stdSerializers.errWithCause },
    redact: { paths: REDACT_PATHS, censor: '*****' },
    onChild: (child) => { children.add(new WeakRef(child)); },
  }, stream);
  shareLevel(root, children);
  return root;
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ enabled: false });
}

/**
 * Makes `root.level = x` set x on the root and on every live child (pino's own setter, then each
 * child's); a level name pino does not know is refused before anything changes.
 */
function shareLevel(root: pino.Logger, children: Set<WeakRef<pino.Logger>>): void {
  let proto: object | null = Object.getPrototypeOf(root);
  while (proto !== null && Object.getOwnPropertyDescriptor(proto, 'level') === undefined) proto = Object.getPrototypeOf(proto);
  const own = proto === null ? undefined : Object.getOwnPropertyDescriptor(proto, 'level');
  if (own?.get === undefined || own.set === undefined) throw new Error('pino: no level accessor to share');
  const { get, set } = own;
  // pino's children inherit from their parent object, so they see this accessor too: on a child
  // (`this` is not the root) it sets that child alone, as pino would.
  Object.defineProperty(root, 'level', {
    configurable: true,
    get(this: pino.Logger) { return get.call(this) as string; },
    set(this: pino.Logger, level: string) {
      checkLevel(level);
      set.call(this, level);
      if (this !== root) return;
      for (const ref of children) {
        const child = ref.deref();
        if (child === undefined) children.delete(ref);
        else child.level = level;
      }
    },
  });
}

/** Is `s` one of pino's level names vmlet accepts (for commands that take --log-level without the config loader)? */
export function isLogLevel(s: string): s is LogLevel {
  return LEVEL_NAMES.includes(s);
}

function checkLevel(level: string): LogLevel {
  if (!LEVEL_NAMES.includes(level)) throw new Error(`unknown log level '${level}' (one of ${LEVEL_NAMES.join(', ')})`);
  return level as LogLevel;
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
