/**
 * Health's pre-flight check (registered in src/preflight): mesh.yaml's readinessProbe parses as a
 * WorkloadGroup probe. createHealth throws the same error, built here.
 */
import { VmletError } from '../errors.js';
import { error, type PreflightCheck } from '../preflight/types.js';
import { parseProbe } from './probe-spec.js';
import '../xds/errors.js';

export const probeCheck: PreflightCheck = {
  name: 'health.probe',
  run(config) {
    const parsed = parseProbe(config.istio.proxyConfig['readinessProbe']);
    if (parsed.problems.length === 0) return [];
    return [error('health.probe', probeError(parsed.problems, config.istio.meshPath))];
  },
};

export function probeError(problems: readonly string[], meshPath: string | undefined): VmletError {
  return new VmletError('VMLET_HEALTH_PROBE_INVALID', `mesh.yaml: defaultConfig.${problems.join('; ')}: fix the WorkloadGroup's probe and re-run istioctl x workload entry configure`, { details: { file: meshPath } });
}
