// Benchmark (not a test): wall time and peak RSS of `vmlet validate --istio-dir <fixture>` run
// from the bundle, as an operator or systemd ExecStartPre would run it. Target: <= 250 ms.
//
//   npm run build && node bench/validate.mjs [--runs N] [--istio-dir DIR]
//
// Wall time is measured around the whole child process (node start-up included); peak RSS is the
// child's getrusage maxrss, reported by a tiny --import probe at exit.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' }, 'istio-dir': { type: 'string' } } });
const runs = Math.max(1, Math.min(500, Number(values.runs)));
const istioDir = values['istio-dir'] ?? join(root, 'test/fixtures/istio-vm');
const tmp = mkdtempSync(join(tmpdir(), 'vmlet-bench-'));
const rssFile = join(tmp, 'rss');
const args = ['--require', join(root, 'bench/rss-probe.cjs'), join(root, 'bin/vmlet.cjs'), 'validate', '--istio-dir', istioDir];

const times = [];
try {
  for (let i = 0; i < runs + 1; i += 1) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { env: { PATH: process.env.PATH, VMLET_BENCH_RSS_FILE: rssFile }, encoding: 'utf8', timeout: 10_000 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`vmlet validate exited ${r.status}: ${r.stderr}`);
    if (i > 0) times.push(ms); // the first run warms the page cache and is not counted
  }
  // Baseline: an empty node process, to show what is vmlet and what is node start-up.
  const base = [];
  for (let i = 0; i < runs; i += 1) {
    const start = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', ''], { timeout: 10_000 });
    base.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  base.sort((a, b) => a - b);
  const rss = readFileSync(rssFile, 'utf8').trim().split('\n').slice(1).map(Number);
  const sorted = [...times].sort((a, b) => a - b);
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const fmt = (n) => n.toFixed(1);
  process.stdout.write(
    `vmlet validate --istio-dir ${istioDir}\n` +
    `runs: ${runs} (node ${process.version}, ${process.platform}/${process.arch})\n` +
    `wall ms: min ${fmt(sorted[0])}  median ${fmt(q(0.5))}  mean ${fmt(mean)}  p95 ${fmt(q(0.95))}  max ${fmt(sorted[sorted.length - 1])}  (target <= 250)\n` +
    `peak RSS MB: min ${fmt(Math.min(...rss) / 1024)}  max ${fmt(Math.max(...rss) / 1024)}\n` +
    `baseline (node -e ''): median ${fmt(base[Math.floor(base.length / 2)])} ms\n`,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
