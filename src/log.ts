/**
 * Logging: pino JSON to stdout (journald keeps it), one child logger per component, secrets
 * redacted by path as a backstop (the code never logs them on purpose), and sampling for
 * repeated retry logs.
 */
import pino from 'pino';
import type pinoPretty from 'pino-pretty';

export type Logger = pino.Logger;
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Field names whose values never reach a log, at any depth pino can address. */
export const REDACT_PATHS = [
  'token', '*.token', 'authorization', '*.authorization', 'headers.authorization',
  'key', '*.key', 'privateKey', '*.privateKey', 'keyPem', '*.keyPem', 'password', '*.password',
  'req.headers.authorization', 'metadata.authorization',
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
  const options: pino.LoggerOptions = {
    level: opts.level ?? 'info',
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '*****' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const dest = opts.destination ?? pino.destination({ fd: 1, sync: true });
  if (opts.format === 'pretty') {
    // pino-pretty as a stream (not a worker transport) so the bundle stays one file.
    return pino(options, createPrettyStream(dest));
  }
  return pino(options, dest as pino.DestinationStream);
}

function createPrettyStream(dest: NodeJS.WritableStream | pino.DestinationStream): pino.DestinationStream {
  if (prettyFactory === undefined) throw new Error('createLogger: format pretty needs `await loadPrettyFormat()` first');
  return prettyFactory({ destination: dest as NodeJS.WritableStream, colorize: (dest as { isTTY?: boolean }).isTTY === true, sync: true, ignore: 'pid,hostname' });
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
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
