// Benchmark (not a test): resident memory of an idle `vmlet run` (no capabilities busy) after it
// has been up for a while, as systemd would see it. Target: <= 45 MB after 60 s.
//
//   npm run build && node bench/run-idle.mjs [--seconds 60] [--istio-dir DIR]
//
// Reads VmRSS/VmHWM from /proc/<pid>/status of the bundled CLI (node start-up included) at a few
// points, and prints an empty node process's RSS next to it, to show what is vmlet and what is node.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, 'istio-dir': { type: 'string' } } });
const seconds = Math.max(5, Math.min(600, Number(values.seconds)));
const istioDir = values['istio-dir'] ?? join(root, 'test/fixtures/istio-vm');
const tmp = mkdtempSync(join(tmpdir(), 'vmlet-bench-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function memKb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const get = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  // PSS: resident memory with shared pages (the node binary, libc) divided among the processes
  // that map them, i.e. what this process really costs on a machine that runs other node programs.
  const pss = Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN);
  // utime + stime (fields 14 and 15 of /proc/<pid>/stat), in clock ticks (100 per second).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const cpuMs = (Number(stat[11]) + Number(stat[12])) * 10;
  return { rss: get('VmRSS'), hwm: get('VmHWM'), pss, cpuMs };
}

async function idle(args, label) {
  const child = spawn(process.execPath, args, {
    // Never the host's iptables; and without a reachable istiod or an Envoy build (the fixture's
    // istiod does not exist) identity, Envoy and xDS are off: this measures the agent's idle spine.
    env: {
      PATH: process.env.PATH, VMLET_STATE_DIR: join(tmp, 'state'), VMLET_RUN_DIR: join(tmp, 'run'),
      VMLET_CAPTURE_ENABLED: 'false', VMLET_IDENTITY_ENABLED: 'false', VMLET_ENVOY_ENABLED: 'false', VMLET_XDS_ENABLED: 'false',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const samples = [];
  try {
    const marks = [1, 10, 30, seconds].filter((s, i, a) => s <= seconds && a.indexOf(s) === i);
    let waited = 0;
    for (const s of marks) {
      await sleep((s - waited) * 1000);
      waited = s;
      if (child.exitCode !== null) throw new Error(`${label} exited early with ${child.exitCode}`);
      samples.push({ s, ...memKb(child.pid) });
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  }
  return samples;
}

const mb = (kb) => (kb / 1024).toFixed(1);
try {
  const [vmlet, base] = await Promise.all([
    idle([join(root, 'bin/vmlet.mjs'), 'run', '--istio-dir', istioDir, '--config', join(root, 'test/helpers/empty-config.yaml'), '--set', 'general.statusPort=0', '--log-level', 'warn'], 'vmlet run'),
    idle(['-e', 'setInterval(() => {}, 1000)'], 'node baseline'),
  ]);
  process.stdout.write(`vmlet run idle (node ${process.version}, ${process.platform}/${process.arch}), --istio-dir ${istioDir}\n`);
  for (const [i, v] of vmlet.entries()) {
    process.stdout.write(`  after ${String(v.s).padStart(3)} s: RSS ${mb(v.rss)} MB (peak ${mb(v.hwm)}, PSS ${mb(v.pss)})   node baseline: RSS ${mb(base[i].rss)} MB, PSS ${mb(base[i].pss)}\n`);
  }
  const last = vmlet.at(-1);
  const first = vmlet[0];
  process.stdout.write(`CPU while idle (${first.s} s -> ${last.s} s): ${last.cpuMs - first.cpuMs} ms (node baseline ${base.at(-1).cpuMs - base[0].cpuMs} ms)\n`);
  process.stdout.write(`idle RSS after ${last.s} s: ${mb(last.rss)} MB (target <= 45 MB): ${last.rss / 1024 <= 45 ? 'met' : 'NOT met'}\n`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
