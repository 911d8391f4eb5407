/**
 * Pre-flight: every check the capabilities contribute, run by `vmlet validate` (all, reported at
 * once) and by `vmlet run` before anything starts (the first error ends it, exit 2), so a check
 * added here cannot be in one and not the other. Owns: the list and the order. Must not touch:
 * anything that changes state, or the network. TO ADD A CHECK: write it in the capability's
 * preflight.ts and add it to PREFLIGHT_CHECKS (test/unit/preflight walks every bad-input code).
 */
import { userCheck } from '../envoy/preflight.js';
import { namespaceCheck, tokenCheck } from '../identity/preflight.js';
import { rootCheck } from '../capture/preflight.js';
import type { Config } from '../config/schema.js';
import { nodeCheck } from '../xds/preflight.js';
import { probeCheck } from '../health/preflight.js';
import type { PreflightCheck, PreflightContext, PreflightFinding } from './types.js';

export type { PreflightCheck, PreflightContext, PreflightFinding } from './types.js';

export const PREFLIGHT_CHECKS: readonly PreflightCheck[] = [
  namespaceCheck,
  tokenCheck,
  nodeCheck,
  probeCheck,
  userCheck,
  rootCheck,
];

/** This process and host. */
export function processContext(): PreflightContext {
  return { now: Date.now(), uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
}

/** Every finding of every check that applies, in registry order. */
export async function runPreflight(config: Config, ctx: PreflightContext = processContext(), checks: readonly PreflightCheck[] = PREFLIGHT_CHECKS): Promise<PreflightFinding[]> {
  const out: PreflightFinding[] = [];
  for (const check of checks) {
    if (check.applies(config)) out.push(...(await check.run(config, ctx)));
  }
  return out;
}

/** For `vmlet run`: throws the first error's VmletError (exit 2 by its code); returns the warnings. */
export async function preflightOrThrow(config: Config, ctx?: PreflightContext): Promise<PreflightFinding[]> {
  const findings = await runPreflight(config, ctx);
  const first = findings.find((f) => f.severity === 'error');
  if (first) throw first.error;
  return findings;
}
