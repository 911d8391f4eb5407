// Benchmark (not a test, not in CI): a fleet of N vmlets against ONE real istiod + kube-apiserver
// (the e2e tier's control plane, test/e2e/real/control-plane.ts), each vmlet in a network
// namespace of its own on its own veth (cp 10.213.<i>.1 ↔ VM 10.213.<i>.2, i = 1..N, so N ≤ 250),
// each with a FAKE Envoy (test/fakes/fake-envoy.mjs; no Envoy build exists) that reconnects with
// Envoy's own jittered backoff (FAKE_ENVOY_XDS_BACKOFF=envoy), all in one WorkloadGroup whose
// httpGet probe hits one app process serving every VM's namespace (bench/fleet-app.py).
//
//   flock /tmp/vmlet-e2e.lock node bench/fleet.mjs [--vms 50] [--restart term|kill] [--key RSA|ECDSA]
//        [--idle-seconds 30] [--timeout-seconds 240] [--node PATH] [--html FILE] [--no-build] [--keep-logs]
//
// Measures, from the moment all N agents are spawned at once: when each WorkloadEntry appears and
// turns Healthy (a kubectl watch on the apiserver); per agent RSS and CPU (start-up, then over
// --idle-seconds of steady state); then istiod is stopped (SIGTERM: a rolling restart; --restart
// kill: SIGKILL, a crash) and started again under them: the reconnect storm as istiod saw it (its
// log: xDS connections authenticated, CSRs and WorkloadEntry registrations per second) and the
// time until every entry is connected to the new istiod and reported Healthy again. Prints the
// numbers and writes a self-contained HTML report (inline SVG, no external assets). Targets: all
// Healthy ≤ 60 s after the start and ≤ 60 s after istiod is back. Everything started is stopped
// and every namespace removed, also on failure and on Ctrl-C.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { arch } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { tsImport } from 'tsx/esm/api';
import { fetchRuntime } from '../packaging/fetch-runtime.mjs';
import { renderFleetReport } from './fleet-report.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const { values: opt } = parseArgs({ options: {
  vms: { type: 'string', default: '50' }, restart: { type: 'string', default: 'term' }, key: { type: 'string', default: 'RSA' },
  'idle-seconds': { type: 'string', default: '30' }, 'timeout-seconds': { type: 'string', default: '240' },
  node: { type: 'string' }, html: { type: 'string' }, 'no-build': { type: 'boolean', default: false }, 'keep-logs': { type: 'boolean', default: false },
} });
const N = Number(opt.vms);
const TIMEOUT_MS = Number(opt['timeout-seconds']) * 1000;
const IDLE_MS = Number(opt['idle-seconds']) * 1000;
if (!(Number.isInteger(N) && N >= 1 && N <= 250) || !['term', 'kill'].includes(opt.restart) || !['RSA', 'ECDSA'].includes(opt.key) || !(TIMEOUT_MS > 0) || !(IDLE_MS >= 0)) {
  console.error('usage: node bench/fleet.mjs [--vms 1..250] [--restart term|kill] [--key RSA|ECDSA] [--idle-seconds N] [--timeout-seconds N] [--node PATH] [--html FILE] [--no-build]');
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  console.error('bench/fleet.mjs needs root (network namespaces)');
  process.exit(2);
}
const HTML = opt.html ?? join(process.cwd(), `fleet-report-${N}.html`);
const NS = 'fleet';
const GROUP = 'fleet-app';
const APP_PORT = 8080;
const ARCH = arch() === 'arm64' ? 'arm64' : 'x64';
// vmlet runs as the packages run it: their pinned Node runtime with the launcher's flags.
const NODE = opt.node ?? fetchRuntime(ARCH).node;
const NODE_ARGS = opt.node ? [] : (/exec \/usr\/lib\/vmlet\/node ((?:--\S+ )*)\/usr\/lib\/vmlet\/vmlet\.cjs/
  .exec(readFileSync(join(ROOT, 'packaging', 'common', 'vmlet-launcher.sh'), 'utf8'))?.[1] ?? '').split(' ').filter(Boolean);
