// Benchmark (not a test): what the xDS proxy adds over a direct connection to istiod.
// Processes as in a VM: the client (this one, standing in for Envoy: plain HTTP/2 with Envoy's
// default 256 MiB windows, keeping no response bytes), an istiod stand-in (upstream-child.mjs:
// every DiscoveryRequest gets one DiscoveryResponse of the asked size, the same bytes on every
// path, written from one buffer), vmlet's XdsProxy
// (proxy-child.mjs, with the real HTTP/2 session settings), and a plain byte pipe (pipe-child.mjs,
// NOT vmlet) between a Unix socket and the stand-in. Round trips alternate, the order rotating
// every iteration, between four streams: direct, a second direct stream on a connection of its own
// (its difference to the first is this run's noise floor), through the pipe (what one more process
// in the path costs on this machine whatever it does: the floor under the proxy's numbers, taken
// in the same seconds as the proxy's), and through the proxy. Prints per size and round
// direct/noise/pipe/proxy p50 and p99 per response, what the proxy adds over direct and over the
// pipe, throughput, and the proxy's GC pauses and event-loop delay; then the p99s of all rounds'
// samples pooled (one round of 1,000 has only ten samples above its p99, so one stall moves it by
// ms) and the median of the rounds. Last, the peak RSS growth of a fresh proxy process during one
// 50 MB response (VmHWM reset via clear_refs).
// Targets: p99 added <= 1 ms at 100 KB; RSS growth <= 2x the largest message.
//
//   node bench/xds/overhead.mjs [--iterations 200] [--sizes 1,100,10240 (KB)] [--rounds 1] [--no-rss]
// XDS_BENCH_CHILD_FLAGS passes node flags to the proxy process (e.g. --cpu-prof).
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from 'tsx/esm/api';

register();
const { values } = parseArgs({ options: { iterations: { type: 'string', default: '200' }, sizes: { type: 'string', default: '1,100,10240' }, rounds: { type: 'string', default: '1' }, 'no-rss': { type: 'boolean', default: false } } });
const rounds = Math.max(1, Math.min(20, Number(values.rounds)));
const sizesKb = values.sizes.split(',').map(Number);
const iterations = Math.max(5, Math.min(2000, Number(values.iterations)));
const protobuf = (await import('protobufjs')).default;

const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const ENVOY_DEFAULT_WINDOW = 256 * 1024 * 1024;
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
const startProxy = async (path) => (await startChild('./proxy-child.mjs', [String(port), path], /ready/, proxyFlags)).child;
const socketPath = join(dir, 'XDS');
const pipePath = join(dir, 'PIPE');
const latencyProxy = await startProxy(socketPath);
const pipe = (await startChild('./pipe-child.mjs', [String(port), pipePath], /ready/)).child;

const ADS_PATH = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';
/**
 * The Envoy stand-in's ADS stream: plain HTTP/2 with Envoy's 256 MiB windows. It counts each
 * response's bytes off its 5-byte prefix and keeps none of them, so its own garbage (Envoy has no
 * GC) stays out of the latencies it measures on every path.
 */
function streamTo(address) {
  const unix = address.startsWith('unix://') ? address.slice(7) : undefined;
  const session = http2.connect(unix ? 'http://localhost' : `http://${address}`, {
    settings: { initialWindowSize: ENVOY_DEFAULT_WINDOW }, maxSessionMemory: Number.MAX_SAFE_INTEGER,
    ...(unix ? { createConnection: () => net.connect(unix) } : {}),
  });
  session.on('error', () => {});
  session.once('connect', (s, socket) => { socket.setNoDelay?.(true); s.setLocalWindowSize(ENVOY_DEFAULT_WINDOW); });
  const stream = session.request({ ':method': 'POST', ':path': ADS_PATH, 'content-type': 'application/grpc', te: 'trailers' }, { endStream: false });
  stream.on('error', () => {});
  let waiting;
  let head = 0; // prefix bytes still to read of the current response
  let len = 0; // its length, once known
  let need = -1; // message bytes still to come; -1: reading a prefix
  const prefix = Buffer.alloc(5);
  stream.on('data', (chunk) => {
    for (let pos = 0; pos < chunk.length;) {
      if (need < 0) {
        const n = Math.min(5 - head, chunk.length - pos);
        chunk.copy(prefix, head, pos, pos + n);
        head += n;
        pos += n;
        if (head < 5) return;
        head = 0;
        len = need = prefix.readUInt32BE(1);
      }
      const n = Math.min(need, chunk.length - pos);
      need -= n;
      pos += n;
      if (need === 0) {
        need = -1;
        const w = waiting;
        waiting = undefined;
        w?.(len);
      }
    }
  });
  return {
    roundTrip: (size, n) => new Promise((res) => {
      const t0 = process.hrtime.bigint();
      waiting = (got) => res({ ms: Number(process.hrtime.bigint() - t0) / 1e6, len: got });
      const req = request(size, n);
      const framed = Buffer.allocUnsafe(5 + req.length);
      framed[0] = 0;
      framed.writeUInt32BE(req.length, 1);
      req.copy(framed, 5);
      stream.write(framed);
    }),
    close: () => { stream.close(); session.close(); },
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

/** Streams in the order their times are kept: direct, direct (noise), pipe, proxy. */
const PATHS = ['direct', 'noise', 'pipe', 'proxy'];
async function measure(size, n) {
  const streams = [streamTo(`127.0.0.1:${port}`), streamTo(`127.0.0.1:${port}`), streamTo(`unix://${pipePath}`), streamTo(`unix://${socketPath}`)];
  for (let i = 0; i < Math.min(50, n); i++) for (const st of streams) await st.roundTrip(size, i);
  await childStats(latencyProxy);
  const times = streams.map(() => []);
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < streams.length; k++) {
      const j = (i + k) % streams.length;
      const r = await streams[j].roundTrip(size, i);
      times[j].push(r.ms);
      if (j === 3) bytes += r.len;
    }
  }
  for (const st of streams) st.close();
  const stats = await childStats(latencyProxy);
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  return { times, mbps: bytes / 1e6 / (sum(times[3]) / 1000), dmbps: bytes / 1e6 / (sum(times[0]) / 1000), stats };
}

