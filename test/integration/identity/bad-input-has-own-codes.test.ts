import { writeFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { makeRoot } from '../../sim/pki.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { runIdentity, statusOf, type Running } from './harness.js';

describe('bad input and bad answers each have their own code, and no valid certificate is lost', { timeout: 30_000 }, () => {
  let sim: Simulator;
  let tmp: TmpDir;
  let n = 0;
  beforeAll(async () => {
    sim = await startSimulator();
    tmp = makeTmpDir('identity-bad');
  });
  afterAll(async () => {
    await sim.stop();
    tmp.cleanup();
  });

  async function withRun(vm: Parameters<Simulator['writeVmDir']>[1], flags: Record<string, string>, body: (run: Running, dir: string) => Promise<void>): Promise<void> {
    const dir = tmp.join(`case-${++n}`);
    await sim.writeVmDir(`${dir}/istio`, vm);
    const run = runIdentity(`${dir}/istio`, { 'identity.storeDir': `${dir}/store`, ...flags });
    try {
      await body(run, dir);
    } finally {
      await run.stop();
    }
  }
  const failedWith = (run: Running, code: string) => () => statusOf(run)?.state === 'failed' && statusOf(run)!.detail.includes(`[${code}]`);

  it.each([
    ['an expired token', { expSeconds: -7200 }, 'VMLET_TOKEN_EXPIRED', /istio-token expired 2h ago/],
    ['a wrong-audience token', { aud: 'kubernetes' }, 'VMLET_TOKEN_WRONG_AUDIENCE', /istiod expects "istio-ca"/],
  ] as const)('%s: %s before any CA call, the gate says so', async (_name, tokenOpts, code, message) => {
    const before = sim.calls.length;
    const token = await sim.mintToken({ ns: 'bar', sa: 'vm-sa', ...tokenOpts });
    await withRun({ ns: 'bar', sa: 'vm-sa', token }, {}, async (run) => {
      await waitFor(failedWith(run, code), { what: code });
      expect(statusOf(run)!.detail).toMatch(message);
      expect(run.center.snapshot().gates.find((g) => g.name === 'identity')?.passed).toBe(false);
      expect(sim.calls.length).toBe(before);
      // Retrying would not mend it: the run ends (vmlet exits 2) instead of staying up "starting".
      await waitFor(() => run.ended.length === 1, { what: 'identity run ended' });
      expect(run.ended[0]).toMatchObject({ code });
      expect(run.logs.join('')).toContain(code);
      expect(run.logs.join('')).not.toContain(token);
    });
  });

  it('a token for another service account: VMLET_TOKEN_WRONG_SUBJECT', async () => {
    const token = await sim.mintToken({ ns: 'bar', sa: 'other' });
    await withRun({ ns: 'bar', sa: 'vm-sa', token }, {}, async (run) => {
      await waitFor(failedWith(run, 'VMLET_TOKEN_WRONG_SUBJECT'), { what: 'wrong subject' });
    });
  });

  it("a root-cert.pem that did not sign istiod's certificate: VMLET_CA_TLS, saying so", async () => {
    const other = await makeRoot('someone-else');
    await withRun({ ns: 'bar', sa: 'vm-sa' }, {}, async () => {});
    const dir = tmp.join(`case-${n}`);
    writeFileSync(`${dir}/istio/root-cert.pem`, other.pem);
    const run = runIdentity(`${dir}/istio`, { 'identity.storeDir': `${dir}/store-tls` });
    try {
      await waitFor(failedWith(run, 'VMLET_CA_TLS'), { what: 'TLS failure' });
      expect(statusOf(run)!.detail).toMatch(/root-cert\.pem must be the mesh root that signed istiod's certificate/);
    } finally {
      await run.stop();
    }
  });

  it("a server name istiod's certificate does not carry: VMLET_CA_TLS, naming the name", async () => {
    await withRun({ ns: 'bar', sa: 'vm-sa' }, { 'istiod.serverName': 'not-istiod.example' }, async (run) => {
      await waitFor(failedWith(run, 'VMLET_CA_TLS'), { what: 'TLS name failure' });
      expect(statusOf(run)!.detail).toMatch(/not-istiod\.example/);
    });
  });

  it('a one-element chain from istiod: VMLET_CA_BAD_CHAIN', async () => {
    sim.faults.oneElementChain = true;
    try {
      await withRun({ ns: 'bar', sa: 'vm-sa' }, {}, async (run) => {
        await waitFor(failedWith(run, 'VMLET_CA_BAD_CHAIN'), { what: 'bad chain' });
      });
    } finally {
      sim.faults.oneElementChain = false;
    }
  });

  it('a CA slower than istiod.requestTimeout: VMLET_CA_UNAVAILABLE naming DEADLINE_EXCEEDED, then success once it is fast', async () => {
    sim.faults.delayMs = 1_500;
    try {
      await withRun({ ns: 'bar', sa: 'vm-sa' }, { 'istiod.requestTimeout': '300ms' }, async (run) => {
        await waitFor(failedWith(run, 'VMLET_CA_UNAVAILABLE'), { what: 'deadline' });
        expect(statusOf(run)!.detail).toMatch(/DEADLINE_EXCEEDED/);
        sim.faults.delayMs = 0;
        await waitFor(() => run.identity.source.current(), { what: 'certificate once the CA is fast', timeoutMs: 10_000 });
      });
    } finally {
      sim.faults.delayMs = 0;
    }
  });

  it('a garbage leaf from istiod: VMLET_CA_BAD_CHAIN', async () => {
    sim.faults.garbageChain = true;
    try {
      await withRun({ ns: 'bar', sa: 'vm-sa' }, {}, async (run) => {
        await waitFor(failedWith(run, 'VMLET_CA_BAD_CHAIN'), { what: 'bad chain' });
      });
    } finally {
      sim.faults.garbageChain = false;
    }
  });

  it('an unwritable store: the certificate is served from memory and the status says VMLET_IDENTITY_STORE_UNWRITABLE', async () => {
    const blocker = tmp.join('a-file');
    writeFileSync(blocker, 'not a directory');
    await withRun({ ns: 'bar', sa: 'vm-sa' }, { 'identity.storeDir': `${blocker}/identity` }, async (run) => {
      await waitFor(() => statusOf(run)?.detail.includes('[VMLET_IDENTITY_STORE_UNWRITABLE]'), { what: 'store failure' });
      expect(statusOf(run)?.state).toBe('degraded');
      expect(run.identity.source.current()?.spiffeId).toBe('spiffe://cluster.local/ns/bar/sa/vm-sa');
    });
  });

  it('expired certificate and no token: a clear failed status while it keeps retrying; a new token recovers', async () => {
    sim.faults.ttlOverrideMs = 2_000;
    try {
      await withRun({ ns: 'bar', sa: 'vm-sa' }, {}, async (run, dir) => {
        await waitFor(() => run.identity.source.current(), { what: 'first certificate' });
        rmSync(`${dir}/istio/istio-token`);
        sim.faults.unavailable = true;
        await waitFor(failedWith(run, 'VMLET_TOKEN_MISSING'), { what: 'expired without token', timeoutMs: 8_000 });
        expect(statusOf(run)!.detail).toMatch(/^no valid certificate: certificate expired at .*kubectl create token vm-sa -n bar --audience istio-ca/);
        expect(run.identity.source.current()).toBeUndefined();
        sim.faults.ttlOverrideMs = undefined;
        sim.faults.unavailable = false;
        writeFileSync(`${dir}/istio/istio-token`, await sim.mintToken({ ns: 'bar', sa: 'vm-sa' }));
        await waitFor(() => run.identity.source.current(), { what: 'recovered certificate', timeoutMs: 10_000 });
        expect(sim.calls.at(-1)?.auth).toBe('jwt');
      });
    } finally {
      sim.faults.ttlOverrideMs = undefined;
      sim.faults.unavailable = false;
    }
  });
});
