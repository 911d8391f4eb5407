/**
 * bench/compare: vmlet and Istio's pilot-agent side by side on the same real istiod (the e2e
 * tier's control plane), each in a VM network namespace of its own, each given the same FAKE
 * Envoy (no Envoy build exists here). Prints one table with the ratio vmlet/pilot-agent per row.
 *
 *   npx tsx bench/compare/compare.ts [--runs 5] [--idle-minutes 10] [--pushes 20] [--service-entries 100]
 *
 * Rows: time to first certificate (process start → certificate on disk, fresh state, median of
 * --runs, alternating order); idle RSS of the agent process after 60 s; its CPU over the idle
 * minutes that follow (both idle at once); xDS push latency through each agent's proxy for the
 * same istiod pushes (a ServiceEntry patched; time from the patch to the fake Envoy's receipt
 * of the CDS response), median and p90. Needs root and the binaries of test/e2e/build.sh.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ControlPlane } from '../../test/e2e/real/control-plane.js';
import { pollUntil } from '../../test/e2e/real/poll.js';
import { App, configureVm, createWorkload, startVmlet, waitReady, type Workload } from '../../test/e2e/real/vm.js';
import { startPilotAgent, type Agent } from './pilot-agent.js';

const { values: opt } = parseArgs({ options: {
  runs: { type: 'string', default: '5' }, 'idle-minutes': { type: 'string', default: '10' },
  pushes: { type: 'string', default: '20' }, 'service-entries': { type: 'string', default: '100' },
} });
const RUNS = Number(opt.runs);
const IDLE_MS = Number(opt['idle-minutes']) * 60_000;
const PUSHES = Number(opt.pushes);
const ENTRIES = Number(opt['service-entries']);
const ROOT = join(import.meta.dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)] ?? NaN; };
const p90 = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(s.length * 0.9) - 1)] ?? NaN; };

const TICK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
}
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
}

interface Side {
  name: string;
  start(tag: string): Agent;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench/compare needs root (network namespaces)');
  const bin = execFileSync('bash', [join(ROOT, 'test', 'e2e', 'build.sh'), 'all'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const cp = new ControlPlane(bin, 'cmp');
  let failed = true;
  try {
    await cp.start();
    const vmB = cp.addVm(1, 'pa');
    await createWorkload(cp, { ns: 'cmp', sa: 'cmp-sa', group: 'cmp-app' });
    const wA = await configureVm(cp, { ns: 'cmp', sa: 'cmp-sa', group: 'cmp-app' });
    const wB = await configureVm(cp, { ns: 'cmp', sa: 'cmp-sa', group: 'cmp-app', vmNs: vmB.ns, ingressIP: vmB.cpIp });
    const apps = [new App(cp), new App(cp, vmB.ns)];
    for (const a of apps) await a.start();

    const vmlet: Side = { name: 'vmlet', start: (tag) => vmletAgent(cp, wA, tag) };
    const pilot: Side = {
      name: 'pilot-agent',
      start: (tag) => startPilotAgent({ bin, w: wB, vmNs: vmB.ns, ip: vmB.ip, cwd: mkdtempSync(join(cp.work, `pa-${tag}-`)), logFile: join(cp.work, 'logs', `pilot-agent-${tag}.log`) }),
    };

    // 1. Time to first certificate.
    const firstCert: Record<string, number[]> = { vmlet: [], 'pilot-agent': [] };
    for (let i = 0; i < RUNS; i++) {
      for (const side of i % 2 === 0 ? [vmlet, pilot] : [pilot, vmlet]) {
        const t0 = performance.now();
        const a = side.start(`cert${i}`);
        await pollUntil(() => existsSync(a.certFile), 30_000, `${side.name}'s first certificate`, 2);
        firstCert[side.name]!.push(performance.now() - t0);
        await a.stop();
        await sleep(500);
      }
    }

    // 2. + 3. Idle RSS after 60 s and CPU over the idle window, both running at once.
    const a = vmlet.start('idle');
    const b = pilot.start('idle');
    await sleep(60_000);
    const rss = { vmlet: rssKb(a.pid), 'pilot-agent': rssKb(b.pid) };
    const cpu0 = { vmlet: cpuSeconds(a.pid), 'pilot-agent': cpuSeconds(b.pid) };
    await sleep(IDLE_MS);
    const cpu = { vmlet: cpuSeconds(a.pid) - cpu0.vmlet, 'pilot-agent': cpuSeconds(b.pid) - cpu0['pilot-agent'] };

    // 4. The same istiod pushes through both proxies.
    const push = await pushLatency(cp, { vmlet: a, 'pilot-agent': b });
    await a.stop();
    await b.stop();
    for (const x of apps) await x.stop();

    const versions = {
      istio: readFileSync(join(bin, '.istio.done'), 'utf8').split(' ')[0],
      kubernetes: readFileSync(join(bin, '.k8s.done'), 'utf8').split(' ')[0],
      node: process.version,
      vmlet: (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    };
    const rows: [string, number, number, string][] = [
      [`time to first certificate, median of ${RUNS} (ms)`, median(firstCert.vmlet!), median(firstCert['pilot-agent']!), '%.0f'],
      ['idle RSS after 60 s (MB)', rss.vmlet / 1024, rss['pilot-agent'] / 1024, '%.1f'],
      [`CPU over ${IDLE_MS / 60_000} idle min (s)`, cpu.vmlet, cpu['pilot-agent'], '%.2f'],
      [`xDS push → fake Envoy, median of ${push.n} (ms)`, median(push.ms.vmlet), median(push.ms['pilot-agent']), '%.1f'],
      [`xDS push → fake Envoy, p90 (ms)`, p90(push.ms.vmlet), p90(push.ms['pilot-agent']), '%.1f'],
      ['CDS response size (KB)', push.bytes.vmlet / 1024, push.bytes['pilot-agent'] / 1024, '%.1f'],
    ];
    const fmt = (v: number, f: string) => v.toFixed(Number(f.slice(2, 3)));
    console.log(`\nvmlet ${versions.vmlet} vs pilot-agent (istio.io/istio ${versions.istio}) on istiod of the same build, kube-apiserver ${versions.kubernetes}, ${versions.node}`);
    console.log('| metric | vmlet | pilot-agent | vmlet/pilot-agent |\n|---|---:|---:|---:|');
    for (const [name, v, p, f] of rows) console.log(`| ${name} | ${fmt(v, f)} | ${fmt(p, f)} | ${(v / p).toFixed(2)} |`);
    console.log(`(raw first-cert ms: vmlet ${firstCert.vmlet!.map((x) => x.toFixed(0)).join(', ')}; pilot-agent ${firstCert['pilot-agent']!.map((x) => x.toFixed(0)).join(', ')})`);
    failed = false;
  } finally {
    await cp.stop(failed);
  }
}

function vmletAgent(cp: ControlPlane, w: Workload, tag: string): Agent {
  const home = mkdtempSync(join(cp.work, `vmlet-${tag}-`));
  const v = startVmlet(cp, w, { state: home });
  const logFile = join(cp.work, 'logs', `${home.split('/').pop()}.log`);
  return { pid: v.child.pid!, certFile: join(home, 'state', 'identity', 'cert-chain.pem'), envoyRecord: `${logFile}.envoy`, stop: async () => { await v.stop(); } };
}

interface Rec { t: number; event: string; type?: string; bytes?: number }
const records = (file: string): Rec[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec) : []);

async function pushLatency(cp: ControlPlane, agents: Record<'vmlet' | 'pilot-agent', Agent>) {
  const docs = Array.from({ length: ENTRIES }, (_, i) => `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: se-${i}, namespace: cmp}
spec:
  hosts: [svc-${i}.bench.example]
  location: MESH_EXTERNAL
  resolution: DNS
  ports: [{number: 80, name: http, protocol: HTTP}, {number: 443, name: https, protocol: TLS}]
`).join('---\n');
  const file = join(cp.work, 'service-entries.yaml');
  writeFileSync(file, docs);
  cp.kubectl(['apply', '-f', file], undefined, 120_000);
  await sleep(5_000);
  const ms = { vmlet: [] as number[], 'pilot-agent': [] as number[] };
  const bytes = { vmlet: 0, 'pilot-agent': 0 };
  for (let j = 0; j < PUSHES; j++) {
    const t0 = Date.now();
    cp.kubectl(['-n', 'cmp', 'patch', 'serviceentry', 'se-0', '--type=merge', '-p', JSON.stringify({ spec: { hosts: [`svc-0-${j}.bench.example`] } })]);
    for (const side of ['vmlet', 'pilot-agent'] as const) {
      const got = await pollUntil(() => records(agents[side].envoyRecord).find((r) => r.event === 'xds-response' && r.type?.endsWith('.Cluster') && r.t >= t0), 20_000, `${side}'s CDS push ${j}`, 5);
      ms[side].push(got.t - t0);
      bytes[side] = got.bytes ?? 0;
    }
    await sleep(1_000);
  }
  return { n: PUSHES, ms, bytes };
}

await main();
