import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { StatusServer } from '../../../src/status/index.js';
import { waitFor } from '../../helpers/wait-for.js';
import { sidecarHarness, type Harness } from './sidecar-harness.js';

describe('Envoy readiness feeds vmlet\'s /healthz/ready', { timeout: 30_000 }, () => {
  let h: Harness | undefined;
  let server: StatusServer | undefined;
  const stop = new AbortController();
  afterEach(async () => { stop.abort(); await h?.cleanup(); h = undefined; });

  it('503 naming the envoy gate until the fake Envoy has its certificate and config, then 200', async () => {
    const x = await sidecarHarness({ env: { FAKE_ENVOY_SDS: '1' } });
    h = x;
    server = new StatusServer({ address: '127.0.0.1', port: 0, allowNonLoopback: false, center: x.center, metrics: x.metrics, debugConfig: () => ({}), logger: silentLogger() });
    const port = await server.listen();
    void server.run(stop.signal);
    x.center.wiringComplete();
    const ready = async () => { const r = await fetch(`http://127.0.0.1:${port}/healthz/ready`); return { status: r.status, body: await r.text() }; };
    const before = await ready();
    expect(before.status).toBe(503);
    expect(before.body).toContain('envoy: Envoy not started yet');
    // The fake Envoy counts its config as received only after both SDS secrets arrived and matched.
    x.start();
    await waitFor(async () => (await ready()).status === 200, { what: '200 once Envoy is ready', timeoutMs: 10_000 });
    expect(x.sidecar.readiness.ready()).toBe(true);
    process.kill(x.sidecar.process.pid!, 'SIGKILL');
    await waitFor(async () => (await ready()).body.includes('envoy: Envoy'), { what: '503 again after a crash' });
  });
});
