import { describe, expect, it } from 'vitest';
import { HealthChecker, type HealthState } from '../../../src/health/checker.js';
import { systemClock } from '../../../src/lifecycle/types.js';
import type { ProbeSpec } from '../../../src/health/probe-spec.js';
import { waitFor } from '../../helpers/wait-for.js';

function checker(results: (string | undefined)[], spec: Partial<ProbeSpec> = {}, envoy: () => string | undefined = () => undefined) {
  const reports: HealthState[] = [];
  const c = new HealthChecker({
    spec: { action: { kind: 'tcp', port: 1 }, initialDelay: 0, timeout: 1000, period: 1000, successThreshold: 1, failureThreshold: 1, ...spec },
    probe: async () => results.shift(),
    envoyReady: envoy,
    clock: systemClock,
    onChange: (s) => reports.push(s),
  });
  return { c, reports };
}

describe('health checker', () => {
  it('reports each transition once', async () => {
    const { c, reports } = checker([undefined, undefined, 'down', 'down', undefined]);
    for (let i = 0; i < 5; i++) await c.checkOnce();
    expect(reports).toEqual([{ healthy: true }, { healthy: false, message: 'down' }, { healthy: true }]);
  });

  it('waits for the thresholds, and alternation resets the count', async () => {
    const { c, reports } = checker([undefined, 'x', undefined, undefined, 'a', 'b', 'c'], { successThreshold: 2, failureThreshold: 3 });
    for (let i = 0; i < 7; i++) await c.checkOnce();
    expect(reports).toEqual([{ healthy: true }, { healthy: false, message: 'c' }]);
  });

  it('is unhealthy while Envoy is not ready, whatever the app says', async () => {
    let envoy: string | undefined = 'LDS not synced';
    const { c, reports } = checker([undefined, undefined], {}, () => envoy);
    await c.checkOnce();
    envoy = undefined;
    await c.checkOnce();
    expect(reports).toEqual([{ healthy: false, message: 'Envoy is not ready: LDS not synced' }, { healthy: true }]);
  });

  it('reports a new reason while unhealthy, once (istiod would otherwise keep a stale message)', async () => {
    let envoy: string | undefined = 'no config yet';
    const { c, reports } = checker(['connection refused', 'connection refused'], {}, () => envoy);
    await c.checkOnce();
    envoy = undefined;
    await c.checkOnce();
    await c.checkOnce();
    expect(reports).toEqual([{ healthy: false, message: 'Envoy is not ready: no config yet' }, { healthy: false, message: 'connection refused' }]);
  });

  it('runs until aborted', async () => {
    const { c, reports } = checker([undefined], { period: 10 });
    const ac = new AbortController();
    const done = c.run(ac.signal);
    await waitFor(() => reports.length === 1, { what: 'the first report' });
    ac.abort();
    await done;
    expect(reports).toEqual([{ healthy: true }]);
  });
});
