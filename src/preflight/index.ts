/**
 * Pre-flight: every check the capabilities contribute, run by `vmlet validate` (all, reported at
 * once) and by `vmlet run` before anything starts (the first error ends it, exit 2), so a check
 * added here cannot be in one and not the other. Owns: the list and the order. Must not touch:
 * anything that changes state, or the network. TO ADD A CHECK: write it in the capability's
 * preflight.ts and add it to PREFLIGHT_CHECKS with when it applies (test/unit/preflight walks every bad-input code).
 */
import type { Config } from '../config/schema.js';
import type { PreflightCheck, PreflightContext, PreflightFinding } from './types.js';

export type { PreflightCheck, PreflightContext, PreflightFinding } from './types.js';

/**
 * A check in the registry: `applies` is asked first, and the check's module (with what it imports:
 * node metadata, the Envoy user lookup, the capability's error codes) is loaded only when it does,
 * so an agent pays at start for the checks of what it runs, not for every capability's.
 */
export interface RegisteredCheck {
  readonly name: string;
  /** Whether the check applies to this configuration (its capability is on, ...). */
  applies(config: Config): boolean;
  load(): Promise<PreflightCheck>;
}

export const PREFLIGHT_CHECKS: readonly RegisteredCheck[] = [
  { name: 'identity.namespace', applies: (c) => c.identity.enabled || c.xds.enabled, load: async () => (await import('../identity/preflight.js')).namespaceCheck },
  { name: 'identity.token', applies: (c) => c.identity.enabled, load: async () => (await import('../identity/preflight.js')).tokenCheck },
  { name: 'onboarding.inputs', applies: (c) => c.onboarding.provider !== 'none', load: async () => (await import('../onboard/agent/preflight.js')).onboardingCheck },
  { name: 'xds.node', applies: (c) => c.envoy.enabled || c.xds.enabled, load: async () => (await import('../xds/preflight.js')).nodeCheck },
  { name: 'health.probe', applies: (c) => c.xds.enabled, load: async () => (await import('../health/preflight.js')).probeCheck },
  { name: 'envoy.user', applies: (c) => c.envoy.enabled && c.envoy.runAsUser !== '', load: async () => (await import('../envoy/preflight.js')).userCheck },
  { name: 'capture.root', applies: (c) => c.capture.enabled, load: async () => (await import('../capture/preflight.js')).rootCheck },
];

/** This process and host. */
export function processContext(): PreflightContext {
  return { now: Date.now(), uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
}

/** Every finding of every check that applies, in registry order. */
export async function runPreflight(config: Config, ctx: PreflightContext = processContext(), checks: readonly RegisteredCheck[] = PREFLIGHT_CHECKS): Promise<PreflightFinding[]> {
  const out: PreflightFinding[] = [];
  for (const entry of checks) {
    if (entry.applies(config)) out.push(...(await (await entry.load()).run(config, ctx)));
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
