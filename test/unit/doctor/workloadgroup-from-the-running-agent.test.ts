// With an agent running, doctor's WorkloadGroup verdict is the agent's own xDS status (no stream
// of doctor's own): pass when istiod accepts it, fail with the group's fix when istiod refuses it.
import { describe, expect, it } from 'vitest';
import type { AgentView } from '../../../src/doctor/agent.js';
import { workloadGroupFromAgent } from '../../../src/doctor/istiod-checks.js';

const agent = (state: string, detail: string): AgentView => ({
  url: 'http://127.0.0.1:15020',
  snapshot: { phase: 'starting', ready: false, gates: [], line: '', components: [{ name: 'xds', state: state as never, detail, since: '' }] },
});

describe('workloadgroup from the running agent', () => {
  it('passes when the agent\'s stream is accepted', () => {
    expect(workloadGroupFromAgent(agent('ok', "Envoy's sotw xDS stream proxied to istiod"))).toMatchObject({ status: 'pass' });
  });
  it("fails with the group's fix when istiod refused it for a missing WorkloadGroup", () => {
    const v = workloadGroupFromAgent(agent('degraded', 'istiod rejected the stream: FAILED_PRECONDITION auto-registration WorkloadEntry of vm failed: cannot find WorkloadGroup bar/x'));
    expect(v).toMatchObject({ status: 'fail', fix: expect.stringMatching(/kubectl apply the WorkloadGroup/) });
  });
  it('has no verdict while the agent is still starting (doctor then asks istiod itself)', () => {
    expect(workloadGroupFromAgent(agent('starting', 'waiting for Envoy'))).toBeUndefined();
  });
});
