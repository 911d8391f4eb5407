/**
 * When to renew (facts §1.7): expire − (ratio ± jitter) × (expire − created), the ratio clamped
 * to [0, 1]. Pure; `random` in [0, 1).
 */
export function renewAt(createdMs: number, notAfterMs: number, ratio: number, jitter: number, random: () => number = Math.random): number {
  const r = Math.min(1, Math.max(0, ratio + jitter * (random() * 2 - 1)));
  return notAfterMs - r * (notAfterMs - createdMs);
}

/**
 * The longest single wait for the renewal time, ms. Timers run on the monotonic clock while the
 * renewal time is a wall-clock time: after each step the wait is measured again, so a wall clock
 * that jumps forward past the renewal time (an NTP step after a suspend, a VM resumed from a
 * snapshot) renews within one step, not up to half a certificate's lifetime later. One timer per
 * step: an idle agent wakes twice a minute.
 */
export const RENEWAL_STEP_MS = 30_000;

/** A certificate's renewal time, by both clocks: whichever comes first. */
export interface RenewalPlan {
  /** Wall-clock time (ms since the epoch) to renew at. */
  readonly dueWall: number;
  /**
   * The same moment on the monotonic clock, reckoned when the plan was made: a wall clock that
   * jumps backward does not postpone the renewal beyond the wait the certificate's lifetime
   * allowed then (its NotAfter, judged by everyone else's clocks, does not move).
   */
  readonly dueMono: number;
}

/** Fixes the renewal time once per certificate (the jitter drawn once), at wall `now` / monotonic `mono`. */
export function planRenewal(createdMs: number, notAfterMs: number, ratio: number, jitter: number, now: number, mono: number, random?: () => number): RenewalPlan {
  const dueWall = renewAt(createdMs, notAfterMs, ratio, jitter, random);
  return { dueWall, dueMono: mono + (dueWall - now) };
}

/** Ms left until the plan is due by either clock (≤ 0: due now). */
export function renewalLeft(plan: RenewalPlan, now: number, mono: number): number {
  return Math.min(plan.dueWall - now, plan.dueMono - mono);
}
