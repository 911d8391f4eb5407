// Benchmark (not a test): what the xDS proxy adds over a direct connection to istiod.
// A plaintext upstream ADS server answers every DiscoveryRequest with one DiscoveryResponse of a
// given size; a client measures request → response time directly and through the Unix socket of
// vmlet's XdsProxy, which runs in a process of its own (bench/xds/proxy-child.mjs; it reaches the
// upstream through a pass-through IstiodConnector stand-in). Prints added p50/p99 per response at
// 1 KB, 100 KB and 10 MB, throughput, and the peak RSS growth of a fresh proxy process during one
// 50 MB response (VmHWM, reset through clear_refs, read from /proc).
// Targets: p99 added <= 1 ms at 100 KB; RSS growth <= 2x the largest message.
//
// --flow-window BYTES sets grpc-node.flow_control_window on every client, the proxy's upstream one
// included (the real connector does not set it today), to show what a larger HTTP/2 window buys.
//
//   node bench/xds/overhead.mjs [--iterations 200] [--flow-window 16777216]
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from 'tsx/esm/api';

register();
const { values } = parseArgs({ options: { iterations: { type: 'string', default: '200' }, 'flow-window': { type: 'string' } } });
const iterations = Math.max(5, Math.min(2000, Number(values.iterations)));
const grpc = await import('@grpc/grpc-js');
const protobuf = (await import('protobufjs')).default;
const { ADS_SERVICE } = await import('../../src/xds/proxy.ts');

const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const flowWindow = values['flow-window'] === undefined ? undefined : Number(values['flow-window']);
const opts = { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1, ...(flowWindow ? { 'grpc-node.flow_control_window': flowWindow } : {}) };
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
const dir = mkdtempSync(join(tmpdir(), 'vmlet-xds-bench-'));
const socketPath = join(dir, 'XDS');
// The proxy runs in a process of its own (as it does next to Envoy and istiod): one for the
// latency runs, a fresh one for the RSS run.
async function startProxy(path) {
  const child = spawn(process.execPath, [new URL('./proxy-child.mjs', import.meta.url).pathname, String(port), path, ...(flowWindow ? [String(flowWindow)] : [])], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error('proxy child did not start within 20 s')), 20_000);
    child.stdout.on('data', (b) => { if (b.toString().includes('ready')) { clearTimeout(t); res(); } });
    child.on('exit', (c) => rej(new Error(`proxy child exited ${c}`)));
  });
  return child;
}
const latencyProxy = await startProxy(socketPath);

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
  for (let i = 0; i < Math.min(50, n); i++) { await direct.roundTrip(i); await viaProxy.roundTrip(i); }
  const d = [], p = [];
  let bytes = 0, proxyMs = 0;
  for (let i = 0; i < n; i++) {
    d.push((await direct.roundTrip(i)).ms);
    const r = await viaProxy.roundTrip(i);
    p.push(r.ms); bytes += r.len; proxyMs += r.ms;
  }
  direct.close(); viaProxy.close();
  const directMs = d.reduce((a, b) => a + b, 0);
  return { d50: pct(d, 50), d99: pct(d, 99), p50: pct(p, 50), p99: pct(p, 99), mbps: bytes / 1e6 / (proxyMs / 1000), dmbps: bytes / 1e6 / (directMs / 1000) };
}

const f3 = (x) => x.toFixed(3);
console.log('size     direct p50/p99 ms  proxy p50/p99 ms   added p50/p99 ms   p99 ratio  MB/s direct/proxy');
for (const [label, s, n] of [['1 KB', 1024, iterations], ['100 KB', 100 * 1024, iterations], ['10 MB', 10 * 1024 * 1024, Math.max(5, Math.floor(iterations / 20))]]) {
  const r = await measure(s, n);
  console.log(label.padEnd(9) + `${f3(r.d50)}/${f3(r.d99)}`.padEnd(19) + `${f3(r.p50)}/${f3(r.p99)}`.padEnd(19) + `${f3(r.p50 - r.d50)}/${f3(r.p99 - r.d99)}`.padEnd(19)
    + `${(r.p99 / r.d99).toFixed(2)}x`.padEnd(11) + `${r.dmbps.toFixed(1)}/${r.mbps.toFixed(1)}`);
}
latencyProxy.stdin.end();

// Peak RSS of the proxy alone during one 50 MB response.
const big = 50 * 1024 * 1024;
size = big;
cache.set(big, response(big));
const childSocket = join(dir, 'XDS-child');
const child = await startProxy(childSocket);
const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) * 1024;
const warm = streamTo(`unix://${childSocket}`);
size = 1024;
for (let i = 0; i < 20; i++) await warm.roundTrip(i);
let resetPeak = true;
try { writeFileSync(`/proc/${child.pid}/clear_refs`, '5'); } catch { resetPeak = false; }
const base = kb('VmRSS');
size = big;
const r = await warm.roundTrip(0);
const peak = kb('VmHWM');
warm.close();
child.stdin.end();
const growth = peak - base;
const mb = (x) => (x / 1048576).toFixed(1);
console.log(`50 MB response via proxy: ${r.ms.toFixed(1)} ms; proxy process RSS ${mb(base)} MB before, peak ${mb(peak)} MB: growth ${mb(growth)} MB = ${(growth / big).toFixed(2)}x the message (target <= 2x)${resetPeak ? '' : ' [peak not reset: includes start-up]'}`);
upstream.forceShutdown();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
