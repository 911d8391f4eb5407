// Benchmark (not a test, not in CI): the soak. One `vmlet run` (the built bundle) in steady state
// for --minutes against the in-repo istiod SIMULATOR (a test double, test/sim: CA + ADS +
// WorkloadEntry registry, cheaper than the real istiod and free of other helpers' load), with the
// FAKE Envoy (not Envoy) speaking SDS and ADS through vmlet, certificate rotations every minute
// (identity.certTtl=2m, renewed at half-life) and health flapping (the probed app's /ready toggles
// between 200 and 503 every --flap-seconds). Samples vmlet's RSS (/proc), V8 heap in use (the
// status server's nodejs_heap_used_bytes) and open fds (/proc/<pid>/fd) every --sample-seconds and
// prints each one's least-squares slope per hour over the samples after --warmup-minutes.
//
//   npm run build && node bench/soak.mjs [--minutes 60] [--sample-seconds 10] [--flap-seconds 15]
//                                        [--warmup-minutes 5] [--cert-ttl 2m] [--out samples.json]
//                                        [--node PATH] [--heap-snapshots DIR] [--env K=V ...] [--launcher-flags]
//
// vmlet runs as the packages run it (their pinned Node runtime with the launcher's flags) unless
// --node names another runtime (run without flags; with --launcher-flags, with the launcher's). --heap-snapshots DIR: V8 heap snapshots of
// vmlet (--heapsnapshot-signal) at the end of the warm-up and at the end, written to DIR, to diff
// when a slope shows a leak. --env K=V (repeatable) adds to vmlet's environment, e.g. an allocator
// setting (MALLOC_ARENA_MAX=2) whose effect on the slope is to be measured.
//
// Target: RSS slope ≤ 1 MB/hour. Exit code 0 when the run completed (whatever the slopes), 1 when
// vmlet died or rotations/flaps did not happen (the run measured nothing).
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { tsImport } from 'tsx/esm/api';
import { fetchRuntime } from '../packaging/fetch-runtime.mjs';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: {
  minutes: { type: 'string', default: '60' }, 'sample-seconds': { type: 'string', default: '10' },
  'flap-seconds': { type: 'string', default: '15' }, 'warmup-minutes': { type: 'string', default: '5' },
  out: { type: 'string' }, 'cert-ttl': { type: 'string', default: '2m' }, node: { type: 'string' }, 'heap-snapshots': { type: 'string' },
  env: { type: 'string', multiple: true, default: [] }, 'launcher-flags': { type: 'boolean', default: false },
} });
const MINUTES = Number(values.minutes);
const SAMPLE_MS = Number(values['sample-seconds']) * 1000;
const FLAP_MS = Number(values['flap-seconds']) * 1000;
const TTL_MS = Number(/^(\d+)([smh])$/.exec(values['cert-ttl'])?.[1] ?? NaN) * { s: 1000, m: 60_000, h: 3_600_000 }[values['cert-ttl'].slice(-1)];
const WARMUP_MS = Math.min(Number(values['warmup-minutes']) * 60_000, MINUTES * 60_000 / 4);
const EXTRA_ENV = Object.fromEntries(values.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
if (!(MINUTES > 0 && values.env.every((kv) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(kv)) && SAMPLE_MS >= 1000 && FLAP_MS >= 2000 && TTL_MS >= 60_000)) {
  console.error('usage: node bench/soak.mjs [--minutes N>0] [--sample-seconds N>=1] [--flap-seconds N>=2] [--warmup-minutes N] [--cert-ttl 2m (>= 1m; N s|m|h)] [--out FILE] [--node PATH] [--heap-snapshots DIR] [--env K=V ...]');
  process.exit(2);
}

// The runtime and flags of the packages (packaging/common/vmlet-launcher.sh), as bench/fleet.mjs.
const NODE = values.node ?? fetchRuntime(arch() === 'arm64' ? 'arm64' : 'x64').node;
const LAUNCHER_ARGS = (/exec \/usr\/lib\/vmlet\/node ((?:--\S+ )*)\/usr\/lib\/vmlet\/vmlet\.cjs/
  .exec(readFileSync(join(root, 'packaging', 'common', 'vmlet-launcher.sh'), 'utf8'))?.[1] ?? '').split(' ').filter(Boolean);
const NODE_ARGS = values.node && !values['launcher-flags'] ? [] : LAUNCHER_ARGS;
const SNAPSHOTS = values['heap-snapshots'];
if (SNAPSHOTS) { mkdirSync(SNAPSHOTS, { recursive: true }); NODE_ARGS.push('--heapsnapshot-signal=SIGUSR2'); }

const { startSimulator } = await tsImport('../test/sim/index.ts', import.meta.url);
const { createSimAds } = await tsImport('../test/sim/ads.ts', import.meta.url);

const BUNDLE = join(root, 'dist', 'vmlet.cjs');
const FAKE_ENVOY = join(root, 'test', 'fakes', 'fake-envoy.mjs');
const EMPTY_CONFIG = join(root, 'test', 'helpers', 'empty-config.yaml');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () => new Promise((resolve, reject) => {
  const s = createNetServer().once('error', reject).listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

/** Least squares slope of y over x (x in hours): units of y per hour. */
function slopePerHour(points) {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((a, p) => a + p.h, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) { sxy += (p.h - mx) * (p.y - my); sxx += (p.h - mx) ** 2; }
  return sxx === 0 ? NaN : sxy / sxx;
}

const tmp = mkdtempSync(join(tmpdir(), 'vmlet-bench-soak-'));
const ads = createSimAds({ graceMs: 1000 });
const sim = await startSimulator({ services: [ads.service] });
ads.bind(sim);
ads.registry.addGroup({ name: 'soak-app', namespace: 'soak', uid: 'soak-uid', template: { labels: { app: 'soak-app' }, serviceAccount: 'soak-sa' } });

let ready = true;
const app = createServer((_q, s) => { s.statusCode = ready ? 200 : 503; s.end(ready ? 'ok' : 'not ready'); });
const appPort = await freePort();
await new Promise((r) => app.listen(appPort, '127.0.0.1', r));
const dir = join(tmp, 'istio');
await sim.writeVmDir(dir, { ns: 'soak', sa: 'soak-sa', clusterEnv: { ISTIO_META_AUTO_REGISTER_GROUP: 'soak-app', ISTIO_SVC_IP: '127.0.0.1', ISTIO_SERVICE: 'soak-app.soak' } });
writeFileSync(join(dir, 'mesh.yaml'), `${readFileSync(join(dir, 'mesh.yaml'), 'utf8')}  readinessProbe:\n    httpGet:\n      path: /ready\n      port: ${appPort}\n    periodSeconds: 1\n`);
const [statusPort, adminPort] = [await freePort(), await freePort()];

const child = spawn(NODE, [...NODE_ARGS, BUNDLE, 'run', '--istio-dir', dir, '--config', EMPTY_CONFIG, '--log-format', 'json',
  '--set', `general.statusPort=${statusPort}`, '--set', `envoy.adminPort=${adminPort}`, '--set', 'envoy.runAsUser=',
  '--set', `envoy.binaryPath=${FAKE_ENVOY}`, '--set', `envoy.configDir=${join(tmp, 'envoy')}`,
  '--set', `sds.socketPath=${join(tmp, 'sds', 'socket')}`, '--set', `xds.socketPath=${join(tmp, 'proxy', 'XDS')}`,
  '--set', 'health.propagationDelay=0s', '--set', `identity.certTtl=${values['cert-ttl']}`, '--set', 'general.logLevel=warn'], {
  env: {
    PATH: process.env.PATH ?? '/usr/bin:/bin', VMLET_STATE_DIR: join(tmp, 'state'), VMLET_RUN_DIR: join(tmp, 'run'),
    VMLET_CAPTURE_ENABLED: 'false', VMLET_DNS_MODE: 'off', FAKE_ENVOY_XDS: '1', FAKE_ENVOY_SDS: '1', ...EXTRA_ENV,
  },
  stdio: ['ignore', 'ignore', 'pipe'],
  ...(SNAPSHOTS ? { cwd: SNAPSHOTS } : {}),
});
let stderr = '';
child.stderr.setEncoding('utf8').on('data', (d) => { stderr = (stderr + d).slice(-4000); });
const exited = new Promise((r) => child.once('exit', (c, s) => r(c ?? s)));

let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(t);
  }
  await ads.stop().catch(() => undefined);
  await sim.stop().catch(() => undefined);
  await new Promise((r) => app.close(r));
  rmSync(tmp, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => { console.error(`\n${sig}: stopping`); void cleanup().then(() => process.exit(130)); });

const entry = () => ads.registry.list().find((e) => e.name === 'soak-app-127.0.0.1');
const healthOf = () => entry()?.status.conditions.find((c) => c.type === 'Healthy')?.status;

async function metrics() {
  try {
    const body = await (await fetch(`http://127.0.0.1:${statusPort}/metrics`, { signal: AbortSignal.timeout(3000) })).text();
    const get = (name) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(body)?.[1] ?? NaN);
    return { heap: get('nodejs_heap_used_bytes'), rssMetric: get('process_resident_memory_bytes'), fdsMetric: get('process_open_fds') };
  } catch {
    return { heap: NaN, rssMetric: NaN, fdsMetric: NaN };
  }
}
function procSample(pid) {
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return { rss: rssKb * 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

let failed = false;
try {
  const t0 = Date.now();
  for (let i = 0; i < 600 && healthOf() !== 'True'; i++) {
    if (child.exitCode !== null) throw new Error(`vmlet exited ${child.exitCode}: ${stderr}`);
    await sleep(100);
  }
  if (healthOf() !== 'True') throw new Error(`no Healthy WorkloadEntry within 60 s; vmlet stderr: ${stderr}`);
  console.log(`vmlet (pid ${child.pid}) registered and Healthy after ${Date.now() - t0} ms; soaking ${MINUTES} min: certTtl ${values['cert-ttl']} (a rotation every ${TTL_MS / 120_000} min), readiness toggled every ${FLAP_MS / 1000} s, a sample every ${SAMPLE_MS / 1000} s`);

  const start = Date.now();
  const end = start + MINUTES * 60_000;
  const caCalls0 = sim.calls.length;
  const samples = [];
  let flaps = 0;
  let transitions = 0;
  let lastHealth = healthOf();
  const flapTimer = setInterval(() => { ready = !ready; flaps++; }, FLAP_MS);
  const watchTimer = setInterval(() => { const h = healthOf(); if (h !== lastHealth) { transitions++; lastHealth = h; } }, 200);
  let nextReport = start + 5 * 60_000;
  let snapped = false;
  try {
    for (let i = 0; Date.now() < end && i < 1_000_000; i++) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`vmlet exited (${child.exitCode ?? child.signalCode}) during the soak: ${stderr}`);
      const p = procSample(child.pid);
      const m = await metrics();
      samples.push({ t: Date.now() - start, ...p, ...m });
      if (SNAPSHOTS && !snapped && Date.now() - start >= WARMUP_MS) { snapped = true; child.kill('SIGUSR2'); }
      if (Date.now() >= nextReport) {
        nextReport += 5 * 60_000;
        const s = fit(samples);
        console.log(`  ${((Date.now() - start) / 60_000).toFixed(0).padStart(3)} min: RSS ${(p.rss / 2 ** 20).toFixed(1)} MB, heap ${(m.heap / 2 ** 20).toFixed(1)} MB, fds ${p.fds}; CA calls ${sim.calls.length - caCalls0}, health transitions ${transitions}; slope so far RSS ${s.rss.toFixed(2)} MB/h, heap ${s.heap.toFixed(2)} MB/h, fds ${s.fds.toFixed(2)}/h`);
      }
      await sleep(Math.min(SAMPLE_MS, Math.max(0, end - Date.now())));
    }
  } finally {
    clearInterval(flapTimer);
    clearInterval(watchTimer);
  }
  if (SNAPSHOTS) { child.kill('SIGUSR2'); await sleep(5000); console.log(`heap snapshots: ${readdirSync(SNAPSHOTS).filter((f) => f.endsWith('.heapsnapshot')).join(', ')} in ${SNAPSHOTS}`); }
  const rotations = sim.calls.length - caCalls0;
  const s = fit(samples);
  const first = samples.find((x) => x.t >= WARMUP_MS) ?? samples[0];
  const last = samples.at(-1);
  console.log(`\nsoak: ${MINUTES} min against the istiod simulator (test double), FAKE Envoy; vmlet on ${NODE} ${NODE_ARGS.join(' ')}${values.env.length ? ` with ${values.env.join(' ')}` : ''}; ${samples.length} samples, slopes fitted after ${WARMUP_MS / 60_000} min of warm-up`);
  console.log(`certificate rotations (CA calls): ${rotations}; readiness toggles: ${flaps}; Healthy transitions seen on the WorkloadEntry: ${transitions}`);
  console.log('| metric | after warm-up | at end | slope per hour |\n|---|---:|---:|---:|');
  console.log(`| RSS (MB) | ${(first.rss / 2 ** 20).toFixed(1)} | ${(last.rss / 2 ** 20).toFixed(1)} | ${s.rss.toFixed(3)} MB/h |`);
  console.log(`| V8 heap used (MB) | ${(first.heap / 2 ** 20).toFixed(1)} | ${(last.heap / 2 ** 20).toFixed(1)} | ${s.heap.toFixed(3)} MB/h |`);
  console.log(`| open fds | ${first.fds} | ${last.fds} | ${s.fds.toFixed(3)} /h |`);
  // A leak keeps its slope; warm-up (JIT code, allocator arenas) flattens: the two halves tell them apart.
  const mid = (WARMUP_MS + (last.t - WARMUP_MS) / 2);
  const h1 = fit(samples.filter((x) => x.t < mid), 0);
  const h2 = fit(samples.filter((x) => x.t >= mid), mid);
  console.log(`slopes per hour, first / second half after the warm-up: RSS ${h1.rss.toFixed(2)} / ${h2.rss.toFixed(2)} MB/h, heap ${h1.heap.toFixed(2)} / ${h2.heap.toFixed(2)} MB/h, fds ${h1.fds.toFixed(2)} / ${h2.fds.toFixed(2)} /h`);
  console.log(`target RSS slope ≤ 1 MB/h: ${s.rss <= 1 ? 'met' : 'MISSED'} (whole window), ${h2.rss <= 1 ? 'met' : 'MISSED'} (second half)`);
  if (values.out) writeFileSync(values.out, JSON.stringify({ minutes: MINUTES, rotations, flaps, transitions, slopes: s, halves: [h1, h2], samples }, null, 1));
  if (rotations < 0.8 * (MINUTES * 60_000) / (TTL_MS / 2) || transitions < 2) {
    console.error(`the soak did not exercise what it should (rotations ${rotations}, Healthy transitions ${transitions})`);
    failed = true;
  }
} catch (err) {
  console.error(String(err?.stack ?? err));
  failed = true;
} finally {
  await cleanup();
}
process.exit(failed ? 1 : 0);

function fit(samples, from = WARMUP_MS) {
  const after = samples.filter((x) => x.t >= from);
  const use = after.length >= 3 ? after : samples;
  const pts = (key, scale) => use.filter((x) => Number.isFinite(x[key])).map((x) => ({ h: x.t / 3_600_000, y: x[key] / scale }));
  return { rss: slopePerHour(pts('rss', 2 ** 20)), heap: slopePerHour(pts('heap', 2 ** 20)), fds: slopePerHour(pts('fds', 1)) };
}
