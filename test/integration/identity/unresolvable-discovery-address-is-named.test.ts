// A discovery address this VM cannot resolve (a hosts file that lost istiod's line, a typo in
// mesh.yaml): identity's status names the host and the resolver's error with
// VMLET_CA_UNAVAILABLE, the identity gate stays unmet, and `vmlet status` explains it with the
// cause and fix doctor gives for that code. (`.invalid` never resolves: RFC 2606.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explained } from '../../../src/cli/status.js';
import { EXPLANATIONS } from '../../../src/doctor/explain.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { runIdentity, statusOf } from './harness.js';

describe('a discovery address that does not resolve', { timeout: 30_000 }, () => {
  let sim: Simulator;
  let tmp: TmpDir;
  beforeAll(async () => {
    sim = await startSimulator();
    tmp = makeTmpDir('identity-dns');
  });
  afterAll(async () => {
    await sim.stop();
    tmp.cleanup();
  });

  it('status names the host and the resolver error with VMLET_CA_UNAVAILABLE; the gate explains it', async () => {
    await sim.writeVmDir(tmp.join('istio'), { ns: 'bar', sa: 'vm-sa' });
    const run = runIdentity(tmp.join('istio'), { 'identity.storeDir': tmp.join('store'), 'istiod.caAddress': 'istiod.vmlet-test.invalid:15012' });
    try {
      const s = await waitFor(() => { const st = statusOf(run); return st?.detail.includes('[VMLET_CA_UNAVAILABLE]') ? st : undefined; }, { timeoutMs: 20_000, what: 'VMLET_CA_UNAVAILABLE' });
      expect(s.detail).toMatch(/istiod\.vmlet-test\.invalid/);
      expect(s.detail).toMatch(/ENOTFOUND|EAI_AGAIN/);
      const gate = explained(run.center.snapshot()).gates.find((g) => g.name === 'identity');
      expect(gate).toMatchObject({ passed: false, ...EXPLANATIONS.VMLET_CA_UNAVAILABLE });
    } finally {
      await run.stop();
    }
  });
});
