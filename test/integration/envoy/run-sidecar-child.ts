// A stand-in vmlet for the orphan test: runs the sidecar with the fake Envoy in the directory and
// on the ports given in $VMLET_TEST_SHARED, prints `ENVOY_PID <pid>` once Envoy runs, then waits
// to be killed. The test SIGKILLs it, which leaves its Envoy behind.
import { waitFor } from '../../helpers/wait-for.js';
import { sidecarHarness } from './sidecar-harness.js';

const h = await sidecarHarness({ shared: JSON.parse(process.env.VMLET_TEST_SHARED as string) });
h.start();
const pid = await waitFor(() => h.sidecar.process.pid, { timeoutMs: 10_000, what: 'envoy pid' });
process.stdout.write(`ENVOY_PID ${pid}\n`);
setInterval(() => undefined, 60_000);
