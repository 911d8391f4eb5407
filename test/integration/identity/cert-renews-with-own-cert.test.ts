import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { RecordingClock } from '../../helpers/fake-clock.js';
import { waitFor } from '../../helpers/wait-for.js';
import { runIdentity, statusOf } from './harness.js';

describe('renewal', { timeout: 30_000 }, () => {
  let sim: Simulator;
  let tmp: TmpDir;
  beforeAll(async () => {
    sim = await startSimulator();
    tmp = makeTmpDir('identity-renew');
  });
  afterAll(async () => {
    await sim.stop();
    tmp.cleanup();
  });

  it('renews halfway with its own certificate after the token file is deleted, and announces a rotated root', async () => {
    const istio = tmp.join('istio');
    const token = await sim.mintToken({ ns: 'bar', sa: 'vm-sa' });
    await sim.writeVmDir(istio, { ns: 'bar', sa: 'vm-sa', token });
    sim.faults.ttlOverrideMs = 3_000;
    const clock = new RecordingClock();
    const run = runIdentity(istio, { 'identity.storeDir': tmp.join('store') }, { clock });
    const seen: string[] = [];
    run.identity.source.subscribe((id) => seen.push(id.certChainPem));
    try {
      const first = await waitFor(() => run.identity.source.current(), { what: 'first certificate', timeoutMs: 10_000 });
      rmSync(`${istio}/istio-token`);
      await sim.rotateRoot();
      const renewed = await waitFor(() => {
        const c = run.identity.source.current();
        return c && c.certChainPem !== first.certChainPem ? c : undefined;
      }, { what: 'renewed certificate', timeoutMs: 10_000 });
      expect(sim.calls.map((c) => c.auth).slice(0, 2)).toEqual(['jwt', 'cert']);
      expect(renewed.spiffeId).toBe(first.spiffeId);
      expect(renewed.keyPem).not.toBe(first.keyPem);
      // Renewal was scheduled at about half of the 3 s lifetime (whole seconds, renewJitter): what
      // the code asked the clock for, not when a loaded machine got round to it.
      expect(clock.sleeps[0]).toBeGreaterThan(500);
      expect(clock.sleeps[0]).toBeLessThan(2_000);
      expect(renewed.rootPem).toContain(sim.signingRootPem().trim());
      expect(readFileSync(tmp.join('store', 'root-cert.pem'), 'utf8')).toBe(renewed.rootPem);
      expect(seen.length).toBeGreaterThanOrEqual(2);
      expect(run.center.events.current().some((e) => e.type === 'identity.root-rotated')).toBe(true);
      // istiod now serves with the new root too: the next renewal trusts it through the rotated root.
      await sim.rotateServingCert();
      const third = await waitFor(() => {
        const c = run.identity.source.current();
        return c && c.certChainPem !== renewed.certChainPem ? c : undefined;
      }, { what: 'renewal against the rotated serving certificate', timeoutMs: 10_000 });
      expect(third.spiffeId).toBe(first.spiffeId);
      expect(sim.calls.map((c) => c.auth)).toEqual(['jwt', 'cert', 'cert']);
      expect(statusOf(run)?.state).toBe('ok');
      expect(run.logs.join('')).not.toContain(token);
    } finally {
      await run.stop();
      sim.faults.ttlOverrideMs = undefined;
    }
  });

  it('keeps the valid certificate while istiod is down, shows it, and resumes when istiod returns', async () => {
    const istio = tmp.join('istio2');
    await sim.writeVmDir(istio, { ns: 'bar', sa: 'vm-sa' });
    sim.faults.ttlOverrideMs = 8_000;
    const run = runIdentity(istio, { 'identity.storeDir': tmp.join('store2') });
    try {
      const first = await waitFor(() => run.identity.source.current(), { what: 'first certificate', timeoutMs: 10_000 });
      sim.faults.unavailable = true;
      await waitFor(() => /istiod unreachable since .*VMLET_CA_UNAVAILABLE/.test(statusOf(run)?.detail ?? ''), { what: 'degraded status', timeoutMs: 10_000 });
      expect(statusOf(run)?.state).toBe('degraded');
      expect(statusOf(run)?.detail).toMatch(/^identity expires in \d+s; istiod unreachable since \d{4}-/);
      expect(run.identity.source.current()?.certChainPem).toBe(first.certChainPem);
      expect(readFileSync(tmp.join('store2', 'cert-chain.pem'), 'utf8')).toContain(first.certChainPem);
      expect(run.metrics.render()).toMatch(/vmlet_identity_renewals_total\{result="failure"\} [1-9]/);
      sim.faults.unavailable = false;
      const renewed = await waitFor(() => {
        const c = run.identity.source.current();
        return c && c.certChainPem !== first.certChainPem ? c : undefined;
      }, { what: 'renewal after the outage', timeoutMs: 10_000 });
      expect(renewed.notAfter).toBeGreaterThan(first.notAfter);
      expect(statusOf(run)?.state).toBe('ok');
    } finally {
      await run.stop();
      sim.faults.ttlOverrideMs = undefined;
      sim.faults.unavailable = false;
    }
  });
});
