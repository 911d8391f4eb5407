// Benchmark (not a test): time from `vmlet run` start (spawn of the shipped bundle) to "identity
// ready" (the identity log line), on loopback against the in-repo istiod simulator.
// Cold = a CSR round trip (RSA-2048 and ECDSA P-256); warm = a valid stored certificate.
// Targets: warm <= 300 ms, cold ECDSA <= 600 ms.
//
//   npm run build && node bench/identity.mjs [--runs 5]
//
// Prints the median and the min..max per case; also the time of a bare `node -e 0` start for
// comparison (node's own start-up is part of every number).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { tsImport } from 'tsx/esm/api';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Math.max(1, Math.min(50, Number(values.runs)));
const { startSimulator } = await tsImport('../test/sim/index.ts', import.meta.url);
const bundle = join(root, 'dist/vmlet.cjs');
const tmp = mkdtempSync(join(tmpdir(), 'vmlet-bench-identity-'));

function once(stateDir, istioDir, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [bundle, 'run', '--istio-dir', istioDir, '--config', join(root, 'test/helpers/empty-config.yaml'), '--log-format', 'json'], {
      env: { PATH: process.env.PATH, VMLET_STATE_DIR: stateDir, VMLET_RUN_DIR: join(stateDir, 'run'), VMLET_STATUS_PORT: '0', VMLET_ENVOY_ENABLED: 'false', VMLET_XDS_ENABLED: 'false', VMLET_CAPTURE_ENABLED: 'false', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('no identity within 15 s')); }, 15_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      let l;
      try { l = JSON.parse(line); } catch { return; }
      if (l.component === 'identity' && typeof l.how === 'string') {
        const ms = performance.now() - t0;
        clearTimeout(timer);
        child.once('exit', () => resolve({ ms, how: l.how }));
        child.kill('SIGTERM');
      }
    });
  });
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)].toFixed(0)} ms (min ${s[0].toFixed(0)}, max ${s.at(-1).toFixed(0)}, n=${s.length})`;
};

const sim = await startSimulator();
try {
  const istioDir = join(tmp, 'istio');
  await sim.writeVmDir(istioDir, { ns: 'bar', sa: 'vm-sa', expSeconds: 3600 });
  const nodeStart = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    nodeStart.push(performance.now() - t);
  }
  console.log(`node -e 0 (baseline)        ${stats(nodeStart)}`);
  for (const [label, env] of [['cold RSA-2048', {}], ['cold ECDSA P-256', { ECC_SIGNATURE_ALGORITHM: 'ECDSA' }]]) {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const r = await once(join(tmp, `state-${label.replace(/\W/g, '')}-${i}`), istioDir, env);
      if (r.how !== 'issued') throw new Error(`expected a CSR round trip, got ${r.how}`);
      times.push(r.ms);
    }
    console.log(`${label.padEnd(28)}${stats(times)}`);
  }
  const warmDir = join(tmp, 'state-warm');
  await once(warmDir, istioDir, { ECC_SIGNATURE_ALGORITHM: 'ECDSA' });
  const warm = [];
  for (let i = 0; i < runs; i++) {
    const r = await once(warmDir, istioDir, {});
    if (r.how !== 'loaded') throw new Error(`expected the stored certificate, got ${r.how}`);
    warm.push(r.ms);
  }
  console.log(`${'warm (stored certificate)'.padEnd(28)}${stats(warm)}`);
  console.log(`CA calls made: ${sim.calls.length}`);
} finally {
  await sim.stop();
  rmSync(tmp, { recursive: true, force: true });
}
