import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { ParkedClock } from '../../helpers/fake-clock.js';
import { waitFor } from '../../helpers/wait-for.js';
import { runIdentity } from './harness.js';

describe('a restart with a valid stored certificate', { timeout: 20_000 }, () => {
  let sim: Simulator;
  let tmp: TmpDir;
  beforeAll(async () => {
    sim = await startSimulator();
    tmp = makeTmpDir('identity-restart');
    await sim.writeVmDir(tmp.join('istio'), { ns: 'bar', sa: 'vm-sa' });
  });
  afterAll(async () => {
    await sim.stop();
    tmp.cleanup();
  });

  it('serves the stored certificate at once and makes no CA call, even with istiod down', async () => {
    const flags = { 'identity.storeDir': tmp.join('store') };
    const first = runIdentity(tmp.join('istio'), flags);
    const issued = await waitFor(() => first.identity.source.current(), { what: 'first certificate', timeoutMs: 10_000 });
    await first.stop();
    expect(sim.calls).toHaveLength(1);

    await sim.pause();
    const second = runIdentity(tmp.join('istio'), flags);
    try {
      const loaded = await waitFor(() => second.identity.source.current(), { what: 'stored certificate', timeoutMs: 2_000 });
      expect(loaded.certChainPem).toBe(issued.certChainPem);
      expect(loaded.keyPem).toBe(issued.keyPem);
      expect(loaded.rootPem).toBe(issued.rootPem);
      expect(second.center.snapshot().gates.find((g) => g.name === 'identity')?.passed).toBe(true);
      expect(sim.calls).toHaveLength(1);
    } finally {
      await second.stop();
      await sim.resume();
    }
  });

  it('a short-lived certificate is not renewed at once after a restart (its NotBefore is backdated 2 minutes)', async () => {
    // 60 s lifetime, NotBefore 2 min in the past: counting from NotBefore, half of the lifetime
    // would have passed before it was issued. Real istiod does this (found in the e2e tier).
    const flags = { 'identity.storeDir': tmp.join('store-short'), 'identity.certTtl': '60s' };
    const first = runIdentity(tmp.join('istio'), flags);
    const issued = await waitFor(() => first.identity.source.current(), { what: 'first certificate', timeoutMs: 10_000 });
    await first.stop();
    expect(issued.notAfter - issued.notBefore).toBeGreaterThan(170_000);
    const before = sim.calls.length;
    const clock = new ParkedClock();
    const second = runIdentity(tmp.join('istio'), flags, { clock });
    try {
      await waitFor(() => second.identity.source.current(), { what: 'stored certificate', timeoutMs: 2_000 });
      // The event: the renewal timer is set. Counting from the store time it is about half of 60 s
      // away; counting from the backdated NotBefore it would be due at once (no sleep, a CSR).
      const renewIn = await waitFor(() => clock.sleeps[0], { what: 'renewal scheduled' });
      expect(renewIn).toBeGreaterThan(15_000);
      expect(second.identity.source.current()?.certChainPem).toBe(issued.certChainPem);
      expect(sim.calls.length).toBe(before);
    } finally {
      await second.stop();
    }
  });

  it('a stored certificate for another service account is not used: a new one is requested', async () => {
    const other = tmp.join('istio-other');
    await sim.writeVmDir(other, { ns: 'bar', sa: 'other-sa' });
    const before = sim.calls.length;
    const run = runIdentity(other, { 'identity.storeDir': tmp.join('store') });
    try {
      const id = await waitFor(() => run.identity.source.current(), { what: 'certificate for other-sa', timeoutMs: 10_000 });
      expect(id.spiffeId).toBe('spiffe://cluster.local/ns/bar/sa/other-sa');
      expect(sim.calls.length).toBe(before + 1);
    } finally {
      await run.stop();
    }
  });
});
