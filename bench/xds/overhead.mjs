// Benchmark (not a test): what the xDS proxy adds over a direct connection to istiod.
// A plaintext upstream ADS server answers every DiscoveryRequest with one DiscoveryResponse of a
// given size; a client measures request → response time directly and through the proxy's Unix
// socket. Prints added p50/p99 per response at 1 KB, 100 KB and 10 MB, throughput, and the peak
// RSS growth of this process (proxy + both ends) during one 50 MB response.
// Targets: p99 added <= 1 ms at 100 KB; RSS growth <= 2x the largest message.
//
//   node bench/xds/overhead.mjs [--iterations 200]
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from 'tsx/esm/api';

register();
const { values } = parseArgs({ options: { iterations: { type: 'string', default: '200' } } });
const iterations = Math.max(5, Math.min(2000, Number(values.iterations)));
const grpc = await import('@grpc/grpc-js');
const protobuf = (await import('protobufjs')).default;
const { XdsProxy, ADS_SERVICE } = await import('../../src/xds/proxy.ts');
const { silentLogger } = await import('../../src/log.ts');

const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const opts = { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 };
const request = (n) => Buffer.from(protobuf.Writer.create().uint32(34).string(CDS).uint32(42).string(`n${n}`).finish());
function response(size) {
  const any = protobuf.Writer.create().uint32(10).string(CDS).uint32(18).bytes(Buffer.alloc(size, 7)).finish();
  return Buffer.from(protobuf.Writer.create().uint32(10).string('v1').uint32(18).bytes(any).uint32(34).string(CDS).uint32(42).string('x').finish());
}

let size = 1024;
const cache = new Map();
const upstream = new grpc.Server(opts);
upstream.addService(ADS_SERVICE, {
  StreamAggregatedResources: (call) => {
    call.on('data', () => { if (!cache.has(size)) cache.set(size, response(size)); call.write(cache.get(size)); });
    call.on('end', () => call.end());
    call.on('error', () => {});
  },
  DeltaAggregatedResources: (call) => call.end(),
});
const port = await new Promise((res, rej) => upstream.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
const AdsClient = grpc.makeGenericClientConstructor(ADS_SERVICE, 'AggregatedDiscoveryService');
/** Bench connector: a plaintext upstream through the IstiodConnector interface. */
const benchConnector = { client: (Ctor) => new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), opts), metadata: async () => new grpc.Metadata() };
const dir = mkdtempSync(join(tmpdir(), 'vmlet-xds-bench-'));
const socketPath = join(dir, 'XDS');
const proxy = new XdsProxy({ socketPath, connector: benchConnector, logger: silentLogger() });
await proxy.listen();

function streamTo(address) {
  const client = new AdsClient(address, grpc.credentials.createInsecure(), opts);
  const call = client.StreamAggregatedResources();
  let waiting;
  call.on('data', (b) => { const w = waiting; waiting = undefined; w?.(b.length); });
  call.on('error', () => {});
  return {
    roundTrip: (n) => new Promise((res) => { const t0 = process.hrtime.bigint(); waiting = (len) => res({ ms: Number(process.hrtime.bigint() - t0) / 1e6, len }); call.write(request(n)); }),
    close: () => { call.end(); client.close(); },
  };
}
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };

async function measure(s, n) {
  const direct = streamTo(`127.0.0.1:${port}`);
  const viaProxy = streamTo(`unix://${socketPath}`);
  size = s;
  for (let i = 0; i < 3; i++) { await direct.roundTrip(i); await viaProxy.roundTrip(i); }
  const d = [], p = [];
  let bytes = 0, proxyMs = 0;
  for (let i = 0; i < n; i++) {
    d.push((await direct.roundTrip(i)).ms);
    const r = await viaProxy.roundTrip(i);
    p.push(r.ms); bytes += r.len; proxyMs += r.ms;
  }
  direct.close(); viaProxy.close();
  return { d50: pct(d, 50), d99: pct(d, 99), p50: pct(p, 50), p99: pct(p, 99), mbps: bytes / 1e6 / (proxyMs / 1000) };
}

console.log('size      direct p50/p99 ms   proxy p50/p99 ms   added p50/p99 ms   proxy throughput');
for (const [label, s, n] of [['1 KB', 1024, iterations], ['100 KB', 100 * 1024, iterations], ['10 MB', 10 * 1024 * 1024, Math.max(5, Math.floor(iterations / 20))]]) {
  const r = await measure(s, n);
  console.log(`${label.padEnd(9)} ${r.d50.toFixed(3)}/${r.d99.toFixed(3)}`.padEnd(30) + `${r.p50.toFixed(3)}/${r.p99.toFixed(3)}`.padEnd(19) + `${(r.p50 - r.d50).toFixed(3)}/${(r.p99 - r.d99).toFixed(3)}`.padEnd(19) + `${r.mbps.toFixed(1)} MB/s`);
}

const big = 50 * 1024 * 1024;
size = big;
cache.set(big, response(big));
global.gc?.();
const base = process.memoryUsage().rss;
let peak = base;
const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
const s = streamTo(`unix://${socketPath}`);
const r = await s.roundTrip(0);
peak = Math.max(peak, process.memoryUsage().rss);
clearInterval(timer);
s.close();
const growth = peak - base;
console.log(`50 MB response via proxy: ${r.ms.toFixed(1)} ms, peak RSS growth ${(growth / 1048576).toFixed(1)} MB (${(growth / big).toFixed(2)}x the message; includes the client's copy, the upstream server's write buffers and the proxy)`);
await proxy.close();
upstream.forceShutdown();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
