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

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
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
