/** A DoctorContext for tests: the loader's result for an Istio directory, and injectable host paths. */
import { validateInputs } from '../../src/cli/validate.js';
import { DEFAULT_TIMEOUTS, type DoctorContext } from '../../src/doctor/index.js';

export async function doctorContext(istioDir: string | undefined, flags: Record<string, string>, over: Partial<DoctorContext> = {}): Promise<DoctorContext> {
  const { result, problems } = await validateInputs({ ...(istioDir ? { istioDir } : {}), configPath: '/dev/null', env: {}, flags: { 'envoy.runAsUser': '', ...flags } });
  return { load: result, problems, now: () => Date.now(), uid: 0, timeouts: DEFAULT_TIMEOUTS, procRoot: '/proc', etcHosts: '/etc/hosts', unit: 'vmlet-test-no-such.service', ...over };
}
