/**
 * bench/dns: vmlet's DNS proxy beside Istio's pilot-agent's (both on 127.0.0.1:15053 of their own
 * VM network namespace, ISTIO_META_DNS_CAPTURE=true from istioctl's cluster.env) on the same real
 * istiod (the e2e tier's control plane) and so the same name table. Needs root and the binaries of
 * test/e2e/build.sh; builds the load generator (bench/dns/loadgen, Go) on the way.
 *
 *   npx tsx bench/dns.ts [--seconds 8] [--workers 16] [--rounds 3] [--hosts 10000] [--idle-seconds 60] [--no-rss] [--packaged]
 *
 * Load: bench/dns/loadgen (Go, NOT part of vmlet), run in each VM namespace, pinned to CPU 1 while
 * both agents are pinned to CPU 0 (2 cores here: one for the server under test, one for the
 * client), a closed loop of --workers queries in flight, each run bounded by --seconds and 2M
 * answers, every answer checked. Names: a Kubernetes Service from the table, and a forwarded name
 * answered by the loadgen's own fast upstream (Go, in the control-plane namespace) so the forwarded
 * row measures the proxies. Rounds alternate the order of the two agents.
 * Rows: queries/s at saturation (--workers in flight), p50/p99 at saturation and with one query in
 * flight, for each name; then idle RSS of each agent before and after --hosts ServiceEntry hosts
 * (100 per ServiceEntry) reached its name table, --idle-seconds after each.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ControlPlane } from '../test/e2e/real/control-plane.js';
import { pollUntil } from '../test/e2e/real/poll.js';
import { App, configureVm, createWorkload, startVmlet } from '../test/e2e/real/vm.js';
import { packagedRuntime } from './compare/packaged-runtime.js';
import { startPilotAgent, type Agent } from './compare/pilot-agent.js';

const { values: opt } = parseArgs({ options: {
  seconds: { type: 'string', default: '8' }, workers: { type: 'string', default: '16' }, rounds: { type: 'string', default: '3' },
  hosts: { type: 'string', default: '10000' }, 'idle-seconds': { type: 'string', default: '60' }, 'no-rss': { type: 'boolean', default: false },
  packaged: { type: 'boolean', default: false },
} });
/** --packaged: vmlet on the runtime and launcher flags the packages ship (as bench/compare runs it); default this process's Node. */
const RUNTIME = opt.packaged ? packagedRuntime() : { node: process.execPath, nodeArgs: [] as string[] };
const SECONDS = Number(opt.seconds);
const WORKERS = Number(opt.workers);
const ROUNDS = Number(opt.rounds);
const HOSTS = Number(opt.hosts);
const IDLE_MS = Number(opt['idle-seconds']) * 1000;
const ROOT = join(import.meta.dirname, '..');
const NS = 'dnsb';
const TABLE_NAME = `bench-svc.${NS}.svc.cluster.local`;
const FORWARDED = 'forwarded.bench.example';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)] ?? NaN; };
const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);

