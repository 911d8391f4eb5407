// A stand-in vmlet for the orphan test: runs the sidecar with the fake Envoy in the directory and
// on the ports given in $VMLET_TEST_SHARED, prints `ENVOY_PID <pid>` once Envoy runs and its PID
// file is written and it is ready, then waits to be killed. The test SIGKILLs it, which leaves its Envoy behind.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../helpers/wait-for.js';
import { sidecarHarness, type SharedSetup } from './sidecar-harness.js';

const shared = JSON.parse(process.env.VMLET_TEST_SHARED as string) as SharedSetup;
const h = await sidecarHarness({ shared });
h.start();
const pid = await waitFor(() => h.sidecar.process.pid, { timeoutMs: 10_000, what: 'envoy pid' });
// The PID file is written after the spawn: announce only once it is there, or a SIGKILL that comes
// first (a loaded machine) leaves nothing for the next vmlet to find.
const pidFile = join(shared.dir, 'run', 'envoy.pid');
await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() === String(pid), { timeoutMs: 10_000, what: 'envoy.pid written' });
// And only once that Envoy is ready (its admin API answers): by then it has its SIGTERM handler,
// so the next vmlet's SIGTERM is recorded; before it, a SIGTERM ends the FAKE Envoy unrecorded.
await waitFor(() => h.sidecar.readiness.ready(), { timeoutMs: 30_000, what: 'envoy ready' });
process.stdout.write(`ENVOY_PID ${pid}\n`);
setInterval(() => undefined, 60_000);
