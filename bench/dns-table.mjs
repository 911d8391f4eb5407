// Benchmark (not a test): what a large mesh name table costs the running agent, and how fast it
// answers from it. The built agent (dist/, `npm run build` first) runs `vmlet run` with only the
// DNS proxy on (identity, Envoy, xDS and capture off), twice: once with a kept name table of
// --hosts hosts in its state dir (8/10 Kubernetes services in 100 namespaces, 2/10 ServiceEntries,
// 1-3 addresses each), once with none. It prints:
//   - idle RSS of each after --settle seconds (VmRSS), and the difference: the table's cost
//     (target: <= 10 MB for 10,000 hosts);
//   - table answers over UDP from a client in this process: p50/p99 at one query in flight
//     (target p99 <= 1 ms), and queries/s with --concurrency in flight.
//
//   npm run build && node bench/dns-table.mjs [--hosts 10000] [--queries 20000] [--concurrency 32] [--settle 5] [--node-arg=FLAG ...]
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import dnsPacket from 'dns-packet';
import protobuf from 'protobufjs';

const { values } = parseArgs({ options: { hosts: { type: 'string', default: '10000' }, queries: { type: 'string', default: '20000' }, concurrency: { type: 'string', default: '32' }, settle: { type: 'string', default: '5' }, 'node-arg': { type: 'string', multiple: true, default: [] } } });
/** --node-arg FLAG (repeatable): V8/Node flags for the agent, e.g. the packaged launcher's. */
const NODE_ARGS = values['node-arg'];
const HOSTS = Math.max(1, Math.min(200_000, Number(values.hosts)));
const QUERIES = Math.max(100, Math.min(1_000_000, Number(values.queries)));
const CONC = Math.max(1, Math.min(512, Number(values.concurrency)));
const SETTLE = Math.max(1, Math.min(60, Number(values.settle)));
const ROOT = new URL('..', import.meta.url).pathname;
const BUNDLE = join(ROOT, 'dist', 'vmlet.cjs');

// The table, encoded with the test's own copy of Istio's schema.
const NameTable = protobuf.parse(readFileSync(join(ROOT, 'test/fixtures/nds/nds.proto'), 'utf8'), { keepCase: true }).root.lookupType('istio.networking.nds.v1.NameTable');
const table = {};
const names = [];
for (let i = 0; i < HOSTS; i++) {
  const ips = Array.from({ length: 1 + (i % 3) }, (_, k) => `10.${(i >> 8) & 255}.${i & 255}.${k + 1}`);
  if (i % 10 < 8) {
    const ns = `ns${i % 100}`;
    const host = `svc${i}.${ns}.svc.cluster.local`;
    table[host] = { ips, registry: 'Kubernetes', shortname: `svc${i}`, namespace: ns };
    names.push(host, `svc${i}.${ns}`);
  } else {
    const host = `api${i}.example${i % 50}.com`;
    table[host] = { ips: [...ips, `fd00::${i.toString(16)}`], registry: 'External' };
    names.push(host);
  }
}
const bytes = NameTable.encode(NameTable.fromObject({ table })).finish();

const freePort = () => new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

async function startAgent(withTable) {
  const dir = mkdtempSync(join(tmpdir(), 'vmlet-bench-dns-'));
  if (withTable) {
    mkdirSync(join(dir, 'state', 'dns'), { recursive: true });
    writeFileSync(join(dir, 'state', 'dns', 'name-table.pb'), bytes);
  }
  const dnsPort = await freePort();
  const child = spawn(process.execPath, [...NODE_ARGS, BUNDLE, 'run', '--istio-dir', join(ROOT, 'test/fixtures/istio-vm'), '--config', join(ROOT, 'test/helpers/empty-config.yaml'), '--log-format', 'json'], {
    env: {
      PATH: process.env.PATH, VMLET_STATE_DIR: join(dir, 'state'), VMLET_RUN_DIR: join(dir, 'run'), VMLET_STATUS_PORT: String(await freePort()),
      VMLET_CAPTURE_ENABLED: 'false', VMLET_IDENTITY_ENABLED: 'false', VMLET_ENVOY_ENABLED: 'false', VMLET_XDS_ENABLED: 'false',
      ISTIO_META_DNS_CAPTURE: 'true', VMLET_DNS_MODE: 'capture', VMLET_DNS_PORT: String(dnsPort), VMLET_DNS_UPSTREAMS: '127.0.0.1:9',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  for (let i = 0; i < 200 && !out.includes('DNS proxy listening'); i++) await sleep(50);
  if (!out.includes('DNS proxy listening')) throw new Error(`vmlet did not start:\n${out}`);
  return { child, dnsPort, stop: () => { child.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); } };
}

/** Sends `n` queries for table names with `conc` in flight; per-query round-trip times (ms). */
async function load(port, n, conc) {
  const sock = createSocket('udp4');
  await new Promise((r) => sock.bind(0, '127.0.0.1', r));
  const pending = new Map();
  sock.on('message', (buf) => {
    const id = buf.readUInt16BE(0);
    const p = pending.get(id);
    if (p) { pending.delete(id); p(); }
  });
  const times = [];
  let next = 0;
  let answeredFromTable = 0;
  const one = (i) => new Promise((resolve) => {
    const id = i & 0xffff;
    const q = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: names[i % names.length] }] });
    const t0 = process.hrtime.bigint();
    const timer = setTimeout(() => { pending.delete(id); resolve(); }, 2000);
    pending.set(id, () => { clearTimeout(timer); times.push(Number(process.hrtime.bigint() - t0) / 1e6); answeredFromTable++; resolve(); });
    sock.send(q, port, '127.0.0.1');
  });
  const worker = async () => { while (next < n) await one(next++); };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: conc }, worker));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  sock.close();
  return { times, qps: answeredFromTable / secs, lost: n - answeredFromTable };
}

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };

const empty = await startAgent(false);
const full = await startAgent(true);
await sleep(SETTLE * 1000);
const [rssEmpty, rssFull] = [rssKb(empty.child.pid), rssKb(full.child.pid)];
empty.stop();
console.log(`name table: ${HOSTS} hosts, ${names.length} names queried, NameTable message ${(bytes.length / 1024).toFixed(0)} KiB`);
console.log(`idle RSS after ${SETTLE} s: DNS proxy without a table ${(rssEmpty / 1024).toFixed(1)} MB, with the table ${(rssFull / 1024).toFixed(1)} MB, added ${((rssFull - rssEmpty) / 1024).toFixed(1)} MB (target <= 10 MB)`);
await load(full.dnsPort, 2000, 8); // warm-up
const serial = await load(full.dnsPort, Math.min(QUERIES, 10_000), 1);
console.log(`table answers, 1 in flight: p50 ${pct(serial.times, 50).toFixed(3)} ms, p99 ${pct(serial.times, 99).toFixed(3)} ms, max ${Math.max(...serial.times).toFixed(3)} ms (target p99 <= 1 ms), ${serial.lost} lost`);
const sat = await load(full.dnsPort, QUERIES, CONC);
console.log(`table answers, ${CONC} in flight: ${Math.round(sat.qps)} queries/s, p50 ${pct(sat.times, 50).toFixed(3)} ms, p99 ${pct(sat.times, 99).toFixed(3)} ms, ${sat.lost} lost`);
full.stop();
