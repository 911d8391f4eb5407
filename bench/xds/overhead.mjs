// Benchmark (not a test): what the xDS proxy adds over a direct connection to istiod.
// Three processes, as in a VM: the client (this one, standing in for Envoy, with Envoy's default
// 256 MiB HTTP/2 windows), an istiod stand-in (upstream-child.mjs: every DiscoveryRequest gets one
// DiscoveryResponse of the asked size, the same bytes on every path), and vmlet's XdsProxy
// (proxy-child.mjs, with the real connector's channel options). Round trips alternate between a
// direct stream, a second direct stream on a connection of its own (its difference to the first
// is this run's noise floor) and a stream through the proxy's Unix socket, the order rotating
// every round. Prints direct/noise/proxy/added p50 and p99 per response at 1 KB, 100 KB and 10 MB,
// the p99 ratio, throughput, the proxy's GC pauses and event-loop delay in that phase, and the
// peak RSS growth of a fresh proxy process during one 50 MB response (VmHWM reset via clear_refs).
// Targets: p99 added <= 1 ms at 100 KB; RSS growth <= 2x the largest message.
//
//   node bench/xds/overhead.mjs [--iterations 200] [--sizes 1,100,10240 (KB)] [--rounds 1] [--hop proxy|pipe] [--no-rss]
// --hop pipe puts a plain byte pipe (pipe-child.mjs, NOT vmlet) where the proxy is: what one more
// process in the path costs on this machine whatever it does, the floor under the proxy's numbers.
// --rounds R measures each size R times (fresh streams each round) and adds a line with the
// median of the rounds' added and noise p99: on a small machine one round's p99 moves by a few
// ms with what else runs, so a target is judged on the median, with the spread shown.
// XDS_BENCH_CHILD_FLAGS passes node flags to the proxy process (e.g. --cpu-prof).
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from 'tsx/esm/api';

register();
const { values } = parseArgs({ options: { iterations: { type: 'string', default: '200' }, sizes: { type: 'string', default: '1,100,10240' }, rounds: { type: 'string', default: '1' }, hop: { type: 'string', default: 'proxy' }, 'no-rss': { type: 'boolean', default: false } } });
const rounds = Math.max(1, Math.min(20, Number(values.rounds)));
const sizesKb = values.sizes.split(',').map(Number);
const iterations = Math.max(5, Math.min(2000, Number(values.iterations)));
const grpc = await import('@grpc/grpc-js');
const protobuf = (await import('protobufjs')).default;
const { ADS_SERVICE } = await import('../../src/xds/proxy.ts');

const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const ENVOY_DEFAULT_WINDOW = 256 * 1024 * 1024;
const envoyOpts = { 'grpc.max_receive_message_length': -1, 'grpc-node.flow_control_window': ENVOY_DEFAULT_WINDOW, 'grpc.use_local_subchannel_pool': 1 };
/** A CDS DiscoveryRequest asking the stand-in for a response of `size` bytes (resource_names[0]). */
const request = (size, n) => Buffer.from(protobuf.Writer.create().uint32(26).string(String(size)).uint32(34).string(CDS).uint32(42).string(`n${n}`).finish());

/** Starts a bench child; resolves once a stdout line matches `ready`. */
function startChild(script, args, ready, flags = []) {
  const child = spawn(process.execPath, [...flags, new URL(script, import.meta.url).pathname, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`${script} did not start within 20 s`)), 20_000);
    const onData = (b) => { const m = ready.exec(b.toString()); if (m) { clearTimeout(t); child.stdout.off('data', onData); res({ child, match: m }); } };
    child.stdout.on('data', onData);
    child.on('exit', (c) => rej(new Error(`${script} exited ${c}`)));
  });
}
const upstream = await startChild('./upstream-child.mjs', [], /port (\d+)/);
const port = Number(upstream.match[1]);
const dir = mkdtempSync(join(tmpdir(), 'vmlet-xds-bench-'));
const proxyFlags = (process.env.XDS_BENCH_CHILD_FLAGS ?? '').split(' ').filter(Boolean);
if (values.hop !== 'proxy' && values.hop !== 'pipe') throw new Error(`--hop ${values.hop}: proxy or pipe`);
const hopScript = values.hop === 'pipe' ? './pipe-child.mjs' : './proxy-child.mjs';
const startProxy = async (path) => (await startChild(hopScript, [String(port), path], /ready/, proxyFlags)).child;
const socketPath = join(dir, 'XDS');
const latencyProxy = await startProxy(socketPath);

const AdsClient = grpc.makeGenericClientConstructor(ADS_SERVICE, 'AggregatedDiscoveryService');
function streamTo(address) {
  const client = new AdsClient(address, grpc.credentials.createInsecure(), envoyOpts);
  const call = client.StreamAggregatedResources();
  let waiting;
  call.on('data', (b) => { const w = waiting; waiting = undefined; w?.(b.length); });
  call.on('error', () => {});
  return {
    roundTrip: (size, n) => new Promise((res) => { const t0 = process.hrtime.bigint(); waiting = (len) => res({ ms: Number(process.hrtime.bigint() - t0) / 1e6, len }); call.write(request(size, n)); }),
    close: () => { call.end(); client.close(); },
  };
}
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };

