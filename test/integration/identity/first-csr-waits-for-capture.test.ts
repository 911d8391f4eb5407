// The first CSR waits for capture's first apply (main.ts passes capture.settled), as
// istio-start.sh installs the rules before pilot-agent dials istiod; rules landing in the middle
// of the first CSR lost its answer in the package tier. The wait is bounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { runIdentity } from './harness.js';

describe('the first certificate request and capture', { timeout: 20_000 }, () => {
  let sim: Simulator;
  let tmp: TmpDir;
  beforeAll(async () => {
    sim = await startSimulator();
    tmp = makeTmpDir('identity-after-capture');
    await sim.writeVmDir(tmp.join('istio'), { ns: 'bar', sa: 'vm-sa' });
  });
  afterAll(async () => {
    await sim.stop();
    tmp.cleanup();
  });

  it('sends no CSR until capture has settled, then one', async () => {
    let settle!: () => void;
    const settled = new Promise<void>((r) => { settle = r; });
    const run = runIdentity(tmp.join('istio'), { 'identity.storeDir': tmp.join('store') }, { beforeFirstCall: settled });
    try {
      await new Promise((r) => setTimeout(r, 800));
      expect(sim.calls).toHaveLength(0);
      settle();
      await waitFor(() => run.identity.source.current(), { what: 'first certificate', timeoutMs: 10_000 });
      expect(sim.calls).toHaveLength(1);
    } finally {
      await run.stop();
    }
  });

  it('a stop while waiting ends the wait at once', async () => {
    const run = runIdentity(tmp.join('istio'), { 'identity.storeDir': tmp.join('store2') }, { beforeFirstCall: new Promise(() => undefined) });
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 100));
    await run.stop();
    expect(Date.now() - t0).toBeLessThan(2_000);
  });
});