/** p50 and p99 of each path, and the differences the bench is about. */
function summarize(times) {
  const [d, d2, pp, p] = times.map((xs) => ({ p50: pct(xs, 50), p99: pct(xs, 99) }));
  const diff = (a, b) => ({ p50: a.p50 - b.p50, p99: a.p99 - b.p99 });
  return { d, noise: diff(d2, d), pipe: diff(pp, d), added: diff(p, d), overPipe: diff(p, pp), ratio99: p.p99 / d.p99 };
}

const f3 = (x) => x.toFixed(3);
const f1 = (x) => x.toFixed(1);
const pair = (x) => `${f3(x.p50)}/${f3(x.p99)}`.padEnd(16);
console.log(`iterations ${iterations} (10 MB: ${Math.max(5, Math.floor(iterations / 20))}) per path and round; ms; noise = 2nd direct stream - 1st; pipe = a plain byte pipe (NOT vmlet) - direct; added = proxy - direct; loop delay includes its 1 ms timer`);
console.log('size     direct p50/p99  noise p50/p99   pipe p50/p99    added p50/p99   over pipe       p99 ratio  MB/s direct/proxy  proxy GC n(major)/max/total, loop delay p99/max');
const median = (xs) => pct(xs, 50);
const line = (label, r) => label.padEnd(9) + pair(r.d) + pair(r.noise) + pair(r.pipe) + pair(r.added) + pair(r.overPipe) + `${r.ratio99.toFixed(2)}x`.padEnd(11);
for (const kb of sizesKb) {
  const [label, s, n] = [kb >= 1024 ? `${kb / 1024} MB` : `${kb} KB`, kb * 1024, kb >= 1024 ? Math.max(5, Math.floor(iterations / 20)) : iterations];
  const perRound = [];
  const pooled = PATHS.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const r = await measure(s, n);
    const g = r.stats;
    const sum = summarize(r.times);
    perRound.push(sum);
    r.times.forEach((xs, j) => pooled[j].push(...xs));
    console.log(line(label, sum) + `${f1(r.dmbps)}/${f1(r.mbps)}`.padEnd(19)
      + `${g.gc}(${g.gcMajor})/${f1(g.gcMaxMs)}/${f1(g.gcTotalMs)}, ${f1(g.loopDelayP99Ms)}/${f1(g.loopDelayMaxMs)}`);
  }
  if (rounds > 1) {
    const all = summarize(pooled);
    console.log(line(`${label}`, all) + `all ${rounds} rounds pooled (${pooled[0].length} samples per path)`);
    const med = (f) => f3(median(perRound.map(f)));
    console.log(`${label.padEnd(9)}median of ${rounds} rounds: added p99 ${med((r) => r.added.p99)} ms (rounds ${perRound.map((r) => f3(r.added.p99)).join(' ')}), pipe p99 ${med((r) => r.pipe.p99)} ms, over pipe p99 ${med((r) => r.overPipe.p99)} ms, noise p99 ${med((r) => r.noise.p99)} ms`);
    if (kb === 100) console.log(`${label.padEnd(9)}target added p99 <= 1 ms (pooled): ${all.added.p99 <= 1 ? 'met' : 'NOT met'} (${f3(all.added.p99)} ms; a plain pipe in the same place adds ${f3(all.pipe.p99)} ms, the proxy ${f3(all.overPipe.p99)} ms more than the pipe)`);
  }
}
latencyProxy.stdin.end();
pipe.stdin.end();

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
