/**
 * A named exponential backoff (grpc-js backoff-timeout, SPIRE backoff): delay n is
 * min(cap, base * factor^n), spread by ±jitter, and the sequence starts over after a run that
 * stayed up for `resetAfter`. Pure: the caller sleeps; randomness is injectable for tests.
 */

export interface BackoffPolicy {
  /** Shown in logs and metrics: `envoy-restart`, `istiod-stream`. */
  readonly name: string;
  /** First delay, ms. */
  readonly base: number;
  /** Growth per attempt (e.g. 2). */
  readonly factor: number;
  /** Largest delay, ms. */
  readonly cap: number;
  /** Fraction of the delay added or removed at random, 0..1 (0.2 = ±20 %). */
  readonly jitter: number;
  /** A run that lasted at least this long (ms) resets the sequence to `base`. */
  readonly resetAfter: number;
}

export class Backoff {
  private attempt = 0;
  constructor(readonly policy: BackoffPolicy, private readonly random: () => number = Math.random) {
    const { base, factor, cap, jitter, resetAfter } = policy;
    if (!(base > 0 && factor >= 1 && cap >= base && jitter >= 0 && jitter <= 1 && resetAfter >= 0)) {
      throw new RangeError(`backoff ${policy.name}: need base > 0, factor >= 1, cap >= base, 0 <= jitter <= 1, resetAfter >= 0`);
    }
  }

  /** How many delays were handed out since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The next delay in ms, and advances the sequence. */
  next(): number {
    const { base, factor, cap, jitter } = this.policy;
    const raw = Math.min(cap, base * factor ** this.attempt);
    this.attempt += 1;
    const spread = raw * jitter * (this.random() * 2 - 1);
    return Math.max(0, Math.round(Math.min(cap, raw + spread)));
  }

  /** Tells the backoff how long the last run stayed up; resets when it was stable. */
  ranFor(ms: number): void {
    if (ms >= this.policy.resetAfter) this.reset();
  }

  reset(): void {
    this.attempt = 0;
  }
}