/** The proxy child's GC pauses and event-loop delay since the last call. */
function childStats(child) {
  return new Promise((res) => {
    const onData = (b) => { const m = /\{"stats".*\}/.exec(b.toString()); if (m) { child.stdout.off('data', onData); res(JSON.parse(m[0]).stats); } };
    child.stdout.on('data', onData);
    child.stdin.write('stats\n');
  });
}

async function measure(size, n) {
  const streams = [streamTo(`127.0.0.1:${port}`), streamTo(`127.0.0.1:${port}`), streamTo(`unix://${socketPath}`)];
  for (let i = 0; i < Math.min(50, n); i++) for (const st of streams) await st.roundTrip(size, i);
  await childStats(latencyProxy);
  const times = [[], [], []];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) {
      const j = (i + k) % 3;
      const r = await streams[j].roundTrip(size, i);
      times[j].push(r.ms);
      if (j === 2) bytes += r.len;
    }
  }
  for (const st of streams) st.close();
  const stats = await childStats(latencyProxy);
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  const [d, d2, p] = times;
  return { d50: pct(d, 50), d99: pct(d, 99), n50: pct(d2, 50) - pct(d, 50), n99: pct(d2, 99) - pct(d, 99), p50: pct(p, 50), p99: pct(p, 99),
    mbps: bytes / 1e6 / (sum(p) / 1000), dmbps: bytes / 1e6 / (sum(d) / 1000), stats };
}

const f3 = (x) => x.toFixed(3);
const f1 = (x) => x.toFixed(1);
console.log(`${values.hop === "pipe" ? "HOP: a plain byte pipe (pipe-child.mjs), NOT vmlet's proxy; " : ""}iterations ${iterations} (10 MB: ${Math.max(5, Math.floor(iterations / 20))}); ms; noise = 2nd direct stream - 1st; loop delay includes its 1 ms timer`);
console.log('size     direct p50/p99     noise p50/p99      proxy p50/p99      added p50/p99      p99 ratio  MB/s direct/proxy  proxy GC n(major)/max/total, loop delay p99/max');
const median = (xs) => pct(xs, 50);
for (const kb of sizesKb) {
  const [label, s, n] = [kb >= 1024 ? `${kb / 1024} MB` : `${kb} KB`, kb * 1024, kb >= 1024 ? Math.max(5, Math.floor(iterations / 20)) : iterations];
  const added99 = [];
  const noise99 = [];
  for (let round = 0; round < rounds; round++) {
    const r = await measure(s, n);
    const g = r.stats;
    added99.push(r.p99 - r.d99);
    noise99.push(r.n99);
    console.log(label.padEnd(9) + `${f3(r.d50)}/${f3(r.d99)}`.padEnd(19) + `${f3(r.n50)}/${f3(r.n99)}`.padEnd(19) + `${f3(r.p50)}/${f3(r.p99)}`.padEnd(19)
      + `${f3(r.p50 - r.d50)}/${f3(r.p99 - r.d99)}`.padEnd(19) + `${(r.p99 / r.d99).toFixed(2)}x`.padEnd(11) + `${f1(r.dmbps)}/${f1(r.mbps)}`.padEnd(19)
      + `${g.gc}(${g.gcMajor})/${f1(g.gcMaxMs)}/${f1(g.gcTotalMs)}, ${f1(g.loopDelayP99Ms)}/${f1(g.loopDelayMaxMs)}`);
  }
  if (rounds > 1) {
    const sorted = [...added99].sort((a, b) => a - b);
    console.log(`${label.padEnd(9)}median of ${rounds} rounds: added p99 ${f3(median(added99))} ms (rounds ${sorted.map(f3).join(' ')}), noise p99 ${f3(median(noise99))} ms`
      + (kb === 100 ? `; target <= 1 ms: ${median(added99) <= 1 ? 'met' : 'NOT met'}` : ''));
  }
}
latencyProxy.stdin.end();

if (!values['no-rss']) {
  // Peak RSS of a fresh proxy process alone during one 50 MB response.
  const big = 50 * 1024 * 1024;
  const childSocket = join(dir, 'XDS-rss');
  const child = await startProxy(childSocket);
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) * 1024;
  const warm = streamTo(`unix://${childSocket}`);
  for (let i = 0; i < 20; i++) await warm.roundTrip(1024, i);
  let resetPeak = true;
  try { writeFileSync(`/proc/${child.pid}/clear_refs`, '5'); } catch { resetPeak = false; }
  const base = kb('VmRSS');
  const r = await warm.roundTrip(big, 0);
  const peak = kb('VmHWM');
  warm.close();
  child.stdin.end();
  const growth = peak - base;
  const mb = (x) => (x / 1048576).toFixed(1);
  console.log(`50 MB response via proxy: ${r.ms.toFixed(1)} ms; proxy process RSS ${mb(base)} MB before, peak ${mb(peak)} MB: growth ${mb(growth)} MB = ${(growth / big).toFixed(2)}x the message (target <= 2x)${resetPeak ? '' : ' [peak not reset: includes start-up]'}`);
}
upstream.child.stdin.end();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
