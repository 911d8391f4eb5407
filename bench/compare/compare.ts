/**
 * bench/compare: vmlet and Istio's pilot-agent side by side on the same real istiod (the e2e
 * tier's control plane), each in a VM network namespace of its own, each given the same FAKE
 * Envoy (no Envoy build exists here). Prints one table with the ratio vmlet/pilot-agent per row.
 *
 *   npx tsx bench/compare/compare.ts [--runs 5] [--idle-minutes 10] [--pushes 20] [--service-entries 100]
 *                                    [--services 2000] [--node PATH] [--first-cert-only]
 *
 * vmlet runs on --node: by default the Node.js runtime the packages ship (the stripped binary of
 * the last `npm run package` if there is one, else packaging/runtime.json's pinned binary from the
 * runtime cache, fetched by fetch-runtime.mjs), with NODE_COMPILE_CACHE in a directory that
 * outlives each run, as the packaged launcher keeps it in the unit's state directory, and with the
 * Node flags the launcher (packaging/common/vmlet-launcher.sh) passes.
 *
 * Rows: time to first certificate (process start → certificate on disk, fresh state, median of
 * --runs, alternating order) with RSA-2048 and with ECDSA P-256 (ECC_SIGNATURE_ALGORITHM=ECDSA for
 * both agents); idle RSS of the agent process after 60 s; its CPU over the idle minutes that
 * follow (both idle at once); xDS push latency through each agent's proxy for the same istiod
 * pushes (a ServiceEntry patched; time from the patch to the fake Envoy's receipt of the CDS
 * response), median and p90; then a mesh of --services Kubernetes Services (several MB of CDS,
 * EDS for each): the push latency of a Service change through each proxy and each agent's RSS
 * growth from before the Services existed. --first-cert-only: the first two rows alone (a few minutes).
 * Needs root and the binaries of test/e2e/build.sh.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { arch } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ControlPlane } from '../../test/e2e/real/control-plane.js';
import { pollUntil } from '../../test/e2e/real/poll.js';
import { App, configureVm, createWorkload, startVmlet, waitReady, type Workload } from '../../test/e2e/real/vm.js';
import { startPilotAgent, type Agent } from './pilot-agent.js';
// @ts-expect-error -- plain JS module of the packaging scripts, typed by use here.
import { fetchRuntime } from '../../packaging/fetch-runtime.mjs';

const { values: opt } = parseArgs({ options: {
  runs: { type: 'string', default: '5' }, 'idle-minutes': { type: 'string', default: '10' },
  pushes: { type: 'string', default: '20' }, 'service-entries': { type: 'string', default: '100' },
  services: { type: 'string', default: '2000' }, node: { type: 'string' },
  'first-cert-only': { type: 'boolean', default: false },
} });
const RUNS = Number(opt.runs);
const IDLE_MS = Number(opt['idle-minutes']) * 60_000;
const PUSHES = Number(opt.pushes);
const ENTRIES = Number(opt['service-entries']);
const SERVICES = Number(opt.services);
const ROOT = join(import.meta.dirname, '..', '..');
const ARCH = arch() === 'arm64' ? 'arm64' : 'x64';
/** The runtime the packages ship: the staged (stripped) binary of the last package build, else the pinned upstream one. */
const NODE = opt.node ?? (existsSync(join(ROOT, 'out', '.work', `deb-${ARCH}`, 'usr/lib/vmlet/node'))
  ? join(ROOT, 'out', '.work', `deb-${ARCH}`, 'usr/lib/vmlet/node')
  : (fetchRuntime(ARCH) as { node: string }).node);
/** The flags the packaged launcher gives the runtime (its exec line), so vmlet runs as the package runs it. */
const NODE_ARGS = opt.node ? [] : (/exec \/usr\/lib\/vmlet\/node ((?:--\S+ )*)\/usr\/lib\/vmlet\/vmlet\.cjs/
  .exec(readFileSync(join(ROOT, 'packaging', 'common', 'vmlet-launcher.sh'), 'utf8'))?.[1] ?? '').split(' ').filter(Boolean);
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
  start(tag: string, env?: Record<string, string>): Agent;
}

