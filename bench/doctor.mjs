// Benchmark (not a test): wall time of `vmlet doctor` from the bundle on a healthy "VM": the
// in-repo istiod simulator (a TEST DOUBLE, CA and ADS with the WorkloadGroup present) on
// loopback, its istioctl-shaped directory, no agent running. Target: < 2 s.
//
//   npm run build && node bench/doctor.mjs [--runs N]
//
// Wall time is measured around the whole child process (node start-up included); the report's
// own durationMs and the slowest check are printed beside it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { tsImport } from 'tsx/esm/api';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Math.max(1, Math.min(50, Number(values.runs)));
const { startSimulator } = await tsImport('../test/sim/index.ts', import.meta.url);
const { createSimAds } = await tsImport('../test/sim/ads.ts', import.meta.url);

const tmp = mkdtempSync(join(tmpdir(), 'vmlet-bench-doctor-'));
const ads = createSimAds({ graceMs: 1000 });
const sim = await startSimulator({ services: [ads.service] });
ads.bind(sim);
ads.registry.addGroup({ name: 'vm-app', namespace: 'bar', uid: 'bench-uid', template: {} });
const istioDir = join(tmp, 'istio');
await sim.writeVmDir(istioDir, { ns: 'bar', sa: 'vm-sa', clusterEnv: { ISTIO_META_AUTO_REGISTER_GROUP: 'vm-app', ISTIO_SVC_IP: '127.0.0.1' } });
const args = [join(root, 'bin/vmlet.cjs'), 'doctor', '--json', '--istio-dir', istioDir, '--config', join(root, 'test/helpers/empty-config.yaml'),
  '--set', `general.stateDir=${join(tmp, 'state')}`, '--set', 'envoy.runAsUser=', '--set', 'capture.enabled=false',
  // No Envoy build exists here: the FAKE Envoy answers --version as Envoy does.
  '--set', `envoy.binaryPath=${join(root, 'test/fakes/fake-envoy.mjs')}`];

/** Runs doctor asynchronously: the simulator answers from this process meanwhile. */
function runDoctor() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.on('exit', (code) => resolve({ code, stdout }));
  });
}

const times = [];
let last;
try {
  for (let i = 0; i < runs + 1; i += 1) {
    const start = process.hrtime.bigint();
    const r = await runDoctor();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    last = JSON.parse(r.stdout);
    if (i > 0) times.push(ms); // the first run warms the page cache and is not counted
  }
} finally {
  await ads.stop();
  await sim.stop();
  rmSync(tmp, { recursive: true, force: true });
}

times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
const slowest = [...last.checks].sort((a, b) => b.durationMs - a.durationMs)[0];
console.log(`vmlet doctor (bundle, simulator on loopback, no agent): median ${median.toFixed(0)} ms wall, max ${times.at(-1).toFixed(0)} ms over ${runs} runs`);
console.log(`report durationMs ${last.durationMs}; summary ${JSON.stringify(last.summary)}; slowest check ${slowest.id} ${slowest.durationMs} ms`);
for (const c of last.checks.filter((c) => c.status !== 'pass')) console.log(`  ${c.status} ${c.id}: ${c.saw}`);
