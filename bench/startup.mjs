// Benchmark (not a test): where `vmlet run`'s start-up goes, from process start to the first
// certificate on disk, on a given Node binary, against the in-repo istiod simulator (a test double)
// with the FAKE Envoy (not Envoy) and xDS on, as bench/compare runs it against the real istiod.
// The timeline comes from bench/startup-trace.cjs (a preload; vmlet's code is unchanged).
//
//   npm run build && node bench/startup.mjs [--node PATH] [--runs 5] [--key RSA|ECDSA]
//                                           [--compile-cache] [--idle-seconds 0] [--timeline]
//                                           [--node-arg=--optimize-for-size ...]
//
// --node: the runtime that runs vmlet (e.g. the packaged one, ~/.cache/vmlet-runtime/.../bin/node);
// --node-arg: a flag for it (repeat; the packaged launcher's are in packaging/common/vmlet-launcher.sh);
// --compile-cache: NODE_COMPILE_CACHE in a directory of its own, filled by one untimed run first
// (what the packaged launcher does with /var/cache/vmlet); --idle-seconds: afterwards, one run is
// kept idle that long and every callback Node runs is counted by where it was created (what wakes
// the idle agent); --timeline: the median run's records in time order. Prints the medians per
// phase and the modules by time and by RSS.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { tsImport } from 'tsx/esm/api';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: {
  node: { type: 'string', default: process.execPath }, runs: { type: 'string', default: '5' },
  key: { type: 'string', default: 'RSA' }, 'compile-cache': { type: 'boolean', default: false },
  'idle-seconds': { type: 'string', default: '0' }, timeline: { type: 'boolean', default: false },
  'node-arg': { type: 'string', multiple: true, default: [] },
} });
const runs = Math.max(1, Math.min(30, Number(values.runs)));
const tmp = mkdtempSync(join(tmpdir(), 'vmlet-bench-startup-'));
const median = (xs) => { const s = xs.filter(Number.isFinite).sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const ms = (x) => (Number.isFinite(x) ? x.toFixed(1).padStart(7) : '      -');
const started = new Set();

const { startSimulator } = await tsImport('../test/sim/index.ts', import.meta.url);
const { createSimAds } = await tsImport('../test/sim/ads.ts', import.meta.url);
const { sampleXdsConfig } = await tsImport('../test/sim/xds-config.ts', import.meta.url);
const { freePort } = await tsImport('../test/helpers/free-port.ts', import.meta.url);

/** Labels a chunk by the npm packages (or src/ folders) most of its sources come from (its .map). */
function labelOf(file) {
  if (!existsSync(`${file}.map`)) return basename(file);
  const sources = JSON.parse(readFileSync(`${file}.map`, 'utf8')).sources ?? [];
  const counts = new Map();
  for (const s of sources) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(s) ?? /src\/([^/]+)/.exec(s);
    const k = m ? m[1] : 'other';
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return `${basename(file)} [${[...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k]) => k).join(', ')}]`;
}

async function once(i, sim, cacheDir, idleMs) {
  const dir = join(tmp, `run-${i}`);
  const istio = join(dir, 'istio');
  await sim.writeVmDir(istio, { ns: 'bar', sa: 'vm-sa', clusterEnv: { ISTIO_META_AUTO_REGISTER_GROUP: 'vm-app', ISTIO_SVC_IP: '127.0.0.1', ISTIO_SERVICE: 'vm-app.bar' } });
  const trace = join(dir, 'trace.jsonl');
  const cert = join(dir, 'state', 'identity', 'cert-chain.pem');
  // A real port: with envoy.adminPort=0 the FAKE Envoy listens on one vmlet cannot know, so vmlet
  // would never see Envoy ready and would poll its admin API for the whole idle window.
  const adminPort = await freePort();
  const t0 = Date.now();
  const child = spawn(values.node, [...values['node-arg'], '--require', join(root, 'bench/startup-trace.cjs'), join(root, 'dist/vmlet.cjs'), 'run', '--istio-dir', istio,
    '--config', join(root, 'test/helpers/empty-config.yaml'), '--log-level', 'warn',
    '--set', 'general.statusPort=0', '--set', `envoy.adminPort=${adminPort}`, '--set', 'envoy.runAsUser=',
    '--set', `envoy.binaryPath=${join(root, 'test/fakes/fake-envoy.mjs')}`, '--set', `envoy.configDir=${join(dir, 'envoy')}`,
    '--set', `sds.socketPath=${join(dir, 'sds', 'socket')}`, '--set', `xds.socketPath=${join(dir, 'proxy', 'XDS')}`], {
    env: {
      PATH: process.env.PATH, VMLET_STATE_DIR: join(dir, 'state'), VMLET_RUN_DIR: join(dir, 'run'), VMLET_CAPTURE_ENABLED: 'false',
      FAKE_ENVOY_XDS: '1', FAKE_ENVOY_SDS: '1', VMLET_STARTUP_TRACE: trace,
      ...(values.key === 'ECDSA' ? { ECC_SIGNATURE_ALGORITHM: 'ECDSA' } : {}),
      ...(cacheDir ? { NODE_COMPILE_CACHE: cacheDir } : {}),
      ...(idleMs ? { VMLET_STARTUP_TRACE_IDLE: String(idleMs), VMLET_STARTUP_TRACE_CERT: cert } : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  started.add(child);
  const read = () => (existsSync(trace) ? readFileSync(trace, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
  const deadline = Date.now() + 30_000 + idleMs + 10_000;
  const done = () => (idleMs ? read().some((r) => r.kind === 'idle') : read().some((r) => r.kind === 'cert'));
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`run ${i}: no ${idleMs ? 'idle report' : 'certificate'} in time (trace ${trace})`);
    if (child.exitCode !== null) throw new Error(`run ${i}: vmlet exited ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const wall = Date.now() - t0;
  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  return { recs: read(), wall };
}

function phases({ recs, wall }) {
  const node = recs.find((r) => r.kind === 'node');
  const cert = recs.find((r) => r.kind === 'cert');
  const mods = recs.filter((r) => r.kind === 'module' && r.start < cert.at);
  const key = recs.find((r) => r.kind === 'keygen');
  const tls = recs.find((r) => r.kind === 'tls');
  const csr = recs.find((r) => r.kind === 'h2' && /Certificate/.test(r.path ?? ''));
  return {
    'spawn -> cert on disk (wall, parent clock)': wall,
    'node boot: V8 started': node.v8Start,
    'node boot: environment ready': node.environment,
    'preload done (bench hook)': node.preload,
    'bundle modules compiled+run, sum': mods.reduce((s, m) => s + m.ms, 0),
    'first bundle module starts': mods[0]?.start,
    'bundle modules before the CSR, count': mods.filter((m) => m.start < (csr?.start ?? Infinity)).length,
    'bundle modules after the CSR, count': mods.filter((m) => m.start >= (csr?.start ?? Infinity)).length,
    'last bundle module before the certificate ends': mods.length ? Math.max(...mods.map((m) => m.start + m.ms)) : NaN,
    'key generated (end)': key?.end,
    'keygen duration (thread pool, overlaps)': key ? key.end - key.start : NaN,
    'TLS to istiod: start': tls?.start,
    'TLS handshake duration': tls ? tls.secure - tls.start : NaN,
    'CSR sent': csr?.start,
    'CSR answered (round trip)': csr ? csr.response - csr.start : NaN,
    'certificate on disk': cert.at,
    'CPU time until the certificate (user+system)': cert.cpuMs,
  };
}

// A small mesh config, so the FAKE Envoy gets clusters and listeners and turns ready, as with istiod.
const ads = createSimAds({ graceMs: 500, config: sampleXdsConfig() });
const sim2 = await startSimulator({ services: [ads.service] });
try {
  ads.bind(sim2);
  ads.registry.addGroup({ name: 'vm-app', namespace: 'bar', uid: 'u1', template: { labels: { app: 'vm-app' }, serviceAccount: 'vm-sa' } });
  const cacheDir = values['compile-cache'] ? join(tmp, 'compile-cache') : undefined;
  const version = (await new Promise((r) => { const c = spawn(values.node, ['--version']); let s = ''; c.stdout.on('data', (d) => { s += d; }); c.on('exit', () => r(s.trim())); }));
  console.log(`vmlet run start-up on node ${version} (${values.node}), key ${values.key}, compile cache ${cacheDir ? 'on (warmed by one untimed run)' : 'off'}, ${runs} runs`);
  if (cacheDir) await once('warm', sim2, cacheDir, 0);
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await once(i, sim2, cacheDir, 0));
  const table = results.map(phases);
  console.log('\n| phase (ms since process start unless a duration) | median | runs |\n|---|---:|---|');
  for (const k of Object.keys(table[0])) console.log(`| ${k} | ${ms(median(table.map((t) => t[k])))} | ${table.map((t) => (Number.isFinite(t[k]) ? t[k].toFixed(0) : '-')).join(' ')} |`);
  if (values.timeline) {
    // The median run's records in time order: what the main thread did, and what waited on what.
    const order = table.map((t, i) => [t['certificate on disk'], i]).sort((a, b) => a[0] - b[0]);
    const { recs } = results[order[Math.floor((order.length - 1) / 2)][1]];
    console.log('\nthe median run, in time order (ms since process start):');
    const at = (r) => r.start ?? r.at ?? r.environment;
    for (const r of [...recs].sort((a, b) => at(a) - at(b))) {
      const what = r.kind === 'module' ? `${labelOf(r.file)} ${r.ms.toFixed(1)} ms`
        : r.kind === 'keygen' ? `key pair ${r.alg} ${r.size} until ${r.end.toFixed(1)}`
        : r.kind === 'tls' ? `TLS handshake until ${r.secure.toFixed(1)}`
        : r.kind === 'h2' ? `HTTP/2 request ${r.path} answered at ${r.response.toFixed(1)}`
        : r.kind === 'fsync' ? `fsync ${r.ms.toFixed(1)} ms`
        : r.kind === 'cert' ? 'certificate on disk' : r.kind;
      console.log(`${ms(at(r))}  ${r.kind.padEnd(6)} ${what}`);
    }
  }
  // Per module: median time and RSS growth over the runs (RSS after - before, top-level code included).
  const byFile = new Map();
  for (const r of results) for (const m of r.recs.filter((x) => x.kind === 'module')) {
    const e = byFile.get(m.file) ?? { ms: [], rss: [], heap: [], bytes: m.bytes };
    e.ms.push(m.ms); e.rss.push((m.rssAfter - m.rssBefore) / 1024); e.heap.push((m.heapAfter - m.heapBefore) / 1024);
    byFile.set(m.file, e);
  }
  const rows = [...byFile.entries()].map(([f, e]) => ({ label: labelOf(f), kb: e.bytes / 1024, ms: median(e.ms), rss: median(e.rss), heap: median(e.heap) }));
  console.log('\n| module (largest sources) | KB | compile+run ms | RSS + KB | heap + KB |\n|---|---:|---:|---:|---:|');
  for (const r of rows.sort((a, b) => b.rss - a.rss)) console.log(`| ${r.label} | ${r.kb.toFixed(0)} | ${r.ms.toFixed(1)} | ${r.rss.toFixed(0)} | ${r.heap.toFixed(0)} |`);
  console.log(`| total | ${rows.reduce((s, r) => s + r.kb, 0).toFixed(0)} | ${rows.reduce((s, r) => s + r.ms, 0).toFixed(1)} | ${rows.reduce((s, r) => s + r.rss, 0).toFixed(0)} | ${rows.reduce((s, r) => s + r.heap, 0).toFixed(0)} |`);
  const idleS = Number(values['idle-seconds']);
  if (idleS > 0) {
    const { recs } = await once('idle', sim2, cacheDir, idleS * 1000);
    const idle = recs.find((r) => r.kind === 'idle');
    console.log(`\nwhat wakes the idle agent: ${idle.total} callbacks in ${(idle.ms / 1000).toFixed(0)} s (${(idle.total / (idle.ms / 1000)).toFixed(2)}/s), by async resource and where it was created:`);
    for (const [k, n] of idle.wakes) console.log(`  ${String(n).padStart(6)}  ${k}`);
  }
} finally {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await ads.stop();
  await sim2.stop();
  rmSync(tmp, { recursive: true, force: true });
}
