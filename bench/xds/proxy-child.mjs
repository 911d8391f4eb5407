// Runs vmlet's XdsProxy alone in a process of its own, so the bench can read its peak RSS (VmHWM)
// without counting the client's and the upstream's copies. The upstream is reached through a
// plain pass-through IstiodConnector stand-in (plaintext, loopback) with the real connector's
// channel options (src/istiod/connector.ts: message size, HTTP/2 window).
//
//   node bench/xds/proxy-child.mjs <upstream port> <socket path>   (prints "ready")
// A line "stats" on stdin prints the proxy's GC pauses and event-loop delay since the last one
// (one JSON line), so the bench can tell a latency tail caused in the proxy from one outside it.
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { register } from 'tsx/esm/api';

register();
const grpc = await import('@grpc/grpc-js');
const { XdsProxy } = await import('../../src/xds/proxy.ts');
const { ISTIOD_CHANNEL_OPTIONS } = await import('../../src/istiod/connector.ts');
const { silentLogger } = await import('../../src/log.ts');

const [port, socketPath] = process.argv.slice(2);
/** Pass-through IstiodConnector stand-in: plaintext to the bench's fake upstream. */
const passThroughConnectorStandIn = {
  client: (Ctor) => new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { ...ISTIOD_CHANNEL_OPTIONS }),
  metadata: async () => new grpc.Metadata(),
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
