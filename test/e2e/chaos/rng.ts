/**
 * The chaos tier's seeded randomness: every random choice of a run (which moment, which delay)
 * comes from one seed, printed at the start, so a failure is replayed with CHAOS_SEED=<seed>.
 */

/** mulberry32: a small, fast, seedable 32-bit generator; returns floats in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The run's seed: CHAOS_SEED when set (a replay), else a fresh one. */
export function chaosSeed(): number {
  const s = process.env.CHAOS_SEED;
  if (s !== undefined && s !== '') {
    const n = Number(s);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`CHAOS_SEED=${s}: want a non-negative integer (the seed a chaos run printed)`);
    return n;
  }
  return Math.floor(Math.random() * 2 ** 31);
}

export class Rng {
  private readonly next: () => number;
  constructor(readonly seed: number) { this.next = seeded(seed); }
  /** Uniform in [lo, hi). */
  between(lo: number, hi: number): number { return lo + (hi - lo) * this.next(); }
  /** A whole number in [lo, hi]. */
  int(lo: number, hi: number): number { return Math.floor(this.between(lo, hi + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)]!; }
}