const KEYS = [['RSA-2048', {}], ['ECDSA P-256', { ECC_SIGNATURE_ALGORITHM: 'ECDSA' }]] as const;

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

    // One compile cache for every vmlet start of this run, as /var/lib/vmlet keeps it across restarts.
    const compileCache = join(cp.work, 'vmlet-compile-cache');
    const vmlet: Side = { name: 'vmlet', start: (tag, env) => vmletAgent(cp, wA, tag, { NODE_COMPILE_CACHE: compileCache, ...env }) };
    const pilot: Side = {
      name: 'pilot-agent',
      start: (tag, env) => startPilotAgent({ bin, w: wB, vmNs: vmB.ns, ip: vmB.ip, cwd: mkdtempSync(join(cp.work, `pa-${tag}-`)), logFile: join(cp.work, 'logs', `pilot-agent-${tag}.log`), env }),
    };

    // 1. Time to first certificate, per key type.
    const firstCert: Record<string, Record<string, number[]>> = {};
    for (const [key, env] of KEYS) {
      const times: Record<string, number[]> = { vmlet: [], 'pilot-agent': [] };
      firstCert[key] = times;
      for (let i = 0; i < RUNS; i++) {
        for (const side of i % 2 === 0 ? [vmlet, pilot] : [pilot, vmlet]) {
          const t0 = performance.now();
          const a = side.start(`cert-${key.replace(/\W/g, '')}-${i}`, env);
          await pollUntil(() => existsSync(a.certFile), 30_000, `${side.name}'s first certificate (${key})`, 2);
          times[side.name]!.push(performance.now() - t0);
          await a.stop();
          await sleep(500);
        }
      }
    }

    if (opt['first-cert-only']) {
      console.log(`\nvmlet on ${NODE} ${NODE_ARGS.join(' ')} vs pilot-agent, first certificate only\n| metric | vmlet | pilot-agent | vmlet/pilot-agent |\n|---|---:|---:|---:|`);
      for (const [key] of KEYS) {
        const v = median(firstCert[key]!.vmlet!);
        const p = median(firstCert[key]!['pilot-agent']!);
        console.log(`| time to first certificate, ${key}, median of ${RUNS} (ms) | ${v.toFixed(0)} | ${p.toFixed(0)} | ${(v / p).toFixed(2)} |`);
      }
      for (const [key] of KEYS) console.log(`(raw first-cert ms, ${key}: vmlet ${firstCert[key]!.vmlet!.map((x) => x.toFixed(0)).join(', ')}; pilot-agent ${firstCert[key]!['pilot-agent']!.map((x) => x.toFixed(0)).join(', ')})`);
      for (const x of apps) await x.stop();
      failed = false;
      return;
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
    // 5. A mesh of SERVICES Services: push latency and RSS growth (a failure here keeps the rows above).
    const noMesh = { n: 0, ms: { vmlet: [], 'pilot-agent': [] }, bytes: { vmlet: NaN, 'pilot-agent': NaN }, fullBytes: { vmlet: NaN, 'pilot-agent': NaN }, before: { vmlet: NaN, 'pilot-agent': NaN }, after: { vmlet: NaN, 'pilot-agent': NaN }, firstMs: { vmlet: NaN, 'pilot-agent': NaN }, growthKb: { vmlet: NaN, 'pilot-agent': NaN } };
    const mesh = await bigMesh(cp, { vmlet: a, 'pilot-agent': b }).catch((err: unknown) => { console.error(`${SERVICES} Services row failed: ${String(err).slice(0, 2000)}`); return noMesh; });
    await a.stop();
    await b.stop();
    for (const x of apps) await x.stop();

    const versions = {
      istio: readFileSync(join(bin, '.istio.done'), 'utf8').split(' ')[0],
      kubernetes: readFileSync(join(bin, '.k8s.done'), 'utf8').split(' ')[0],
      node: execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim(),
      vmlet: (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    };
    const rows: [string, number, number, string][] = [
      ...KEYS.map(([key]): [string, number, number, string] => [`time to first certificate, ${key}, median of ${RUNS} (ms)`, median(firstCert[key]!.vmlet!), median(firstCert[key]!['pilot-agent']!), '%.0f']),
      ['idle RSS after 60 s (MB)', rss.vmlet / 1024, rss['pilot-agent'] / 1024, '%.1f'],
      [`CPU over ${IDLE_MS / 60_000} idle min (s)`, cpu.vmlet, cpu['pilot-agent'], '%.2f'],
      [`xDS push → fake Envoy, median of ${push.n} (ms)`, median(push.ms.vmlet), median(push.ms['pilot-agent']), '%.1f'],
      [`xDS push → fake Envoy, p90 (ms)`, p90(push.ms.vmlet), p90(push.ms['pilot-agent']), '%.1f'],
      ['CDS response size (KB)', push.bytes.vmlet / 1024, push.bytes['pilot-agent'] / 1024, '%.1f'],
      [`${SERVICES} Services: push → fake Envoy, median of ${mesh.n} (ms)`, median(mesh.ms.vmlet), median(mesh.ms['pilot-agent']), '%.0f'],
      [`${SERVICES} Services: push → fake Envoy, p90 (ms)`, p90(mesh.ms.vmlet), p90(mesh.ms['pilot-agent']), '%.0f'],
      [`${SERVICES} Services: agent RSS growth (MB)`, mesh.growthKb.vmlet / 1024, mesh.growthKb['pilot-agent'] / 1024, '%.1f'],
      [`${SERVICES} Services: CDS + EDS received while they were created (KB)`, mesh.fullBytes.vmlet / 1024, mesh.fullBytes['pilot-agent'] / 1024, '%.0f'],
      [`${SERVICES} Services: CDS + EDS bytes of one Service change (KB)`, mesh.bytes.vmlet / 1024, mesh.bytes['pilot-agent'] / 1024, '%.1f'],
    ];
    const fmt = (v: number, f: string) => v.toFixed(Number(f.slice(2, 3)));
    console.log(`\nvmlet ${versions.vmlet} on Node ${versions.node} (${NODE} ${NODE_ARGS.join(' ')}) vs pilot-agent (istio.io/istio ${versions.istio}) on istiod of the same build, kube-apiserver ${versions.kubernetes}`);
    console.log('| metric | vmlet | pilot-agent | vmlet/pilot-agent |\n|---|---:|---:|---:|');
    for (const [name, v, p, f] of rows) console.log(`| ${name} | ${fmt(v, f)} | ${fmt(p, f)} | ${(v / p).toFixed(2)} |`);
    for (const [key] of KEYS) console.log(`(raw first-cert ms, ${key}: vmlet ${firstCert[key]!.vmlet!.map((x) => x.toFixed(0)).join(', ')}; pilot-agent ${firstCert[key]!['pilot-agent']!.map((x) => x.toFixed(0)).join(', ')})`);
    console.log(`(${SERVICES} Services: RSS before ${mesh.before.vmlet / 1024 | 0} / ${mesh.before['pilot-agent'] / 1024 | 0} MB, after ${mesh.after.vmlet / 1024 | 0} / ${mesh.after['pilot-agent'] / 1024 | 0} MB (vmlet / pilot-agent); first full push ${mesh.firstMs.vmlet} / ${mesh.firstMs['pilot-agent']} ms)`);
    failed = false;
  } finally {
    await cp.stop(failed);
  }
}

