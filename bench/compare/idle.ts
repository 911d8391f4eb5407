/**
 * bench/compare/idle.ts: the idle rows of compare.ts on their own, per minute, and what wakes vmlet.
 * vmlet (the packaged runtime and the launcher's flags, as compare.ts runs it) and pilot-agent on
 * the same real istiod, each in a VM network namespace with the FAKE Envoy; after 60 s, the CPU
 * time of each (utime + stime of /proc/<pid>/stat) every minute for MIN minutes, and the whole
 * window's user and system time apart; then, with TRACE_S > 0, a second vmlet with
 * bench/startup-trace.cjs preloaded counts every callback Node runs in TRACE_S idle seconds, by
 * what created it. Needs root and test/e2e/build.sh's binaries.
 *
 *   MIN=10 TRACE_S=60 flock /tmp/vmlet-e2e.lock npx tsx bench/compare/idle.ts
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ControlPlane } from '../../test/e2e/real/control-plane.js';
import { pollUntil } from '../../test/e2e/real/poll.js';
import { App, configureVm, createWorkload, startVmlet } from '../../test/e2e/real/vm.js';
import { startPilotAgent } from './pilot-agent.js';
// @ts-expect-error -- plain JS module of the packaging scripts, typed by use here.
import { fetchRuntime } from '../../packaging/fetch-runtime.mjs';

const MIN = Number(process.env.MIN ?? 3);
const TRACE_S = Number(process.env.TRACE_S ?? 60);
const ROOT = join(import.meta.dirname, '..', '..');
const NODE = process.env.NODE_BIN ?? (fetchRuntime('x64') as { node: string }).node;
const NODE_ARGS = (/exec \/usr\/lib\/vmlet\/node ((?:--\S+ )*)\/usr\/lib\/vmlet\/vmlet\.cjs/.exec(readFileSync(join(ROOT, 'packaging', 'common', 'vmlet-launcher.sh'), 'utf8'))?.[1] ?? '').split(' ').filter(Boolean);
const TICK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** [user, system] CPU seconds of a process (utime, stime of /proc/<pid>/stat). */
const split = (pid: number) => { const s = readFileSync(`/proc/${pid}/stat`, 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return [Number(f[11]) / TICK, Number(f[12]) / TICK] as const; };
const cpu = (pid: number) => { const [u, s] = split(pid); return u + s; };
const rec = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);

const bin = execFileSync('bash', [join(ROOT, 'test', 'e2e', 'build.sh'), 'all'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
const cp = new ControlPlane(bin, 'idle');
let failed = true;
try {
  await cp.start();
  const vmB = cp.addVm(1, 'pa');
  await createWorkload(cp, { ns: 'cmp', sa: 'cmp-sa', group: 'cmp-app' });
  const wA = await configureVm(cp, { ns: 'cmp', sa: 'cmp-sa', group: 'cmp-app' });
  const wB = await configureVm(cp, { ns: 'cmp', sa: 'cmp-sa', group: 'cmp-app', vmNs: vmB.ns, ingressIP: vmB.cpIp });
  const apps = [new App(cp), new App(cp, vmB.ns)];
  for (const a of apps) await a.start();
  const cache = join(cp.work, 'cc');
  console.log(`node ${NODE} ${NODE_ARGS.join(' ')}; cluster.env: ${readFileSync(join(wA.dir, 'cluster.env'), 'utf8').replace(/\n/g, ' ')}`);
  const home = mkdtempSync(join(cp.work, 'vmlet-idle-'));
  const v = startVmlet(cp, wA, { state: home, node: NODE, nodeArgs: NODE_ARGS, env: { NODE_COMPILE_CACHE: cache } });
  const vRec = join(cp.work, 'logs', `${home.split('/').pop()}.log.envoy`);
  const pa = startPilotAgent({ bin, w: wB, vmNs: vmB.ns, ip: vmB.ip, cwd: mkdtempSync(join(cp.work, 'pa-idle-')), logFile: join(cp.work, 'logs', 'pa-idle.log') });
  await sleep(60_000);
  const t0 = Date.now();
  let c = { v: cpu(v.child.pid!), p: cpu(pa.pid) };
  const c0 = c;
  const s0 = { v: split(v.child.pid!), p: split(pa.pid) };
  for (let m = 1; m <= MIN; m++) {
    await sleep(60_000);
    const n = { v: cpu(v.child.pid!), p: cpu(pa.pid) };
    console.log(`minute ${m}: vmlet ${(n.v - c.v).toFixed(2)} s, pilot-agent ${(n.p - c.p).toFixed(2)} s`);
    c = n;
  }
  const s1 = { v: split(v.child.pid!), p: split(pa.pid) };
  const us = (k: 'v' | 'p') => `user ${(s1[k][0] - s0[k][0]).toFixed(2)} s, system ${(s1[k][1] - s0[k][1]).toFixed(2)} s`;
  console.log(`user/system over ${MIN} min: vmlet ${us('v')}; pilot-agent ${us('p')}`);
  console.log(`TOTAL over ${MIN} min: vmlet ${(c.v - c0.v).toFixed(2)} s, pilot-agent ${(c.p - c0.p).toFixed(2)} s, ratio ${((c.v - c0.v) / (c.p - c0.p)).toFixed(2)}`);
  const evs = (f: string) => rec(f).filter((r) => r.t >= t0).reduce((m: Record<string, number>, r) => { const k = `${r.event} ${r.type ?? r.path ?? ''}`; m[k] = (m[k] ?? 0) + 1; return m; }, {});
  console.log('vmlet fake-envoy events in window', JSON.stringify(evs(vRec)));
  console.log('pilot-agent fake-envoy events in window', JSON.stringify(evs(join(cp.work, 'logs', 'pa-idle.log.envoy'))));
  await v.stop();
  await pa.stop();
  if (TRACE_S > 0) {
    const home2 = mkdtempSync(join(cp.work, 'vmlet-trace-'));
    const trace = join(home2, 'trace.jsonl');
    const v2 = startVmlet(cp, wA, { state: home2, node: NODE, nodeArgs: ['--require', join(ROOT, 'bench/startup-trace.cjs'), ...NODE_ARGS], env: { NODE_COMPILE_CACHE: cache, VMLET_STARTUP_TRACE: trace, VMLET_STARTUP_TRACE_IDLE: String(TRACE_S * 1000), VMLET_STARTUP_TRACE_CERT: join(home2, 'state', 'identity', 'cert-chain.pem') } });
    const idle = await pollUntil(() => rec(trace).find((r) => r.kind === 'idle'), (TRACE_S + 60) * 1000, 'idle trace', 2);
    console.log(`wakes: ${idle.total} in ${(idle.ms / 1000).toFixed(0)} s`);
    for (const [k, n] of idle.wakes) console.log(`  ${String(n).padStart(6)}  ${k}`);
    await v2.stop();
  }
  for (const a of apps) await a.stop();
  failed = false;
} finally {
  await cp.stop(failed);
}
