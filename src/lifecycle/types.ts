/**
 * The one lifecycle contract (SPIRE's `Run(ctx)`): a long-running piece is a `Component` whose
 * `run(signal)` resolves when the signal aborts and rejects on a fatal error. The runner
 * (./runner.ts) aborts the rest on the first failure; abort is not failure. Restarts are added at
 * wiring time with `resilient(component, backoff)`, never hidden inside a component.
 */

export interface Component {
  /** Used in logs (`component: name`), status and metrics. */
  readonly name: string;
  /** Resolves after `signal` aborts and everything it started has stopped; rejects on a fatal error. */
  run(signal: AbortSignal): Promise<void>;
}

/** Time, injectable so backoff, rotation and watchdog logic are tested without real waiting. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Monotonic milliseconds (for durations and MONOTONIC_USEC). */
  monotonic(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Monotonic milliseconds from process.hrtime (CLOCK_MONOTONIC on Linux). Not performance.now():
 * the first touch of the global `performance` loads all of perf_hooks (histograms, timerify, user
 * timing), resident memory an idle agent would carry for a clock.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: monotonicMs,
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
