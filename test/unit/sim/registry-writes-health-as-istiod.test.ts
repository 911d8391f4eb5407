// The simulator's WorkloadEntry registry writes the Healthy condition the way real istiod does
// (found by the e2e tier, pinned here): both times are "now" on every report, the message only
// when unhealthy.
import { describe, expect, it, vi } from 'vitest';
import { Registry } from '../../sim/workload-entries.js';

describe('simulator registry: Healthy condition', () => {
  it('stamps lastTransitionTime on every report, even when the status is unchanged, as istiod does', async () => {
    const r = new Registry(1000);
    r.addGroup({ name: 'g', namespace: 'ns', uid: 'u', template: {} });
    const e = r.connect('ns', 'g', '10.0.0.1', undefined, {}, true);
    r.setHealth(e, false, 'Envoy is not ready');
    const first = e.status.conditions.find((c) => c.type === 'Healthy')!;
    // The next report a second later by the test's own clock (Date only), not after a sleep.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse(first.lastTransitionTime) + 1000);
    r.setHealth(e, false, 'connection refused');
    const second = e.status.conditions.find((c) => c.type === 'Healthy')!;
    expect(second).toMatchObject({ status: 'False', message: 'connection refused' });
    expect(second.lastTransitionTime).toBe(second.lastProbeTime);
    expect(second.lastTransitionTime > first.lastTransitionTime).toBe(true);
    r.setHealth(e, true, undefined);
    const healthy = e.status.conditions.find((c) => c.type === 'Healthy')!;
    expect(healthy.message).toBeUndefined();
    vi.useRealTimers();
    r.stop();
  });

  it('refuses a missing group with the text istiod puts after its "auto-registration WorkloadEntry of <id> failed: " prefix', () => {
    const r = new Registry(1000);
    expect(() => r.connect('ns', 'missing', '10.0.0.1', undefined, {}, false)).toThrow(/^cannot find WorkloadGroup ns\/missing$/);
  });
});
