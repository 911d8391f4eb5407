/**
 * `vmlet doctor`'s result shapes (the `--json` schema, docs/doctor.md: change it only with a new
 * `schema` number) and what every check receives.
 */
import type { LoadResult } from '../config/index.js';
import type { Problem } from '../config/problems.js';
import type { Explanation } from './explain.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** Stable id (docs/doctor.md lists them): `files`, `token`, `dns`, ... */
  readonly id: string;
  readonly status: CheckStatus;
  /** What the check saw, one line, never a secret. */
  readonly saw: string;
  /** For warn and fail: why it matters and what to do (src/doctor/explain.ts texts). */
  readonly cause?: string;
  readonly fix?: string;
  /** The bound of a network check, ms (shown so a slow answer reads as such). */
  readonly timeoutMs?: number;
  /** How long the check took, ms. */
  readonly durationMs: number;
  /** Structured facts behind `saw` (per check; docs/doctor.md). */
  readonly data?: Readonly<Record<string, unknown>>;
}

export type Verdict = Omit<CheckResult, 'id' | 'durationMs'>;

export interface DoctorContext {
  readonly load: LoadResult;
  /** Loader problems and pre-flight findings (what `vmlet validate` prints). */
  readonly problems: readonly Problem[];
  readonly now: () => number;
  readonly uid: number;
  /**
   * Bounds of the network checks, ms: `istiod` bounds the certificate request, `xds` the short
   * xDS stream (separate, so a test can bound the one it drives without squeezing the other),
   * `onboard` each request of the onboarding check.
   */
  readonly timeouts: { readonly dns: number; readonly connect: number; readonly tls: number; readonly istiod: number; readonly xds: number; readonly onboard: number; readonly local: number };
  /** Where /proc is (tests point it elsewhere). */
  readonly procRoot: string;
  /** The system's hosts file (tests point it elsewhere). */
  readonly etcHosts: string;
  /** systemd unit name. */
  readonly unit: string;
}

export const DEFAULT_TIMEOUTS: DoctorContext['timeouts'] = { dns: 1000, connect: 1000, tls: 1500, istiod: 2000, xds: 2000, onboard: 2000, local: 1000 };

export const pass = (saw: string, data?: Record<string, unknown>): Verdict => ({ status: 'pass', saw, ...(data ? { data } : {}) });
export const skip = (saw: string): Verdict => ({ status: 'skip', saw });
export function warn(saw: string, why: Explanation, data?: Record<string, unknown>): Verdict {
  return { status: 'warn', saw, cause: why.cause, fix: why.fix, ...(data ? { data } : {}) };
}
export function fail(saw: string, why: Explanation, data?: Record<string, unknown>): Verdict {
  return { status: 'fail', saw, cause: why.cause, fix: why.fix, ...(data ? { data } : {}) };
}