interface Load { qps: number; p50_us: number; p99_us: number; max_us: number; answers: number; errors: number; timeouts: number; first_error?: string }
type Side = 'vmlet' | 'pilot-agent';

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench/dns needs root (network namespaces)');
  const bin = execFileSync('bash', [join(ROOT, 'test', 'e2e', 'build.sh'), 'all'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const cp = new ControlPlane(bin, 'dnsb');
  const loadgen = join(cp.work, 'dns-loadgen');
  execFileSync('go', ['build', '-o', loadgen, '.'], { cwd: join(ROOT, 'bench', 'dns', 'loadgen'), stdio: 'inherit', env: { ...process.env, CGO_ENABLED: '0' } });
  let failed = true;
  const stops: (() => Promise<void>)[] = [];
  try {
    await cp.start();
    const vmB = cp.addVm(1, 'pa');
    // The fast upstream for forwarded names, reachable from both VMs (their resolv.conf).
    const up = spawn('ip', ['netns', 'exec', cp.cpNs, loadgen, 'serve', '-listen', '0.0.0.0:53', '-a', '192.0.2.10'], { stdio: ['ignore', 'pipe', 'inherit'] });
    stops.push(async () => { up.kill('SIGKILL'); });
    await createWorkload(cp, { ns: NS, sa: 'dnsb-sa', group: 'dnsb-app' });
    const wA = await configureVm(cp, { ns: NS, sa: 'dnsb-sa', group: 'dnsb-app' });
    const wB = await configureVm(cp, { ns: NS, sa: 'dnsb-sa', group: 'dnsb-app', vmNs: vmB.ns, ingressIP: vmB.cpIp });
    writeFileSync(`/etc/netns/${cp.vmNs}/resolv.conf`, 'nameserver 10.213.0.1\n');
    writeFileSync(`/etc/netns/${vmB.ns}/resolv.conf`, `nameserver ${vmB.cpIp}\n`);
    for (const w of [wA, wB]) {
      const env = readFileSync(join(w.dir, 'cluster.env'), 'utf8');
      if (!/ISTIO_META_DNS_CAPTURE='?true/.test(env)) writeFileSync(join(w.dir, 'cluster.env'), `${env}ISTIO_META_DNS_CAPTURE='true'\n`);
    }
    cp.kubectl(['apply', '-f', '-'], `apiVersion: v1\nkind: Service\nmetadata: {name: bench-svc, namespace: ${NS}}\nspec: {ports: [{name: http, port: 80}], selector: {app: bench}}\n`);
    const apps = [new App(cp), new App(cp, vmB.ns)];
    for (const a of apps) { await a.start(); stops.push(() => a.stop()); }

    const v = startVmlet(cp, wA, { state: mkdtempSync(join(cp.work, 'vmlet-')), extra: ['--set', 'dns.mode=capture'], node: RUNTIME.node, nodeArgs: RUNTIME.nodeArgs });
    stops.push(async () => { await v.stop(); });
    const p: Agent = startPilotAgent({ bin, w: wB, vmNs: vmB.ns, ip: vmB.ip, cwd: mkdtempSync(join(cp.work, 'pa-')), logFile: join(cp.work, 'logs', 'pilot-agent.log') });
    stops.push(() => p.stop());
    const sides: Record<Side, { ns: string; pid: number }> = { vmlet: { ns: cp.vmNs, pid: v.child.pid! }, 'pilot-agent': { ns: vmB.ns, pid: p.pid } };

    const run = (side: Side, name: string, workers: number, seconds: number): Load => JSON.parse(execFileSync('ip', ['netns', 'exec', sides[side].ns, 'taskset', '-c', '1', loadgen, 'load',
      '-server', '127.0.0.1:15053', '-name', name, '-c', String(workers), '-d', `${seconds}s`, '-n', '2000000'], { encoding: 'utf8', timeout: (seconds + 30) * 1000 })) as Load;
    for (const side of ['vmlet', 'pilot-agent'] as const) {
      for (const name of [TABLE_NAME, FORWARDED]) await pollUntil(() => run(side, name, 1, 1).answers > 0, 90_000, `${side} to answer ${name}`, 1_000);
      // All threads of the agent on CPU 0; the load generator gets CPU 1.
      execFileSync('taskset', ['-a', '-p', '-c', '0', String(sides[side].pid)], { stdio: 'ignore' });
    }

    const rows: Record<string, Record<Side, number[]>> = {};
    const add = (row: string, side: Side, x: number) => { ((rows[row] ??= { vmlet: [], 'pilot-agent': [] })[side]).push(x); };
    // Idle RSS first, before any load: after the load rounds a Node agent keeps the heap they grew
    // (123 MB measured that way), which says nothing about an idle VM.
    if (!opt['no-rss']) {
      await sleep(IDLE_MS);
      const rss0 = { vmlet: rssKb(sides.vmlet.pid), 'pilot-agent': rssKb(sides['pilot-agent'].pid) };
      const perEntry = 100;
      const docs = Array.from({ length: Math.ceil(HOSTS / perEntry) }, (_, i) => `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: many-${i}, namespace: ${NS}}
spec:
  hosts: [${Array.from({ length: Math.min(perEntry, HOSTS - i * perEntry) }, (_, j) => `h${i * perEntry + j}.many.bench.example`).join(', ')}]
  addresses: [240.100.${Math.floor(i / 250)}.${(i % 250) + 1}]
  location: MESH_EXTERNAL
  resolution: NONE
  ports: [{number: 80, name: tcp, protocol: TCP}]
`).join('---\n');
      const file = join(cp.work, 'many.yaml');
      writeFileSync(file, docs);
      cp.kubectl(['apply', '--server-side', '-f', file], undefined, 300_000);
      const last = `h${HOSTS - 1}.many.bench.example`;
      for (const side of ['vmlet', 'pilot-agent'] as const) await pollUntil(() => run(side, last, 1, 1).answers > 0, 300_000, `${side}'s table to hold ${HOSTS} more hosts`, 2_000);
      await sleep(IDLE_MS);
      const rss1 = { vmlet: rssKb(sides.vmlet.pid), 'pilot-agent': rssKb(sides['pilot-agent'].pid) };
      for (const side of ['vmlet', 'pilot-agent'] as const) {
        add('idle RSS, small table (MB)', side, rss0[side] / 1024);
        add(`idle RSS, +${HOSTS} hosts (MB)`, side, rss1[side] / 1024);
        add(`added RSS for ${HOSTS} hosts (MB)`, side, (rss1[side] - rss0[side]) / 1024);
      }
    }

    for (let r = 0; r < ROUNDS; r++) {
      for (const side of (r % 2 === 0 ? ['vmlet', 'pilot-agent'] : ['pilot-agent', 'vmlet']) as Side[]) {
        for (const [label, name] of [['table name', TABLE_NAME], ['forwarded name', FORWARDED]] as const) {
          const sat = run(side, name, WORKERS, SECONDS);
          const one = run(side, name, 1, Math.max(2, SECONDS / 2));
          if (sat.errors + sat.timeouts + one.errors + one.timeouts > 0) console.error(`${side} ${label}: ${sat.errors + one.errors} errors, ${sat.timeouts + one.timeouts} timeouts ${sat.first_error ?? one.first_error ?? ''}`);
          add(`${label}: queries/s, ${WORKERS} in flight`, side, sat.qps);
          add(`${label}: p50 at saturation (ms)`, side, sat.p50_us / 1000);
          add(`${label}: p99 at saturation (ms)`, side, sat.p99_us / 1000);
          add(`${label}: p50, 1 in flight (ms)`, side, one.p50_us / 1000);
          add(`${label}: p99, 1 in flight (ms)`, side, one.p99_us / 1000);
        }
      }
    }

    const nodeVersion = execFileSync(RUNTIME.node, ['--version'], { encoding: 'utf8' }).trim();
    const versions = { istio: readFileSync(join(bin, '.istio.done'), 'utf8').split(' ')[0], node: `vmlet on Node ${nodeVersion}${RUNTIME.nodeArgs.length ? ` ${RUNTIME.nodeArgs.join(' ')}` : ''}` };
    console.log(`\nvmlet vs pilot-agent (istio.io/istio ${versions.istio}) DNS proxies on the same istiod, ${versions.node}; median of ${ROUNDS} rounds of ${SECONDS} s; agents on CPU 0, loadgen on CPU 1`);
    console.log('| metric | vmlet | pilot-agent | vmlet/pilot-agent |\n|---|---:|---:|---:|');
    for (const [name, s] of Object.entries(rows)) {
      const a = median(s.vmlet);
      const b = median(s['pilot-agent']);
      const f = name.includes('queries/s') ? 0 : 2;
      console.log(`| ${name} | ${a.toFixed(f)} | ${b.toFixed(f)} | ${(a / b).toFixed(2)} |`);
    }
    console.log(`(raw: ${JSON.stringify(rows)})`);
    failed = false;
  } finally {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    await cp.stop(failed);
  }
}

await main();
