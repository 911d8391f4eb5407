import { describe, expect, it } from 'vitest';
import { supervised } from '../../../src/lifecycle/index.js';
import { silentLogger } from '../../../src/log.js';
import { MetricsRegistry, StatusCenter } from '../../../src/status/index.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { waitFor } from '../../helpers/wait-for.js';

describe('supervised', () => {
  it('shows each restart in the status line and counts it in vmlet_component_restarts_total', async () => {
    const clock = new FakeClock();
    const status = new StatusCenter();
    const metrics = new MetricsRegistry();
    let starts = 0;
    const envoy = {
      name: 'envoy',
      async run(signal: AbortSignal) {
        starts += 1;
        if (starts <= 2) throw new Error(`exited with code ${starts}`);
        await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
      },
    };
    const ctl = new AbortController();
    const done = supervised(envoy, { name: 'envoy-restart', base: 100, factor: 2, cap: 1000, jitter: 0, resetAfter: 5000 }, { clock, logger: silentLogger(), status, metrics }).run(ctl.signal);
    await waitFor(() => clock.waiting === 1);
    expect(status.snapshot().components).toMatchObject([{ name: 'envoy', state: 'degraded', detail: 'restarting (1) in 100 ms: exited with code 1' }]);
    await clock.advance(100);
    await waitFor(() => clock.waiting === 1 && clock.sleeps.length === 2);
    expect(status.snapshot().components[0]!.detail).toBe('restarting (2) in 200 ms: exited with code 2');
    await clock.advance(200);
    await waitFor(() => starts === 3);
    expect(metrics.render()).toContain('vmlet_component_restarts_total{component="envoy"} 2');
    ctl.abort();
    await done;
  }, 5000);
});
