import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../helpers/fake-clock.js';
import { waitFor } from '../../helpers/wait-for.js';
import { sidecarHarness, type Harness } from './sidecar-harness.js';

describe('Envoy crash → in-process restart with backoff (injected clock)', { timeout: 40_000 }, () => {
  let h: Harness | undefined;
  afterEach(async () => { await h?.cleanup(); h = undefined; });

  const envoyStatus = (x: Harness) => x.center.snapshot().components.find((c) => c.name === 'envoy');
  const starts = (x: Harness) => x.records().filter((r) => r.event === 'start').length;

  it('restarts after 100, 200, 400, 800 ms, shows the crash loop in status and the counter, and resets after 5 stable minutes', async () => {
    const clock = new FakeClock();
    const countFile = `/tmp/vmlet-fake-envoy-crashes-${process.pid}-${Date.now()}`;
    h = await sidecarHarness({
      clock,
      random: () => 0.5, // no jitter: the delays are the policy's own
      env: { FAKE_ENVOY_CRASH_AFTER_MS: '50', FAKE_ENVOY_CRASHES: '4', FAKE_ENVOY_CRASH_COUNT_FILE: countFile },
    });
    const x = h;
    x.start();
    const expected = [100, 200, 400, 800];
    for (const [i, delay] of expected.entries()) {
      await waitFor(() => x.records().filter((r) => r.event === 'crash').length === i + 1, { what: `crash ${i + 1}` });
      await waitFor(() => envoyStatus(x)?.detail.includes(`restart ${i + 1} in ${delay} ms`), { what: `status for restart ${i + 1}` });
      expect(envoyStatus(x)!.state).toBe('degraded');
      expect(x.center.gates.list().find((g) => g.name === 'envoy')!.passed).toBe(false);
      if (i >= 2) expect(envoyStatus(x)!.detail).toContain(`crash loop (${i + 1} exits in a row)`);
      expect(starts(x)).toBe(i + 1); // nothing restarts before the clock moves
      await clock.advance(delay);
      await waitFor(() => starts(x) === i + 2, { what: `start ${i + 2}` });
    }
    expect(x.metrics.render()).toMatch(/^vmlet_envoy_restarts_total 4$/m);
    // The fifth Envoy stays up; readiness probes on the injected clock until ready.
    await waitFor(async () => { await clock.advance(50); return x.sidecar.readiness.ready(); }, { what: 'ready after the crash loop', timeoutMs: 10_000 });
    expect(envoyStatus(x)).toMatchObject({ state: 'ok' });

    // Five stable minutes later a crash restarts after the base delay again.
    await clock.advance(300_000);
    process.kill(x.sidecar.process.pid!, 'SIGKILL');
    await waitFor(() => envoyStatus(x)?.detail.includes('restart 5 in 100 ms'), { what: 'reset backoff' });
    expect(envoyStatus(x)!.detail).toContain('killed by SIGKILL');
    await clock.advance(100);
    await waitFor(() => starts(x) === 6, { what: 'restart after reset' });
    (await import('node:fs')).rmSync(countFile, { force: true });
  });
});
