// main.ts calls identity.begin() as soon as identity is wired: the first CSR goes to istiod while
// the later phases load and wire, and identity's component, run afterwards, takes its outcome
// over (no second CSR; a failure ends the run as a failure of its own request did).
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { ParkedClock } from '../../helpers/fake-clock.js';
import { waitFor } from '../../helpers/wait-for.js';
import { runIdentity } from './harness.js';

describe('the first certificate request begun before the component runs', { timeout: 20_000 }, () => {
  let sim: Simulator;
  let tmp: TmpDir;
  beforeAll(async () => {
    sim = await startSimulator();
    tmp = makeTmpDir('identity-begin');
    await sim.writeVmDir(tmp.join('istio'), { ns: 'bar', sa: 'vm-sa' });
    await sim.writeVmDir(tmp.join('istio-no-token'), { ns: 'bar', sa: 'vm-sa', token: '' });
  });
  afterAll(async () => {
    await sim.stop();
    tmp.cleanup();
  });

  it('begin() gets and stores the certificate before run(); run() adopts it without a second CSR', async () => {
    const before = sim.calls.length;
    // Sleeps end only on abort: the renewal wait run() parks on is the event that it has taken over.
    const clock = new ParkedClock();
    const run = runIdentity(tmp.join('istio'), { 'identity.storeDir': tmp.join('store') }, { clock, deferRun: true });
    try {
      run.identity.begin();
      await waitFor(() => existsSync(tmp.join('store', 'cert-chain.pem')) && run.identity.source.current(), { what: 'the first certificate, stored, with no component running', timeoutMs: 10_000 });
      expect(sim.calls.length - before).toBe(1);
      run.start();
      await waitFor(() => clock.sleeps.length > 0, { what: "identity's run waiting for the renewal" });
      expect(sim.calls.length - before).toBe(1);
      expect(run.ended).toEqual([]);
    } finally {
      await run.stop();
    }
  });

  it("a first request begun without a token ends identity's run with VMLET_TOKEN_MISSING once it runs", async () => {
    const run = runIdentity(tmp.join('istio-no-token'), { 'identity.storeDir': tmp.join('store2') }, { clock: new ParkedClock(), deferRun: true });
    try {
      run.identity.begin();
      run.start();
      await waitFor(() => run.ended.length > 0, { what: "identity's run ending" });
      expect((run.ended[0] as { code?: string }).code).toBe('VMLET_TOKEN_MISSING');
    } finally {
      await run.stop();
    }
  });
});
