// The local status server on a real socket (port 0): readiness with unmet gates and
// TERMINATING, liveness, Prometheus metrics, redacted /debug/config, and /events over WebSocket.
import { cpSync, appendFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfigOrThrow, redactConfig } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/log.js';
import { addProcessMetrics, MetricsRegistry, StatusCenter, StatusServer, type VmletEvent } from '../../../src/status/index.js';
import { ISTIO_FIXTURE } from '../../helpers/test-config.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { EMPTY_CONFIG, httpGet } from '../../helpers/vmlet-process.js';
import { waitFor } from '../../helpers/wait-for.js';

const SECRET = 'Bearer s3cr3t-never-shown';

describe('status server', () => {
  const tmp = makeTmpDir('status');
  const center = new StatusCenter();
  const metrics = new MetricsRegistry();
  const proc = addProcessMetrics(metrics);
  let server: StatusServer;
  let port: number;
  const ctl = new AbortController();
  let running: Promise<void>;

  beforeAll(async () => {
    // The fixture plus a credential in cluster.env, to see it redacted.
    cpSync(ISTIO_FIXTURE, tmp.join('istio'), { recursive: true });
    appendFileSync(tmp.join('istio', 'cluster.env'), `XDS_HEADER_AUTHORIZATION='${SECRET}'\n`);
    const config = loadConfigOrThrow({ env: {}, istioDir: tmp.join('istio'), configPath: EMPTY_CONFIG }).config;
    server = new StatusServer({
      address: '127.0.0.1', port: 0, allowNonLoopback: false, center, metrics, logger: silentLogger(),
      debugConfig: () => ({ config: redactConfig(config) }),
    });
    port = await server.listen();
    running = server.run(ctl.signal);
  });
  afterAll(async () => {
    ctl.abort();
    await running;
    proc.stop();
    tmp.cleanup();
  });

  it('listens on the port the OS picked for port 0', () => {
    expect(port).toBeGreaterThan(0);
    expect(server.port).toBe(port);
  });

  it('/healthz/ready is 503 naming each unmet gate and its reason, 200 once all passed', async () => {
    const identity = center.gates.register('identity');
    const envoy = center.gates.register('envoy');
    identity.fail('istiod CA unreachable (connection refused)');
    center.wiringComplete();
    expect(await httpGet(port, '/healthz/ready')).toMatchObject({
      status: 503,
      body: 'not ready: identity: istiod CA unreachable (connection refused); envoy: not checked yet\n',
    });
    identity.pass();
    envoy.pass();
    expect(await httpGet(port, '/healthz/ready')).toMatchObject({ status: 200, body: 'READY\n' });
    expect(await httpGet(port, '/healthz/live')).toMatchObject({ status: 200, body: 'LIVE\n' });
  });

  it('/metrics is Prometheus text with HELP and TYPE, including resident memory', async () => {
    metrics.counter('vmlet_test_events_total', 'Events in this test.', ['kind']).inc({ kind: 'a' });
    const res = await httpGet(port, '/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.body).toContain('# HELP vmlet_test_events_total Events in this test.\n# TYPE vmlet_test_events_total counter\nvmlet_test_events_total{kind="a"} 1\n');
    const rss = Number(/^process_resident_memory_bytes (\d+)$/m.exec(res.body)?.[1]);
    expect(rss).toBeGreaterThan(10 * 1024 * 1024);
    expect(res.body).toMatch(/^# TYPE process_resident_memory_bytes gauge$/m);
  });

  it('/debug/config shows the configuration with credentials as *****', async () => {
    const res = await httpGet(port, '/debug/config');
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { config: { general: { statusPort: number }; istio: { clusterEnv: Record<string, string> } } };
    expect(body.config.general.statusPort).toBe(15020);
    expect(body.config.istio.clusterEnv.XDS_HEADER_AUTHORIZATION).toBe('*****');
    expect(body.config.istio.clusterEnv.ISTIO_NAMESPACE).toBe('bar');
    expect(res.body).not.toContain('s3cr3t');
  });

  it('/events sends the current state first, then one event per change', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/events`);
    const got: VmletEvent[] = [];
    ws.on('message', (m) => got.push(JSON.parse(String(m)) as VmletEvent));
    try {
      await waitFor(() => got.length >= 1, { what: 'the first event' });
      expect(got[0]).toMatchObject({ type: 'state', data: { phase: 'ready', ready: true, gates: [{ name: 'identity', passed: true }, { name: 'envoy', passed: true }] } });
      center.set('envoy', 'degraded', 'restarting (1)');
      center.gates.register('envoy').fail('admin not answering');
      await waitFor(() => got.length >= 3, { what: 'two change events' });
      expect(got.slice(1).map((e) => [e.type, e.data])).toEqual([
        ['component', expect.objectContaining({ name: 'envoy', state: 'degraded', detail: 'restarting (1)' })],
        ['gate', { name: 'envoy', passed: false, reason: 'admin not answering' }],
      ]);
      expect(got[2]!.seq).toBe(got[1]!.seq + 1);
    } finally {
      ws.close();
    }
  });

  it('/healthz/ready says TERMINATING while stopping, and unknown paths are 404', async () => {
    center.gates.register('envoy').pass();
    center.transitionTo('stopping');
    expect(await httpGet(port, '/healthz/ready')).toMatchObject({ status: 503, body: 'TERMINATING\n' });
    expect((await httpGet(port, '/nope')).status).toBe(404);
  });

  it('refuses a non-loopback address unless allowed', () => {
    const base = { port: 0, center, metrics, logger: silentLogger(), debugConfig: () => ({}) };
    expect(() => new StatusServer({ ...base, address: '0.0.0.0', allowNonLoopback: false })).toThrow(expect.objectContaining({ code: 'VMLET_STATUS_NON_LOOPBACK' }));
    expect(() => new StatusServer({ ...base, address: '0.0.0.0', allowNonLoopback: true })).not.toThrow();
  });
});
