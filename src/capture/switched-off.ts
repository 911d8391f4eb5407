/**
 * Capture switched off (by configuration, ISTIO_CUSTOM_IP_TABLES, or not root): says so loudly
 * and returns the inert capability. Kept apart from capability.ts, which pulls in the rule
 * builder, executor and runner, so main.ts loads those only when capture will really run.
 */
import type { Deps } from '../deps.js';
import type { CaptureCapability } from './capability.js';

export function captureSwitchedOff(deps: Deps, isRoot: boolean = process.getuid?.() === 0): CaptureCapability | undefined {
  const log = deps.logger.child({ component: 'capture' });
  const c = deps.config.capture;
  const why = !c.enabled ? 'capture.enabled=false' : c.customIptables ? 'ISTIO_CUSTOM_IP_TABLES=true (the operator manages iptables)' : undefined;
  if (why !== undefined) {
    log.warn(`TRAFFIC CAPTURE IS OFF (${why}): applications bypass Envoy unless they use it explicitly`);
    deps.status.set('capture', 'off', why);
    return { active: false, watchEnvoy: () => undefined, settled: Promise.resolve() };
  }
  if (!isRoot) {
    log.error('TRAFFIC CAPTURE IS OFF: vmlet is not running as root, so it cannot install iptables rules [VMLET_CAPTURE_NOT_ROOT]; run vmlet as root or set capture.enabled=false to silence this');
    deps.status.set('capture', 'degraded', 'off: not root [VMLET_CAPTURE_NOT_ROOT]');
    return { active: false, watchEnvoy: () => undefined, settled: Promise.resolve() };
  }
  return undefined;
}
