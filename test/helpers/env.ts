/**
 * Environment checks for tests that need something the machine may lack (root, a network
 * namespace, a binary). Locally a missing prerequisite skips with a loud reason; under CI=true it
 * FAILS, because CI must run every tier (issue 2: "a tier that cannot run fails").
 *
 *   const ok = requireOrSkip(isRoot(), 'needs root for a network namespace');
 *   it.skipIf(!ok)('...', async () => { ... });
 */
import { execFileSync } from 'node:child_process';

export const inCI = (): boolean => process.env.CI === 'true';

export const isRoot = (): boolean => process.getuid?.() === 0;

/** true when `bin` is found on PATH (via `command -v`). */
export function hasBinary(bin: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${JSON.stringify(bin)}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns `cond`. When it is false: under CI=true throws (the suite fails, loudly, at collection
 * time); otherwise prints a loud SKIPPING line so the caller can `it.skipIf(!ok)`.
 */
export function requireOrSkip(cond: boolean, reason: string): boolean {
  if (cond) return true;
  if (inCI()) throw new Error(`cannot run under CI=true: ${reason}`);
  console.warn(`\n*** SKIPPING: ${reason} ***\n`);
  return false;
}
