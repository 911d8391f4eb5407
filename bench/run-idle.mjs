// Benchmark (not a test): resident memory of an idle `vmlet run` after it has been up for a while,
// as systemd would see it, next to an empty node process started in the same run.
// Target: <= 45 MB after 60 s for the minimal configuration.
//
//   npm run build && node bench/run-idle.mjs [--seconds 60] [--mode minimal|realistic|both]
//                                            [--istio-dir DIR] [--node-arg FLAG ...] [--bundle FILE]
//                                            [--env NAME=VALUE ...]
//
// minimal:   the agent's spine (config, status server, lifecycle, sdnotify) with identity, Envoy,
//            xDS, capture and the DNS proxy switched off by environment, as a VM without a
//            reachable istiod (the fixture's cluster.env asks for DNS capture: --env
//            VMLET_DNS_MODE=auto measures the spine with the DNS proxy on).
// realistic: identity, Envoy and xDS on, against the in-repo istiod simulator (a test double, in
//            this process) with the FAKE Envoy (test/fakes/fake-envoy.mjs, its own process, not
//            counted) speaking ADS and SDS through vmlet; sampling starts once the WorkloadEntry
//            is registered. Capture stays off in both (never the host's iptables).
// --node-arg passes a flag to vmlet's node (what-if runs, e.g. --node-arg=--max-semi-space-size=1);
// --bundle runs another build of vmlet.cjs (default dist/vmlet.cjs) to compare build options;
// --env sets a variable for vmlet only (what-if runs, e.g. --env MALLOC_ARENA_MAX=2).
//
// Reads VmRSS/VmHWM from /proc/<pid>/status and Pss plus where resident memory sits from
// /proc/<pid>/smaps: "code" = file-backed pages (the node binary and shared libraries: clean, shared
// with every node process, evictable), "heap" = anonymous pages (V8's heap, malloc, stacks).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const freePort = () => new Promise((resolve) => { const srv = createServer().listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); }); });
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    mode: { type: 'string', default: 'both' },
    'istio-dir': { type: 'string' },
    'node-arg': { type: 'string', multiple: true, default: [] },
    bundle: { type: 'string' },
    env: { type: 'string', multiple: true, default: [] },
  },
});
const seconds = Math.max(5, Math.min(600, Number(values.seconds)));
const modes = values.mode === 'both' ? ['minimal', 'realistic'] : [values.mode];
if (!modes.every((m) => m === 'minimal' || m === 'realistic')) throw new Error(`--mode ${values.mode}: minimal, realistic or both`);
const tmp = mkdtempSync(join(tmpdir(), 'vmlet-bench-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mb = (kb) => (kb / 1024).toFixed(1);
const BUNDLE = values.bundle ?? join(root, 'dist/vmlet.cjs');
const VMLET_ENV = Object.fromEntries(values.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const EMPTY_CONFIG = join(root, 'test/helpers/empty-config.yaml');

/** Resident memory of a process in kB, split by kind, and its CPU time so far. */
function memKb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const get = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  // PSS: resident memory with shared pages (the node binary, libc) divided among the processes
  // that map them, i.e. what this process really costs on a machine that runs other node programs.
  const pss = Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN);
  // utime + stime (fields 14 and 15 of /proc/<pid>/stat), in clock ticks (100 per second).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const cpuMs = (Number(stat[11]) + Number(stat[12])) * 10;
  return { rss: get('VmRSS'), hwm: get('VmHWM'), code: get('RssFile'), heap: get('RssAnon'), pss, cpuMs };
}

/** Samples `child` at 1, 10, 30 s and `seconds` after `t0`; SIGTERM at the end. */
async function sample(child, label, t0) {
  const samples = [];
  try {
    for (const s of [1, 10, 30, seconds].filter((s, i, a) => s <= seconds && a.indexOf(s) === i)) {
      await sleep(Math.max(0, t0 + s * 1000 - Date.now()));
      if (child.exitCode !== null) throw new Error(`${label} exited early with ${child.exitCode}`);
      samples.push({ s, ...memKb(child.pid) });
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  }
  return samples;
}

/** Every process this bench started, so a failing run leaves none behind (killed by PID in the end). */
const started = new Set();
function spawnIdle(args, env = {}) {
  // Only PATH and what vmlet needs: the same environment for vmlet and the baseline.
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH, VMLET_STATE_DIR: join(tmp, 'state'), VMLET_RUN_DIR: join(tmp, 'run'), VMLET_CAPTURE_ENABLED: 'false', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  started.add(child);
  return child;
}

const baseline = () => {
  const child = spawnIdle(['-e', 'setInterval(() => {}, 1000)']);
  return sample(child, 'node baseline', Date.now());
};

async function minimal() {
  const istioDir = values['istio-dir'] ?? join(root, 'test/fixtures/istio-vm');
  const child = spawnIdle([...values['node-arg'], BUNDLE, 'run', '--istio-dir', istioDir, '--config', EMPTY_CONFIG, '--set', 'general.statusPort=0', '--log-level', 'warn'],
    { VMLET_IDENTITY_ENABLED: 'false', VMLET_ENVOY_ENABLED: 'false', VMLET_XDS_ENABLED: 'false', VMLET_DNS_MODE: 'off', ...VMLET_ENV });
  return { what: `identity, Envoy, xDS, capture, DNS off${VMLET_ENV.VMLET_DNS_MODE ? ` (DNS mode ${VMLET_ENV.VMLET_DNS_MODE})` : ''}; --istio-dir ${istioDir}`, samples: await sample(child, 'vmlet run (minimal)', Date.now()) };
}

async function realistic() {
  const { tsImport } = await import('tsx/esm/api');
  const { startSimulator } = await tsImport('../test/sim/index.ts', import.meta.url);
  const { createSimAds } = await tsImport('../test/sim/ads.ts', import.meta.url);
  const ads = createSimAds({ graceMs: 500 });
  const sim = await startSimulator({ services: [ads.service] });
  try {
    ads.bind(sim);
    ads.registry.addGroup({ name: 'vm-app', namespace: 'bar', uid: 'u1', template: { labels: { app: 'vm-app' }, serviceAccount: 'vm-sa' } });
    const dir = join(tmp, 'istio');
    await sim.writeVmDir(dir, { ns: 'bar', sa: 'vm-sa', clusterEnv: { ISTIO_META_AUTO_REGISTER_GROUP: 'vm-app', ISTIO_SVC_IP: '127.0.0.1', ISTIO_SERVICE: 'vm-app.bar' } });
    // A readiness probe vmlet runs every second (against a port nothing listens on: the probe
    // result does not matter, the work does).
    writeFileSync(join(dir, 'mesh.yaml'), `${readFileSync(join(dir, 'mesh.yaml'), 'utf8')}  readinessProbe:\n    tcpSocket:\n      port: 9\n    periodSeconds: 1\n`);
    const t0 = Date.now();
    const child = spawnIdle([...values['node-arg'], BUNDLE, 'run', '--istio-dir', dir, '--config', EMPTY_CONFIG, '--log-level', 'warn',
      '--set', 'general.statusPort=0', '--set', `envoy.adminPort=${await freePort()}`, '--set', 'envoy.runAsUser=',
      '--set', `envoy.binaryPath=${join(root, 'test/fakes/fake-envoy.mjs')}`, '--set', `envoy.configDir=${join(tmp, 'envoy')}`,
      '--set', `sds.socketPath=${join(tmp, 'sds', 'socket')}`, '--set', `xds.socketPath=${join(tmp, 'proxy', 'XDS')}`, '--set', 'identity.keyAlgorithm=ECDSA'],
    { VMLET_IDENTITY_ENABLED: 'true', VMLET_ENVOY_ENABLED: 'true', VMLET_XDS_ENABLED: 'true', FAKE_ENVOY_XDS: '1', FAKE_ENVOY_SDS: '1', ...VMLET_ENV });
    for (let i = 0; i < 300 && !ads.registry.list().some((e) => e.name === 'vm-app-127.0.0.1'); i += 1) {
      if (child.exitCode !== null) throw new Error(`vmlet run (realistic) exited with ${child.exitCode} before registering`);
      await sleep(100);
    }
    const registeredMs = Date.now() - t0;
    if (!ads.registry.list().some((e) => e.name === 'vm-app-127.0.0.1')) {
      child.kill('SIGTERM');
      throw new Error('vmlet run (realistic): no WorkloadEntry within 30 s');
    }
    return { what: `identity (ECDSA), Envoy (fake), xDS to the simulator, a tcp probe each second; registered after ${registeredMs} ms`, samples: await sample(child, 'vmlet run (realistic)', Date.now()) };
  } finally {
    await ads.stop();
    await sim.stop();
  }
}

function report(mode, run, base) {
  const out = [`vmlet run idle, ${mode}: ${run.what}`];
  for (const [i, v] of run.samples.entries()) {
    out.push(`  after ${String(v.s).padStart(3)} s: RSS ${mb(v.rss)} MB (code ${mb(v.code)}, heap ${mb(v.heap)}; peak ${mb(v.hwm)}, PSS ${mb(v.pss)})   node baseline: RSS ${mb(base[i].rss)} MB (code ${mb(base[i].code)}, heap ${mb(base[i].heap)})`);
  }
  const [first, last, b] = [run.samples[0], run.samples.at(-1), base.at(-1)];
  out.push(`  CPU while idle (${first.s} s -> ${last.s} s): ${last.cpuMs - first.cpuMs} ms (node baseline ${b.cpuMs - base[0].cpuMs} ms)`);
  out.push(`  after ${last.s} s: RSS ${mb(last.rss)} MB = ${(last.rss / b.rss).toFixed(2)} x node baseline (${mb(b.rss)} MB), +${mb(last.rss - b.rss)} MB`
    + (mode === 'minimal' ? `; target <= 45 MB: ${last.rss / 1024 <= 45 ? 'met' : 'NOT met'}` : ''));
  return out.join('\n');
}

try {
  process.stdout.write(`node ${process.version}, ${process.platform}/${process.arch}; ${BUNDLE}; vmlet node args: ${values['node-arg'].join(' ') || '(none)'}; vmlet env: ${values.env.join(' ') || '(none)'}\n`);
  // Each configuration runs at the same time as its own baseline, so both see the same machine.
  for (const mode of modes) {
    const [run, base] = await Promise.all([mode === 'minimal' ? minimal() : realistic(), baseline()]);
    process.stdout.write(`${report(mode, run, base)}\n`);
  }
} finally {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
}
