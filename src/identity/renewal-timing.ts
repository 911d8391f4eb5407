/**
 * When to renew (facts §1.7): expire − (ratio ± jitter) × (expire − created), the ratio clamped
 * to [0, 1]. Pure; `random` in [0, 1).
 */
export function renewAt(createdMs: number, notAfterMs: number, ratio: number, jitter: number, random: () => number = Math.random): number {
  const r = Math.min(1, Math.max(0, ratio + jitter * (random() * 2 - 1)));
  return notAfterMs - r * (notAfterMs - createdMs);
}

/** setTimeout's limit: sleeps longer than this are taken in steps. */
export const MAX_SLEEP_MS = 2_147_483_647;
