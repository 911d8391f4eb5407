/**
 * The Notifier: vmlet's side of systemd's notify protocol (sd_notify(3)), hidden behind one
 * interface so nothing else knows how a message travels. Messages go out one at a time, in
 * order; a STATUS= line still waiting to go is replaced by a newer one, and a WATCHDOG=1 is not
 * queued twice. A failed delivery is logged (sampled) and never throws into the caller: losing
 * a STATUS= line must not stop vmlet, and a lost READY=1 shows up as systemd's start timeout.
 */
import { LogSampler, type Logger } from '../log.js';
import { findSystemdNotify, SystemdNotifyTransport, type NotifyTransport } from './transport.js';
import { VmletError } from '../errors.js';

export interface Notifier {
  /** false when NOTIFY_SOCKET is unset: every call is a no-op. */
  readonly enabled: boolean;
  /** READY=1 (with STATUS= when given). Sent at most once per startup or reload. */
  ready(status?: string): Promise<void>;
  /** STATUS=<one line>; repeated identical lines are not sent again. */
  status(line: string): Promise<void>;
  /** WATCHDOG=1. */
  watchdog(): Promise<void>;
  /** STOPPING=1 (with STATUS= when given). */
  stopping(status?: string): Promise<void>;
  /** RELOADING=1 with MONOTONIC_USEC (CLOCK_MONOTONIC, µs); READY=1 must follow when done. */
  reloading(monotonicUsec?: bigint): Promise<void>;
  /** EXTEND_TIMEOUT_USEC: ask for more start/stop time. */
  extendTimeout(usec: number): Promise<void>;
  /** Resolves when every message asked for so far has been handed over (before exiting). */
  flush(): Promise<void>;
}

/** CLOCK_MONOTONIC in µs (process.hrtime is CLOCK_MONOTONIC on Linux), as MONOTONIC_USEC wants. */
export function monotonicUsec(): bigint {
  return process.hrtime.bigint() / 1000n;
}

/** One line, as STATUS= needs: no newlines, bounded. */
export function statusField(line: string): string {
  const one = line.replace(/[\r\n]+/g, ' ').trim();
  return `STATUS=${one.length > 400 ? `${one.slice(0, 399)}…` : one}`;
}

export const noopNotifier: Notifier = {
  enabled: false,
  ready: async () => {},
  status: async () => {},
  watchdog: async () => {},
  stopping: async () => {},
  reloading: async () => {},
  extendTimeout: async () => {},
  flush: async () => {},
};

interface Queued {
  fields: string[];
  kind: 'status' | 'watchdog' | 'other';
  done: Promise<void>;
  resolve(): void;
}

export class SdNotifier implements Notifier {
  readonly enabled = true;
  private readonly queue: Queued[] = [];
  private draining = false;
  private inFlight: Promise<void> = Promise.resolve();
  private lastStatus: string | undefined;
  private readySent = false;
  private readonly failures = new LogSampler(3, 20);

  constructor(private readonly transport: NotifyTransport, private readonly logger: Logger) {}

  ready(status?: string): Promise<void> {
    if (this.readySent) return Promise.resolve();
    this.readySent = true;
    if (status !== undefined) this.lastStatus = statusField(status);
    return this.enqueue(['READY=1', ...(status === undefined ? [] : [statusField(status)])], 'other');
  }

  status(line: string): Promise<void> {
    const field = statusField(line);
    if (field === this.lastStatus) return Promise.resolve();
    this.lastStatus = field;
    return this.enqueue([field], 'status');
  }

  watchdog(): Promise<void> {
    return this.enqueue(['WATCHDOG=1'], 'watchdog');
  }

  stopping(status?: string): Promise<void> {
    return this.enqueue(['STOPPING=1', ...(status === undefined ? [] : [statusField(status)])], 'other');
  }

  reloading(usec: bigint = monotonicUsec()): Promise<void> {
    // After a reload, READY=1 is due again.
    this.readySent = false;
    return this.enqueue(['RELOADING=1', `MONOTONIC_USEC=${usec}`], 'other');
  }

  extendTimeout(usec: number): Promise<void> {
    return this.enqueue([`EXTEND_TIMEOUT_USEC=${Math.max(0, Math.round(usec))}`], 'other');
  }

  flush(): Promise<void> {
    const last = this.queue.at(-1);
    return last === undefined ? this.inFlight : last.done;
  }

  private enqueue(fields: string[], kind: Queued['kind']): Promise<void> {
    // Coalesce: only the newest waiting STATUS= matters; one waiting WATCHDOG=1 is enough.
    const waiting = this.queue.find((q) => q.kind === kind && kind !== 'other');
    if (waiting !== undefined) {
      if (kind === 'status') waiting.fields = fields;
      return waiting.done;
    }
    let resolve!: () => void;
    const done = new Promise<void>((r) => { resolve = r; });
    this.queue.push({ fields, kind, done, resolve });
    void this.drain();
    return done;
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let item = this.queue.shift(); item !== undefined; item = this.queue.shift()) {
        try {
          this.inFlight = item.done;
          await this.transport.send(item.fields);
        } catch (err) {
          const { log, suppressed } = this.failures.shouldLog();
          if (log) this.logger.warn({ err, suppressed }, `systemd notification ${item.fields.map((f) => f.split('=')[0]).join('+')} failed`);
        }
        item.resolve();
      }
    } finally {
      this.draining = false;
    }
  }
}

/**
 * The notifier for this process: a no-op without NOTIFY_SOCKET; with it, systemd-notify, which
 * must exist (VMLET_SDNOTIFY_UNAVAILABLE otherwise: under Type=notify vmlet could never be ready).
 */
export function createNotifier(env: Readonly<Record<string, string | undefined>>, logger: Logger, transport?: NotifyTransport): Notifier {
  const socket = env.NOTIFY_SOCKET;
  if (socket === undefined || socket === '') return noopNotifier;
  if (transport !== undefined) return new SdNotifier(transport, logger);
  const program = findSystemdNotify(env);
  if (program === undefined) {
    throw new VmletError('VMLET_SDNOTIFY_UNAVAILABLE', `NOTIFY_SOCKET is set (${socket}) but systemd-notify was not found on PATH or in /usr/bin; install systemd's tools or run vmlet without Type=notify`);
  }
  logger.debug({ program, socket }, 'systemd notification via systemd-notify');
  return new SdNotifier(new SystemdNotifyTransport({ program, socket }), logger);
}