const TICK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs, q) => { const s = xs.filter(Number.isFinite).sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? s[0] : NaN; };
const sec = (ms) => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : '-');

const { ControlPlane } = await tsImport('../test/e2e/real/control-plane.ts', import.meta.url);
const { createWorkload, startVmlet } = await tsImport('../test/e2e/real/vm.ts', import.meta.url);

function procStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
    return { cpu: (Number(f[11]) + Number(f[12])) / TICK, rssMb: rssKb / 1024 };
  } catch {
    return { cpu: NaN, rssMb: NaN };
  }
}

/** Splits kubectl's stream of pretty-printed JSON objects into objects. */
function jsonObjects(onObject) {
  let buf = '';
  let depth = 0;
  let inStr = false;
  let esc = false;
  let start = -1;
  return (chunk) => {
    const base = buf.length;
    buf += chunk;
    for (let i = base; i < buf.length; i++) {
      const c = buf[i];
      if (inStr) { if (esc) esc = false; else if (c === '\\') esc = true; else if (c === '"') inStr = false; continue; }
      if (c === '"') inStr = true;
      else if (c === '{') { if (depth++ === 0) start = i; }
      else if (c === '}' && --depth === 0) { onObject(JSON.parse(buf.slice(start, i + 1))); buf = buf.slice(i + 1); i = -1; start = -1; }
    }
    if (depth === 0) buf = '';
  };
}

