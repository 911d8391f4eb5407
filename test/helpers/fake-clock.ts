/**
 * A manual Clock for tests: time moves only when `advance(ms)` is called; sleeps resolve in
 * time order as it passes. `sleeps` records every requested delay.
 */
import type { Clock } from '../../src/lifecycle/types.js';

export class FakeClock implements Clock {
  private t = 0;
  /** Wall-clock offset from jumpWall(): the system clock stepped, monotonic time untouched. */
  private wallOffset = 0;
  readonly sleeps: number[] = [];
  private pending: { at: number; resolve(): void }[] = [];

  now(): number {
    return 1_700_000_000_000 + this.t + this.wallOffset;
  }

  /** Steps the wall clock (now()) by `ms`, forward or backward, as NTP or an operator would: sleeps and monotonic() do not move. */
  jumpWall(ms: number): void {
    this.wallOffset += ms;
  }

  monotonic(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.pending = this.pending.filter((p) => p !== entry);
        reject(signal?.reason);
      };
      // The listener goes with the sleep: a loop of many sleeps on one signal must not pile them up.
      const entry = { at: this.t + ms, resolve: () => { signal?.removeEventListener('abort', onAbort); resolve(); } };
      this.pending.push(entry);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** How many sleeps are waiting. */
  get waiting(): number {
    return this.pending.length;
  }

  /** Moves time forward, resolving due sleeps in order (each gets a turn of the microtask queue). */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const due = this.pending.filter((p) => p.at <= end).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.t = Math.max(this.t, due.at);
      this.pending = this.pending.filter((p) => p !== due);
      due.resolve();
      for (let i = 0; i < 10; i++) await Promise.resolve();
    }
    this.t = end;
  }
}

/**
 * Real time, but sleeps never end on their own: only their signal's abort ends them. `sleeps`
 * records each requested delay, so a test waits for the event "the code under test is now waiting
 * N ms" instead of sleeping beside it (certificates and tokens keep checking against real time).
 */
export class ParkedClock implements Clock {
  readonly sleeps: number[] = [];

  now(): number {
    return Date.now();
  }

  monotonic(): number {
    return Number(process.hrtime.bigint()) / 1e6;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise<void>((_resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }
}

/** The system clock, recording each requested sleep: a test reads what the code scheduled. */
export class RecordingClock implements Clock {
  readonly sleeps: number[] = [];
  now(): number {
    return Date.now();
  }

  monotonic(): number {
    return Number(process.hrtime.bigint()) / 1e6;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => { clearTimeout(timer); reject(signal?.reason); };
      const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
