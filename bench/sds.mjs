// Benchmark (not a test): (1) SDS push latency after a certificate rotation, measured at 10
// Envoy-like gRPC streams over the Unix socket (target p99 <= 50 ms); (2) Envoy restart latency
// after a crash, with the fake Envoy (test/fakes/fake-envoy.mjs): SIGKILL → new process running,
// and → ready again, next to the backoff delay the policy asked for.
//
//   node bench/sds.mjs [--rotations 40] [--streams 10] [--crashes 4]
//
// Runs the TypeScript sources through tsx (a dev dependency), like the tests.
import { parseArgs } from 'node:util';
import { register } from 'tsx/esm/api';

register();
const { values } = parseArgs({ options: { rotations: { type: 'string', default: '40' }, streams: { type: 'string', default: '10' }, crashes: { type: 'string', default: '4' } } });
const rotations = Math.max(1, Math.min(500, Number(values.rotations)));
const nStreams = Math.max(1, Math.min(100, Number(values.streams)));
const crashes = Math.max(1, Math.min(8, Number(values.crashes)));

const { SdsServer } = await import('../src/sds/server.ts');
const { silentLogger } = await import('../src/log.ts');
const { systemClock } = await import('../src/lifecycle/types.ts');
const { makeTestPki, FakeIdentitySource } = await import('../test/integration/sds/test-pki.ts');
const { SdsTestClient } = await import('../test/integration/sds/sds-client.ts');
const { makeTmpDir } = await import('../test/helpers/tmp-dir.ts');
const { waitFor } = await import('../test/helpers/wait-for.ts');
const { sidecarHarness } = await import('../test/integration/envoy/sidecar-harness.ts');
const { ENVOY_RESTART } = await import('../src/envoy/sidecar.ts');

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };
const fmt = (ms) => `${ms.toFixed(1)} ms`;

// ── 1. SDS push latency
const pki = makeTestPki();
const tmp = makeTmpDir('bench-sds');
const identity = new FakeIdentitySource();
identity.set(pki);
const leaves = Array.from({ length: rotations }, () => pki.leaf());
const server = new SdsServer({ socketPath: tmp.join('sds', 'socket'), identity, logger: silentLogger(), clock: systemClock, fileWatchInterval: 1000 });
const stop = new AbortController();
const running = server.run(stop.signal);
await server.listening;
const client = new SdsTestClient(tmp.join('sds', 'socket'));
const streams = Array.from({ length: nStreams }, () => client.stream());
for (const s of streams) s.send({ node: { id: 'sidecar~10.0.0.5~vm1.bar~bar.svc.cluster.local' }, resource_names: ['default'] });
await waitFor(() => streams.every((s) => s.received.length === 1), { timeoutMs: 10_000 });
for (const s of streams) s.ack(['default']);
const samples = [];
for (const [i, leaf] of leaves.entries()) {
  const t0 = performance.now();
  identity.set(pki, leaf);
  await waitFor(() => streams.every((s) => s.received.length === i + 2), { timeoutMs: 10_000, intervalMs: 1 });
  for (const s of streams) { samples.push(s.arrivals.at(-1) - t0); s.ack(['default']); }
}
for (const s of streams) s.close();
client.close();
stop.abort();
await running;
tmp.cleanup();
pki.cleanup();
console.log(`SDS push after rotation: ${rotations} rotations x ${nStreams} streams = ${samples.length} samples: p50 ${fmt(pct(samples, 50))}, p99 ${fmt(pct(samples, 99))}, max ${fmt(Math.max(...samples))} (target p99 <= 50 ms)`);
console.log('  (each sample: rotation -> the response arriving at one stream, timestamped in its data handler)');

// ── 2. Envoy restart latency after a crash (fake Envoy; jitter off)
const h = await sidecarHarness({ random: () => 0.5 });
h.start();
await waitFor(() => h.sidecar.readiness.ready(), { timeoutMs: 15_000 });
const starts = () => h.records().filter((r) => r.event === 'start');
for (let i = 0; i < crashes; i++) {
  const before = starts().length;
  const pid = h.sidecar.process.pid;
  const t0 = performance.now();
  process.kill(pid, 'SIGKILL');
  await waitFor(() => h.sidecar.states.state === 'running' && h.sidecar.process.pid !== pid, { timeoutMs: 40_000, intervalMs: 1 });
  const running = performance.now() - t0;
  await waitFor(() => h.sidecar.readiness.ready(), { timeoutMs: 40_000, intervalMs: 1 });
  const ready = performance.now() - t0;
  await waitFor(() => starts().length === before + 1, { timeoutMs: 5000 });
  const delay = ENVOY_RESTART.base * ENVOY_RESTART.factor ** i; // jitter off, crashes within resetAfter
  console.log(`Envoy restart ${i + 1}: backoff ${delay} ms; SIGKILL -> new Envoy running ${fmt(running)} (overhead ${fmt(running - delay)}); -> ready again (SDS fetched, admin probes every 50 ms) ${fmt(ready)}`);
}
await h.cleanup();