function vmletAgent(cp: ControlPlane, w: Workload, tag: string, env: Record<string, string>): Agent {
  const home = mkdtempSync(join(cp.work, `vmlet-${tag}-`));
  const v = startVmlet(cp, w, { state: home, node: NODE, nodeArgs: NODE_ARGS, env });
  const logFile = join(cp.work, 'logs', `${home.split('/').pop()}.log`);
  return { pid: v.child.pid!, certFile: join(home, 'state', 'identity', 'cert-chain.pem'), envoyRecord: `${logFile}.envoy`, stop: async () => { await v.stop(); } };
}

interface Rec { t: number; event: string; type?: string; bytes?: number; resources?: number }
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

/**
 * SERVICES Services of the mesh, as ServiceEntries (MESH_INTERNAL, STATIC, two ports, one endpoint
 * each: an EDS cluster per port with its endpoints; Kubernetes Services would need a service CIDR
 * of that size, and the tier's is a /24), created at once; waits until both fake Envoys received
 * the clusters of all of them, then changes one entry's port PUSHES times and times each push to
 * each fake Envoy.
 */
async function bigMesh(cp: ControlPlane, agents: Record<'vmlet' | 'pilot-agent', Agent>) {
  const before = { vmlet: rssKb(agents.vmlet.pid), 'pilot-agent': rssKb(agents['pilot-agent'].pid) };
  cp.kubectl(['create', 'namespace', 'mesh']);
  const entry = (i: number, port: number) => `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: svc-${i}, namespace: mesh}
spec:
  hosts: [svc-${i}.mesh.example]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: ${port}, name: http, protocol: HTTP}, {number: 9090, name: grpc, protocol: GRPC}]
  endpoints: [{address: 10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}, labels: {app: svc-${i}}}]
`;
  const docs = Array.from({ length: SERVICES }, (_, i) => entry(i, 80)).join('---\n');
  const file = join(cp.work, 'services.yaml');
  writeFileSync(file, docs);
  const t0 = Date.now();
  cp.kubectl(['apply', '-f', file], undefined, 600_000);
  // Every Service has reached the fake Envoy: delta CDS sends what changed, so the clusters of all
  // responses since the apply add up to two per Service (one per port).
  const firstMs = { vmlet: 0, 'pilot-agent': 0 };
  const fullBytes = { vmlet: 0, 'pilot-agent': 0 };
  for (const side of ['vmlet', 'pilot-agent'] as const) {
    const got = await pollUntil(() => {
      let n = 0;
      for (const r of records(agents[side].envoyRecord)) {
        if (r.event !== 'xds-response' || r.t < t0 || !r.type?.endsWith('.Cluster')) continue;
        n += r.resources ?? 0;
        if (n >= 2 * SERVICES) return r;
      }
      return undefined;
    }, 420_000, `${side}'s clusters of ${SERVICES} Services`, 5);
    firstMs[side] = got.t - t0;
  }
  await sleep(10_000);
  for (const side of ['vmlet', 'pilot-agent'] as const) {
    fullBytes[side] = records(agents[side].envoyRecord).filter((r) => r.event === 'xds-response' && r.t >= t0 && /\.(Cluster|ClusterLoadAssignment)$/.test(r.type ?? '')).reduce((n, r) => n + (r.bytes ?? 0), 0);
  }
  const ms = { vmlet: [] as number[], 'pilot-agent': [] as number[] };
  const bytes = { vmlet: 0, 'pilot-agent': 0 };
  for (let j = 0; j < PUSHES; j++) {
    const t1 = Date.now();
    cp.kubectl(['apply', '-f', '-'], entry(0, 8000 + j));
    for (const side of ['vmlet', 'pilot-agent'] as const) {
      const got = await pollUntil(() => records(agents[side].envoyRecord).find((r) => r.event === 'xds-response' && r.type?.endsWith('.Cluster') && r.t >= t1), 60_000, `${side}'s CDS push ${j} with ${SERVICES} Services`, 5);
      ms[side].push(got.t - t1);
    }
    await sleep(2_000);
    for (const side of ['vmlet', 'pilot-agent'] as const) {
      bytes[side] = records(agents[side].envoyRecord).filter((r) => r.event === 'xds-response' && r.t >= t1 && /\.(Cluster|ClusterLoadAssignment)$/.test(r.type ?? '')).reduce((n, r) => n + (r.bytes ?? 0), 0);
    }
  }
  const after = { vmlet: rssKb(agents.vmlet.pid), 'pilot-agent': rssKb(agents['pilot-agent'].pid) };
  return { n: PUSHES, ms, bytes, fullBytes, before, after, firstMs, growthKb: { vmlet: after.vmlet - before.vmlet, 'pilot-agent': after['pilot-agent'] - before['pilot-agent'] } };
}

await main();
