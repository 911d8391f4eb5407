// Benchmark (not a test): CPU of vmlet's plain-HTTP readiness probe, per probe, in the probing
// process, for src/health/http-get.ts as it is and for variants of it (what each change buys).
//
//   node bench/probe-cpu.mjs [--node PATH] [--node-arg FLAG ...] [--probes N] [--interval-ms MS]
//                            [--rounds R] [--variant NAME ...]
//
// An HTTP server (node:http answering "ok", the app bench/compare probes) runs in a process of its
// own on 127.0.0.1; each variant runs in a fresh child process (--node, with --node-arg flags, e.g.
// the launcher's --optimize-for-size --max-semi-space-size=1), probes it N times from 127.0.0.6 as
// the agent does, one every --interval-ms (0: back to back; the default 10 lets the event loop
// sleep between probes, as the idle agent's does), after 100 probes of warm-up, and prints
// process.cpuUsage() (user, system) / N and the garbage collections in the window (young and full,
// from perf_hooks' gc entries, the same count --trace-gc prints). Rounds alternate the variants;
// the table gives each one's median, and the change against the first variant named (by default
// "current": src/health/http-get.ts as it is in the tree, compiled by esbuild).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = join(import.meta.dirname, '..');

// ---- the variants (child side) ----
// Each is (o, req) => Promise<{status}|{error}>, o as src/health/http-get.ts's HttpGet, req its bytes.
// `lean` restates the probe with switches: `before` is http-get.ts before bench/probe-cpu.mjs existed
// (read until the application closes, a Buffer per read, the request written on 'connect'), each
// named variant is `before` with one switch on, `adopted` the set http-get.ts now uses.
async function variants(currentPath) {
  const net = await import('node:net');
  const current = await import(currentPath);
  const lean = (f) => {
    const slab = Buffer.allocUnsafe(4096);
    return (o, reqBuf) => new Promise((resolve) => {
      let head = '';
      let settled = false;
      let timer;
      const settle = (r) => { if (!settled) { settled = true; resolve(r); } };
      const onChunk = (chunk) => {
        if (settled) return;
        head += chunk;
        const eol = head.indexOf('\r\n');
        if (eol < 0 && head.length < 8192) return;
        const m = /^HTTP\/\d\.\d (\d{3})/.exec(head.slice(0, eol < 0 ? head.length : eol));
        settle(m ? { status: Number(m[1]) } : { error: new Error('not an HTTP response') });
        if (f.destroyOnStatus) { socket.destroy(); if (timer) clearTimeout(timer); }
      };
      const opts = { host: o.host, port: o.port };
      if (!f.noBind) opts.localAddress = o.localAddress;
      if (f.allowHalfOpen) opts.allowHalfOpen = true;
      if (f.noDelay) opts.noDelay = true;
      if (f.onread) opts.onread = { buffer: slab, callback: (n, buf) => { onChunk(buf.latin1Slice(0, n)); } };
      const socket = net.connect(opts);
      if (f.socketTimeout) {
        socket.setTimeout(o.timeoutMs, () => { socket.destroy(); settle({ error: new Error('timed out') }); });
      } else if (!f.noTimer) {
        timer = setTimeout(() => { socket.destroy(); settle({ error: new Error('timed out') }); }, o.timeoutMs);
      }
      const req = f.buffer ? reqBuf : current.requestText(o);
      if (f.writeEarly) socket.write(req);
      else socket.once('connect', () => socket.write(req));
      if (!f.onread) { socket.setEncoding('latin1'); socket.on('data', onChunk); }
      socket.once('end', () => { socket.destroy(); settle({ error: new Error('closed before a response') }); });
      socket.once('error', (error) => settle({ error }));
      socket.once('close', () => { if (timer) clearTimeout(timer); });
    });
  };
  const adopted = { onread: true, writeEarly: true, destroyOnStatus: true, allowHalfOpen: true };
  return {
    current: (o) => current.httpGet(o),
    before: lean({}),
    onread: lean({ onread: true }),
    'no-timer': lean({ noTimer: true }),
    'socket-timeout': lean({ socketTimeout: true }),
    'allow-half-open': lean({ allowHalfOpen: true }),
    'write-early': lean({ writeEarly: true }),
    'no-delay': lean({ noDelay: true }),
    'destroy-on-status': lean({ destroyOnStatus: true }),
    'no-bind': lean({ noBind: true }),
    'request-buffer': lean({ buffer: true }),
    adopted: lean(adopted),
    'adopted+buffer': lean({ ...adopted, buffer: true }),
    'adopted-no-timer': lean({ ...adopted, noTimer: true }),
  };
}

