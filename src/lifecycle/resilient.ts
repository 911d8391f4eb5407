/**
 * resilient(component, backoff): a component that restarts its inner component after a fatal
 * error, waiting a named backoff between runs (reset after a stable run), with retry logs
 * sampled so a crash loop cannot flood journald. Added at wiring time (kuma), never hidden
 * inside a component. Abort stops it: during a run the inner component sees the abort; during a
 * wait the wait ends at once. An inner run that resolves without abort is restarted too (a
 * long-running piece that returns has stopped doing its job).
 */
import { LogSampler, type Logger } from '../log.js';
import { Backoff, type BackoffPolicy } from './backoff.js';
import { systemClock, type Clock, type Component } from './types.js';

export interface ResilientOptions {
  clock?: Clock;
  logger?: Logger;
  /** Called before each restart with the attempt number (1-based), the delay and the error. */
  onRestart?(attempt: number, delayMs: number, err: unknown): void;
  /** Decides whether an error is worth a restart (default: always). false makes it fatal. */
  shouldRestart?(err: unknown): boolean;
  /** Random source for jitter (tests). */
  random?: () => number;
}

export function resilient(component: Component, policy: BackoffPolicy, opts: ResilientOptions = {}): Component {
  const clock = opts.clock ?? systemClock;
  const sampler = new LogSampler();
  return {
    name: component.name,
    async run(signal: AbortSignal): Promise<void> {
      const backoff = new Backoff(policy, opts.random);
      let restarts = 0;
      while (!signal.aborted) {
        const started = clock.monotonic();
        let failure: unknown;
        try {
          await component.run(signal);
          if (signal.aborted) return;
          failure = new Error('returned before it was asked to stop');
        } catch (err) {
          if (signal.aborted) return;
          if (opts.shouldRestart !== undefined && !opts.shouldRestart(err)) throw err;
          failure = err;
        }
        backoff.ranFor(clock.monotonic() - started);
        const delay = backoff.next();
        restarts += 1;
        const { log, suppressed } = sampler.shouldLog();
        if (log) {
          opts.logger?.warn(
            { err: failure, backoff: policy.name, attempt: backoff.attempts, restarts, delayMs: delay, suppressed },
            `${component.name} failed; restarting in ${delay} ms`,
          );
        }
        opts.onRestart?.(restarts, delay, failure);
        try {
          await clock.sleep(delay, signal);
        } catch {
          return;
        }
      }
    },
  };
}