const cp = new ControlPlane(execFileSync('bash', [join(ROOT, 'test', 'e2e', 'build.sh'), 'all'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop(), 'fleet');
const agents = [];
let app;
let watch;
let stopping = false;
let cleaned;
function cleanup(failed) {
  cleaned ??= (async () => {
    stopping = true;
    watch?.kill('SIGKILL');
    // A second SIGTERM skips the drains; stragglers are SIGKILLed, and cp.stop() kills whatever is
    // left in every namespace it created by PID before deleting them.
    await Promise.all(agents.map(async (a) => { a.v.child.kill('SIGTERM'); await sleep(200); a.v.child.kill('SIGTERM'); await a.v.stop('SIGTERM', 10_000); }));
    app?.kill('SIGKILL');
    await cp.stop(failed);
  })();
  return cleaned;
}
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => { console.error(`\n${sig}: cleaning up`); void cleanup(false).then(() => process.exit(130)); });

/** Every WorkloadEntry as the apiserver last showed it, and when (this process's clock) things first happened to it. */
const entries = new Map();
const firsts = { registered: new Map(), healthy: new Map(), reconnected: new Map(), healthyAgain: new Map() };
const deletions = [];
let restartAt = Infinity;
let waiters = [];
const healthyOf = (o) => o?.status?.conditions?.find((c) => c.type === 'Healthy');
const connectedAt = (o) => Date.parse(o?.metadata?.annotations?.['istio.io/connectedAt'] ?? '') || 0;
function onWatchEvent(ev) {
  const now = Date.now();
  const o = ev.object;
  const name = o?.metadata?.name;
  if (!name) return;
  if (ev.type === 'DELETED') { entries.delete(name); deletions.push({ t: now, name }); }
  else {
    entries.set(name, o);
    if (!firsts.registered.has(name)) firsts.registered.set(name, now);
    const h = healthyOf(o);
    if (h?.status === 'True' && !firsts.healthy.has(name)) firsts.healthy.set(name, now);
    // Back after the restart: connected to the new istiod (its own connectedAt), and a health
    // report through that connection (Healthy written at or after the restart, whole seconds).
    const c = connectedAt(o);
    if (c > restartAt && !firsts.reconnected.has(name)) firsts.reconnected.set(name, { seen: now, istiod: c });
    const disconnected = o.metadata.annotations?.['istio.io/disconnectedAt'];
    if (c > restartAt && !disconnected && h?.status === 'True' && Date.parse(h.lastProbeTime ?? '') >= Math.floor(restartAt / 1000) * 1000 && !firsts.healthyAgain.has(name)) firsts.healthyAgain.set(name, now);
  }
  const w = waiters;
  waiters = [];
  for (const f of w) f();
}
/** Resolves when `cond()` holds after a watch event; rejects after `ms`, naming `what`. */
function until(cond, ms, what) {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s waiting for ${what()}`)), ms);
    const check = () => { if (cond()) { clearTimeout(deadline); resolve(Date.now()); } else waiters.push(check); };
    check();
  });
}

function startWatch() {
  const kubectl = join(cp.bin, 'kubectl');
  const w = spawn('ip', ['netns', 'exec', cp.cpNs, kubectl, `--kubeconfig=${cp.kubeconfig}`, '-n', NS, 'get', 'workloadentries', '-w', '--output-watch-events', '-o', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  w.stdout.setEncoding('utf8').on('data', jsonObjects(onWatchEvent));
  w.stderr.setEncoding('utf8').on('data', (d) => process.stderr.write(`kubectl watch: ${d}`));
  // A watch ends when the apiserver closes it; it is opened again (bounded by the run).
  w.once('exit', () => { if (!stopping) watch = startWatch(); });
  return w;
}

/** CPU seconds so far of istiod, kube-apiserver, etcd, the vmlets and their FAKE Envoys (minus `since`). */
function cpuBudget(since) {
  const children = (pid) => { try { return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number); } catch { return []; } };
  const sum = (pids) => pids.reduce((a, p) => a + (procStat(p).cpu || 0), 0);
  const b = {
    istiod: sum([cp.pids.istiod]), 'kube-apiserver': sum([cp.pids['kube-apiserver']]), etcd: sum([cp.pids.etcd]),
    vmlets: sum(agents.map((a) => a.v.child.pid)), 'FAKE Envoys': sum(agents.flatMap((a) => children(a.v.child.pid))),
  };
  // The whole machine (other users included): busy jiffies of /proc/stat's cpu line.
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  b['whole machine'] = (f.reduce((a, x) => a + x, 0) - f[3] - (f[4] ?? 0)) / TICK;
  if (since) for (const k of Object.keys(b)) b[k] -= since[k] ?? 0;
  return b;
}

/** When (s after t0) an agent's log says it started, got its certificate, opened its first xDS stream. */
function phaseTimes(logs, t0) {
  const at = (re) => { const l = logs.find((x) => typeof x.msg === 'string' && re.test(x.msg)); return l ? (Date.parse(l.time) - t0) / 1000 : NaN; };
  return { started: at(/^vmlet \S+ starting/), identity: at(/^identity (issued|loaded)/), xds: at(/^Envoy opened an xDS stream/) };
}

/** istiod's log, parsed: what it did, per kind, at its own timestamps (ms since the epoch). */
function istiodEvents() {
  const kinds = [
    // Delta xDS (vmlet's default) logs each stream once it is set up (scope delta, info); state of
    // the world logs its authentication (scope ads, debug, which the harness turns on).
    ['xds', /\tADS: new delta connection for node:|\tads\tAuthenticated XDS: /], ['closed', /\tADS: .* terminated/],
    ['csr', /generating a certificate, sans/],
    ['created', /\tauto-registered WorkloadEntry /], ['connected', /updated auto-registered WorkloadEntry \S+ as connected/],
    ['disconnected', /as disconnected/], ['cleaned', /cleaned up auto-registered WorkloadEntry/],
  ];
  const out = [];
  for (const line of cp.istiodLog().split('\n')) {
    const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\s/.exec(line);
    if (!m) continue;
    for (const [kind, re] of kinds) if (re.test(line)) out.push({ t: Date.parse(m[1]), kind });
  }
  return out;
}

const perSecond = (events, kind, from, to) => {
  const n = Math.max(1, Math.ceil((to - from) / 1000));
  const bins = new Array(n).fill(0);
  for (const e of events) if (e.kind === kind && e.t >= from && e.t < to) bins[Math.floor((e.t - from) / 1000)]++;
  return bins;
};

let failed = true;
try {
  if (!opt['no-build']) execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const tUp = Date.now();
  await cp.start();
  console.log(`control plane up in ${sec(Date.now() - tUp)} s (logs: ${cp.work}/logs)`);
  const vms = [];
  for (let i = 1; i <= N; i++) vms.push(cp.addVm(i, `f${i}`));
  const w = await createWorkload(cp, { ns: NS, sa: 'fleet-sa', group: GROUP });
  // istioctl's hosts file names istiod at the main VM's address; each VM reaches it on its own veth.
  const hosts = readFileSync(join(w.dir, 'hosts'), 'utf8');
  for (const vm of vms) {
    mkdirSync(`/etc/netns/${vm.ns}`, { recursive: true });
    writeFileSync(`/etc/netns/${vm.ns}/hosts`, `127.0.0.1 localhost\n${hosts.replaceAll('10.213.0.1', vm.cpIp)}`);
  }
  app = spawn('python3', [join(ROOT, 'bench', 'fleet-app.py'), String(APP_PORT), ...vms.map((v) => v.ns)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('bench/fleet-app.py did not listen within 20 s')), 20_000);
    createInterface({ input: app.stdout }).once('line', () => { clearTimeout(t); resolve(); });
    app.once('exit', (c) => reject(new Error(`bench/fleet-app.py exited ${c}`)));
  });
  watch = startWatch();
  await sleep(1000);

  // 1. All N at once.
  const cp0 = cpuBudget();
  const t0 = Date.now();
  for (const [k, vm] of vms.entries()) {
    const state = join(cp.work, `vm-${k + 1}`);
    mkdirSync(join(state, 'cache'), { recursive: true });
    const v = startVmlet(cp, w, {
      state, vmNs: vm.ns, node: NODE, nodeArgs: NODE_ARGS,
      extra: ['--set', `identity.keyAlgorithm=${opt.key}`],
      // A freshly installed VM: its own, cold compile cache (the launcher keeps it in the unit's
      // cache directory). The FAKE Envoy (#!/usr/bin/env node, given vmlet's environment) runs on
      // the same runtime and cache: it stands in for a native binary, so its start costs less.
      env: { FAKE_ENVOY_XDS_BACKOFF: 'envoy', FAKE_ENVOY_RECORD: '', NODE_COMPILE_CACHE: join(state, 'cache'), PATH: `${dirname(NODE)}:${process.env.PATH ?? '/usr/bin:/bin'}` },
    });
    agents.push({ v, ip: vm.ip, name: `${GROUP}-${vm.ip}`, started: Date.now() });
  }
  const spawnedMs = Date.now() - t0;
  const names = agents.map((a) => a.name);
  const dead = () => agents.filter((a) => a.v.child.exitCode !== null || a.v.child.signalCode !== null);
  const tAllReg = await until(() => names.every((n) => firsts.registered.has(n)) || dead().length > 0, TIMEOUT_MS, () => `${N - names.filter((n) => firsts.registered.has(n)).length} registrations`);
  const tAllHealthy = await until(() => names.every((n) => firsts.healthy.has(n)) || dead().length > 0, TIMEOUT_MS, () => `${N - names.filter((n) => firsts.healthy.has(n)).length} Healthy`);
  if (dead().length > 0) throw new Error(`${dead().length} vmlet(s) exited: ${dead().map((a) => `${a.ip}: ${a.v.stderr().slice(-300)}`).join('\n')}`);
  const startup = agents.map((a) => ({ ...procStat(a.v.child.pid), reg: firsts.registered.get(a.name) - t0, healthy: firsts.healthy.get(a.name) - t0 }));
  const budget = cpuBudget(cp0);
  const phases = agents.map((a) => phaseTimes(a.v.logs, t0));
  console.log(`${N} vmlets spawned in ${sec(spawnedMs)} s; all registered after ${sec(tAllReg - t0)} s, all Healthy after ${sec(tAllHealthy - t0)} s`);
  console.log(`CPU from the start to all Healthy (s): ${Object.entries(budget).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')} (2 cores = ${(2 * (tAllHealthy - t0) / 1000).toFixed(0)} s available)`);
  const ph = (k, q) => quantile(phases.map((p) => p[k]), q).toFixed(1);
  console.log(`agent phases, median / max s after the start: log "starting" ${ph('started', 0.5)} / ${ph('started', 1)}, certificate ${ph('identity', 0.5)} / ${ph('identity', 1)}, first xDS stream ${ph('xds', 0.5)} / ${ph('xds', 1)}, registered ${sec(quantile(startup.map((x) => x.reg), 0.5))} / ${sec(quantile(startup.map((x) => x.reg), 1))}, Healthy ${sec(quantile(startup.map((x) => x.healthy), 0.5))} / ${sec(quantile(startup.map((x) => x.healthy), 1))}`);
  const caTimeouts = agents.reduce((a, x) => a + x.v.logs.filter((l) => /did not answer/.test(String(l.msg))).length, 0);
  console.log(`CA requests that ran out of time (vmlet retried): ${caTimeouts}`);

  // 2. Steady state: RSS and CPU per agent.
  const cpuIdle0 = agents.map((a) => procStat(a.v.child.pid).cpu);
  await sleep(IDLE_MS);
  const steady = agents.map((a, k) => { const s = procStat(a.v.child.pid); return { rssMb: s.rssMb, idleCpu: s.cpu - cpuIdle0[k] }; });

  // 3. istiod restarted under them.
  const cpuR0 = agents.map((a) => procStat(a.v.child.pid).cpu);
  const tStop = Date.now();
  restartAt = tStop;
  await cp.stopIstiod(opt.restart === 'kill' ? 'SIGKILL' : 'SIGTERM');
  const tGone = Date.now();
  await cp.startIstiod();
  const tBack = Date.now();
  console.log(`istiod ${opt.restart === 'kill' ? 'SIGKILLed' : 'stopped (SIGTERM)'}: gone after ${sec(tGone - tStop)} s, ready again after ${sec(tBack - tStop)} s`);
  const tAllBack = await until(() => names.every((n) => firsts.healthyAgain.has(n)) || dead().length > 0, TIMEOUT_MS, () => `${N - names.filter((n) => firsts.healthyAgain.has(n)).length} entries connected to the new istiod and Healthy`);
  if (dead().length > 0) throw new Error(`${dead().length} vmlet(s) exited during the restart`);
  const restartCpu = agents.map((a, k) => procStat(a.v.child.pid).cpu - cpuR0[k]);
  await sleep(2000); // istiod's last log lines of the storm

  // 4. Numbers.
  const ev = istiodEvents();
  const storm = perSecond(ev, 'xds', tGone, tAllBack + 1000);
  const stormCsr = perSecond(ev, 'csr', tGone, tAllBack + 1000);
  const reconnectDelays = names.map((n) => (firsts.reconnected.get(n)?.istiod ?? NaN) - tBack);
  const versions = {
    istio: readFileSync(join(cp.bin, '.istio.done'), 'utf8').split(' ')[0], kubernetes: readFileSync(join(cp.bin, '.k8s.done'), 'utf8').split(' ')[0],
    node: execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim(), vmlet: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version,
  };
  const r = {
    n: N, key: opt.key, restart: opt.restart, versions, nodeCmd: `${NODE} ${NODE_ARGS.join(' ')}`, load: readFileSync('/proc/loadavg', 'utf8').trim(),
    spawnedS: spawnedMs / 1000, allRegisteredS: (tAllReg - t0) / 1000, allHealthyS: (tAllHealthy - t0) / 1000,
    healthyP50S: quantile(startup.map((s) => s.healthy), 0.5) / 1000,
    startupCpuS: { p50: quantile(startup.map((s) => s.cpu), 0.5), max: quantile(startup.map((s) => s.cpu), 1), sum: startup.reduce((a, s) => a + s.cpu, 0) },
    rssMb: { p50: quantile(steady.map((s) => s.rssMb), 0.5), max: quantile(steady.map((s) => s.rssMb), 1) },
    idleCpuPct: { p50: quantile(steady.map((s) => s.idleCpu), 0.5) / (IDLE_MS / 1000) * 100, max: quantile(steady.map((s) => s.idleCpu), 1) / (IDLE_MS / 1000) * 100 },
    idleSeconds: IDLE_MS / 1000,
    istiodGoneS: (tGone - tStop) / 1000, istiodReadyS: (tBack - tStop) / 1000,
    allBackAfterReadyS: (tAllBack - tBack) / 1000, allBackAfterStopS: (tAllBack - tStop) / 1000,
    reconnectP50S: quantile(reconnectDelays, 0.5) / 1000, reconnectMaxS: quantile(reconnectDelays, 1) / 1000,
    stormPeakPerS: Math.max(...storm), stormTotal: storm.reduce((a, b) => a + b, 0), stormCsr: stormCsr.reduce((a, b) => a + b, 0),
    deletionsDuringRestart: deletions.filter((d) => d.t >= tStop).length,
    restartCpuS: { p50: quantile(restartCpu, 0.5), max: quantile(restartCpu, 1) },
  };
  console.log(`\nfleet: ${N} vmlets ${versions.vmlet} (${r.nodeCmd}, ${opt.key} keys) with FAKE Envoys, one istiod (istio.io/istio ${versions.istio}), kube-apiserver ${versions.kubernetes}; load average at the end: ${r.load}`);
  console.log('| metric | value |\n|---|---:|');
  const rows = [
    ['all registered (WorkloadEntry) after start', `${r.allRegisteredS.toFixed(1)} s`],
    ['all Healthy after start (target ≤ 60 s)', `${r.allHealthyS.toFixed(1)} s (median agent ${r.healthyP50S.toFixed(1)} s)`],
    ['agent CPU from start to all Healthy, median / max / sum', `${r.startupCpuS.p50.toFixed(2)} / ${r.startupCpuS.max.toFixed(2)} / ${r.startupCpuS.sum.toFixed(0)} s`],
    ['agent RSS in steady state, median / max', `${r.rssMb.p50.toFixed(1)} / ${r.rssMb.max.toFixed(1)} MB`],
    [`agent CPU over ${r.idleSeconds} s steady state, median / max`, `${r.idleCpuPct.p50.toFixed(2)} / ${r.idleCpuPct.max.toFixed(2)} %`],
    [`istiod ${opt.restart === 'kill' ? 'SIGKILL' : 'SIGTERM'}: exited / ready again after`, `${r.istiodGoneS.toFixed(1)} / ${r.istiodReadyS.toFixed(1)} s`],
    ['all reconnected and Healthy again after istiod ready (target ≤ 60 s)', `${r.allBackAfterReadyS.toFixed(1)} s (${r.allBackAfterStopS.toFixed(1)} s after the stop)`],
    ['reconnect to the new istiod after it was ready, median / max', `${r.reconnectP50S.toFixed(1)} / ${r.reconnectMaxS.toFixed(1)} s`],
    ['storm: xDS connections istiod authenticated, peak per second / total', `${r.stormPeakPerS} / ${r.stormTotal}`],
    ['storm: CSRs istiod signed', String(r.stormCsr)],
    ['WorkloadEntries deleted during the restart', String(r.deletionsDuringRestart)],
    ['agent CPU from the stop to all Healthy again, median / max', `${r.restartCpuS.p50.toFixed(2)} / ${r.restartCpuS.max.toFixed(2)} s`],
  ];
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  console.log(`targets: start ${r.allHealthyS <= 60 ? 'met' : 'MISSED'}, restart ${r.allBackAfterReadyS <= 60 ? 'met' : 'MISSED'}`);
  writeFileSync(HTML, renderFleetReport({
    r, rows, t0, tStop, tGone, tBack, tAllBack,
    agents: agents.map((a) => ({ name: a.name, started: a.started, registered: firsts.registered.get(a.name), healthy: firsts.healthy.get(a.name), reconnected: firsts.reconnected.get(a.name)?.istiod, healthyAgain: firsts.healthyAgain.get(a.name) })),
    istiod: ev, deletions,
  }));
  console.log(`report: ${HTML}`);
  failed = false;
} catch (err) {
  console.error(String(err?.stack ?? err));
} finally {
  await cleanup(failed || opt['keep-logs']);
  const left = readdirSync('/var/run/netns').filter((n) => n.startsWith(cp.cpNs) || n.startsWith(cp.vmNs));
  if (left.length > 0 || existsSync(`/etc/netns/${cp.vmNs}-f1`)) console.error(`left behind: ${left.join(' ')}`);
}
process.exit(failed ? 1 : 0);
