/** Bounded polling for the end-to-end tier: every wait has a deadline and says what it waited for. */
export async function pollUntil<T>(probe: () => T | Promise<T>, timeoutMs: number, what: string, everyMs = 250): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let i = 0; i < 100_000; i++) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (err) {
      if (err instanceof Error && /exited/.test(err.message)) throw err;
      last = err;
    }
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : String(last)})`);
}
