// An overloaded istiod answers a CSR later than istiod.requestTimeout: vmlet asks again with twice
// the deadline (up to 8×) instead of the same one, so the certificate arrives; with a fixed
// deadline every attempt would run out of time and istiod would sign CSRs nobody waits for. The
// unanswered CSR is sent again as it was (no new key pair where CPU is short).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { runIdentity } from './harness.js';

describe('a CA request that ran out of time is retried with a longer deadline', { timeout: 30_000 }, () => {
  let sim: Simulator;
  let tmp: TmpDir;
  beforeAll(async () => {
    sim = await startSimulator();
    tmp = makeTmpDir('identity-slow-ca');
  });
  afterAll(async () => {
    await sim.stop();
    tmp.cleanup();
  });

  it('istiod answering in 1.5 s with a 1 s deadline: the same CSR is sent again with 2 s and gets the certificate', async () => {
    const token = await sim.mintToken({ ns: 'bar', sa: 'vm-sa' });
    await sim.writeVmDir(tmp.join('istio'), { ns: 'bar', sa: 'vm-sa', token });
    sim.faults.delayMs = 1500;
    const run = runIdentity(tmp.join('istio'), { 'identity.storeDir': tmp.join('store'), 'istiod.requestTimeout': '1s' });
    try {
      const id = await waitFor(() => run.identity.source.current(), { what: 'a certificate from the slow CA', timeoutMs: 20_000 });
      expect(id.spiffeId).toBe('spiffe://cluster.local/ns/bar/sa/vm-sa');
      // Each request that ran out of time was followed by one with twice its deadline (a loaded
      // machine may need a third); without the growth every one would run out at 1000 ms.
      const deadlines = (run.logs.join('').match(/did not answer within \d+ ms/g) ?? []).map((m) => Number(/\d+/.exec(m)![0]));
      expect(deadlines.length).toBeGreaterThanOrEqual(1);
      expect(deadlines).toEqual([1000, 2000, 4000, 8000].slice(0, deadlines.length));
      expect(run.metrics.render()).toMatch(/vmlet_identity_renewals_total\{result="success"\} 1/);
      // The unanswered CSR was sent again as it was: no new key pair per attempt.
      expect(sim.calls.length).toBeGreaterThanOrEqual(2);
      expect(new Set(sim.calls.map((c) => c.csrPem)).size).toBe(1);
    } finally {
      await run.stop();
    }
  });
});
