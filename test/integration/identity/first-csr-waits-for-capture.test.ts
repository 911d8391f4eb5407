// The first CSR waits for capture's first apply (main.ts passes capture.settled), as
// istio-start.sh installs the rules before pilot-agent dials istiod; rules landing in the middle
// of the first CSR lost its answer in the package tier. The wait is bounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { ParkedClock } from '../../helpers/fake-clock.js';
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
    // Sleeps end only on abort: the capture wait's 10 s bound cannot pass by while the test looks.
    const clock = new ParkedClock();
    const run = runIdentity(tmp.join('istio'), { 'identity.storeDir': tmp.join('store') }, { beforeFirstCall: settled, clock });
    try {
      // The event: identity is parked on the capture wait (its bounded sleep has begun), no CSR sent.
      await waitFor(() => clock.sleeps.includes(10_000), { what: 'identity waiting for capture' });
      expect(sim.calls).toHaveLength(0);
      settle();
      await waitFor(() => run.identity.source.current(), { what: 'first certificate', timeoutMs: 10_000 });
      expect(sim.calls).toHaveLength(1);
    } finally {
      await run.stop();
    }
  });

  it('a stop while waiting ends the wait at once', async () => {
    // Neither capture nor the wait's bound ever ends here: only the stop can end the run.
    const clock = new ParkedClock();
    const before = sim.calls.length;
    const run = runIdentity(tmp.join('istio'), { 'identity.storeDir': tmp.join('store2') }, { beforeFirstCall: new Promise(() => undefined), clock });
    await waitFor(() => clock.sleeps.includes(10_000), { what: 'identity waiting for capture' });
    await run.stop();
    expect(sim.calls).toHaveLength(before);
  });
});
