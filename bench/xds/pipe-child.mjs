// A reference path for bench/xds/overhead.mjs: NOT vmlet's proxy. A plain byte pipe in a
// process of its own between the client's Unix socket and the istiod stand-in's TCP port (HTTP/2
// passes through untouched, end to end). What it adds over a direct connection is what one more
// process in the path costs on this machine whatever it does, the floor under the proxy's numbers.
//
//   node bench/xds/pipe-child.mjs <upstream port> <socket path>   (prints "ready")
import { createServer, connect } from 'node:net';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { rmSync } from 'node:fs';

const [port, socketPath] = process.argv.slice(2);
rmSync(socketPath, { force: true });
const server = createServer((down) => {
  const up = connect({ host: '127.0.0.1', port: Number(port), noDelay: true });
  down.pipe(up);
  up.pipe(down);
  const end = () => { down.destroy(); up.destroy(); };
  down.on('error', end);
  up.on('error', end);
  down.on('close', end);
  up.on('close', end);
});
await new Promise((r) => server.listen(socketPath, r));

let gcs = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) gcs.push({ ms: e.duration, major: e.detail?.kind !== 1 }); }).observe({ entryTypes: ['gc'] });
const eld = monitorEventLoopDelay({ resolution: 1 });
eld.enable();
console.log('ready');
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() !== 'stats') return;
  const d = gcs.map((g) => g.ms);
  console.log(JSON.stringify({ stats: { gc: gcs.length, gcMajor: gcs.filter((g) => g.major).length, gcMaxMs: Math.max(0, ...d), gcTotalMs: d.reduce((a, b) => a + b, 0), loopDelayP99Ms: eld.percentile(99) / 1e6, loopDelayMaxMs: eld.max / 1e6 } }));
  gcs = [];
  eld.reset();
});
lines.on('close', () => { server.close(); process.exit(0); });
