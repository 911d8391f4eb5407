// Runs vmlet's XdsProxy alone in a process of its own, so the bench can read its peak RSS (VmHWM)
// without counting the client's and the upstream's copies. The upstream is reached through a
// plain pass-through IstiodConnector stand-in: the proxy's real HTTP/2 session to istiod
// (src/istiod/h2-session.ts: window, keepalive, no message limit), in plaintext on loopback.
//
//   node bench/xds/proxy-child.mjs <upstream port> <socket path>   (prints "ready")
// A line "stats" on stdin prints the proxy's GC pauses and event-loop delay since the last one
// (one JSON line), so the bench can tell a latency tail caused in the proxy from one outside it.
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { register } from 'tsx/esm/api';

register();
const { XdsProxy } = await import('../../src/xds/proxy.ts');
const { openHttp2Session } = await import('../../src/istiod/h2-session.ts');
const { silentLogger } = await import('../../src/log.ts');

const [port, socketPath] = process.argv.slice(2);
/** Pass-through IstiodConnector stand-in: plaintext to the bench's fake upstream. */
const passThroughConnectorStandIn = {
  session: () => openHttp2Session({ address: `127.0.0.1:${port}`, tls: undefined, keepaliveMs: 30_000, keepaliveTimeoutMs: 10_000 }),
  metadata: async () => ({}),
};
const proxy = new XdsProxy({ socketPath, connector: passThroughConnectorStandIn, logger: silentLogger() });
await proxy.listen();

let gcs = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) gcs.push({ ms: e.duration, major: e.detail?.kind !== 1 }); }).observe({ entryTypes: ['gc'] });
const eld = monitorEventLoopDelay({ resolution: 1 });
eld.enable();
console.log('ready');
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() !== 'stats') return;
  const ms = (ns) => ns / 1e6;
  const d = gcs.map((g) => g.ms);
  console.log(JSON.stringify({ stats: { gc: gcs.length, gcMajor: gcs.filter((g) => g.major).length, gcMaxMs: Math.max(0, ...d), gcTotalMs: d.reduce((a, b) => a + b, 0), loopDelayP99Ms: ms(eld.percentile(99)), loopDelayMaxMs: ms(eld.max) } }));
  gcs = [];
  eld.reset();
});
lines.on('close', async () => { await proxy.close(); process.exit(0); });
