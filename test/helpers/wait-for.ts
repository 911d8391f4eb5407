/**
 * Waiting in tests: poll a condition with an upper bound instead of sleeping. A timeout names
 * what was awaited and the last value seen, so a failure says what never happened.
 */

export interface WaitOptions {
  /** Upper bound in ms (default 5000). */
  timeoutMs?: number;
  /** Poll interval in ms (default 20). */
  intervalMs?: number;
  /** What is awaited, for the timeout message. */
  what?: string;
}

/** Polls `cond` until it returns a truthy value and resolves to it; throws after `timeoutMs`. */
export async function waitFor<T>(cond: () => T | Promise<T>, opts: WaitOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 5000, intervalMs = 20, what = 'condition' } = opts;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${seen})`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Resolves when `emitter` emits `event`, or rejects after `timeoutMs`. */
export function onceWithin<T = unknown>(
  emitter: { once(event: string, fn: (...args: unknown[]) => void): unknown },
  event: string,
  timeoutMs = 5000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for '${event}'`)), timeoutMs);
    emitter.once(event, (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args[0] as T);
    });
  });
}