async function child(name, currentPath, port, n, intervalMs) {
  const { PerformanceObserver } = await import('node:perf_hooks');
  const { constants } = await import('node:perf_hooks');
  const all = await variants(currentPath);
  const probe = all[name];
  if (!probe) throw new Error(`no variant ${name}`);
  const o = { host: '127.0.0.1', port, path: '/ready', headers: [], localAddress: '127.0.0.6', timeoutMs: 1000 };
  const reqBuf = Buffer.from((await import(currentPath)).requestText(o), 'latin1');
  const pause = (ms) => new Promise((r) => setTimeout(r, ms));
  let minor = 0;
  let major = 0;
  let counting = false;
  new PerformanceObserver((list) => {
    if (!counting) return;
    for (const e of list.getEntries()) {
      const kind = e.detail?.kind ?? e.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) minor++;
      else major++;
    }
  }).observe({ entryTypes: ['gc'] });
  const once = async () => {
    const r = await probe(o, reqBuf);
    if (!('status' in r) || r.status !== 200) throw new Error(`probe failed: ${r.error?.message ?? r.status}`);
    if (intervalMs > 0) await pause(intervalMs);
  };
  for (let i = 0; i < 100; i++) await once();
  await pause(50);
  counting = true;
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await once();
  const c = process.cpuUsage(c0);
  await pause(20); // gc entries are delivered asynchronously
  counting = false;
  process.stdout.write(`${JSON.stringify({ name, user: c.user / n, system: c.system / n, minor, major })}\n`);
}

// ---- the parent ----
if (process.argv[2] === '--child') {
  const [, , , name, currentPath, port, n, interval] = process.argv;
  await child(name, currentPath, Number(port), Number(n), Number(interval));
} else {
  const { values } = parseArgs({
    options: {
      node: { type: 'string', default: process.execPath },
      'node-arg': { type: 'string', multiple: true, default: [] },
      probes: { type: 'string', default: '1000' },
      'interval-ms': { type: 'string', default: '10' },
      rounds: { type: 'string', default: '3' },
      variant: { type: 'string', multiple: true, default: [] },
    },
  });
  const tmp = mkdtempSync(join(tmpdir(), 'probe-cpu-'));
  const currentPath = join(tmp, 'http-get.mjs');
  const esb = spawnSync(join(ROOT, 'node_modules', '.bin', 'esbuild'), [join(ROOT, 'src', 'health', 'http-get.ts'), '--format=esm', '--platform=node', `--outfile=${currentPath}`, '--log-level=warning'], { stdio: 'inherit' });
  if (esb.status !== 0) throw new Error('esbuild failed');
  const js = "require('node:http').createServer((q,s)=>{s.end('ok')}).listen(0,'127.0.0.1',function(){console.log(this.address().port)})";
  const server = spawn(process.execPath, ['-e', js], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise((resolve, reject) => {
      server.once('exit', () => reject(new Error('the HTTP server exited')));
      server.stdout.once('data', (d) => resolve(Number(String(d).trim())));
    });
    const names = values.variant.length > 0 ? values.variant : Object.keys(await variants(currentPath));
    const version = spawnSync(values.node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    console.log(`node ${version} ${values['node-arg'].join(' ')}; ${values.probes} probes per run, one every ${values['interval-ms']} ms, ${values.rounds} rounds`);
    const runs = Object.fromEntries(names.map((n) => [n, []]));
    for (let r = 0; r < Number(values.rounds); r++) {
      for (const name of names) {
        const out = spawnSync(values.node, [...values['node-arg'], import.meta.filename, '--child', name, currentPath, String(port), values.probes, values['interval-ms']], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 });
        if (out.status !== 0) throw new Error(`variant ${name} failed (exit ${out.status})`);
        runs[name].push(JSON.parse(out.stdout.trim().split('\n').pop()));
      }
    }
    const med = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
    console.log('variant              user µs  sys µs  total µs  vs current  young GCs  full GCs  (medians)');
    const base = med(runs[names[0]].map((x) => x.user + x.system));
    for (const name of names) {
      const xs = runs[name];
      const u = med(xs.map((x) => x.user));
      const s = med(xs.map((x) => x.system));
      const t = med(xs.map((x) => x.user + x.system));
      console.log(`${name.padEnd(20)} ${u.toFixed(0).padStart(7)} ${s.toFixed(0).padStart(7)} ${t.toFixed(0).padStart(9)} ${`${((t / base - 1) * 100).toFixed(1)} %`.padStart(11)} ${String(med(xs.map((x) => x.minor))).padStart(10)} ${String(med(xs.map((x) => x.major))).padStart(9)}`);
    }
  } finally {
    server.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  }
}
