import { statSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { runIdentity } from './harness.js';

describe('first certificate with the bootstrap token', { timeout: 20_000 }, () => {
  let sim: Simulator;
  let tmp: TmpDir;
  beforeAll(async () => {
    sim = await startSimulator();
    tmp = makeTmpDir('identity-first');
  });
  afterAll(async () => {
    await sim.stop();
    tmp.cleanup();
  });

  it('issues the authenticated SPIFFE ID, stores it 0600, passes the gate, and never logs the token', async () => {
    const token = await sim.mintToken({ ns: 'bar', sa: 'vm-sa' });
    await sim.writeVmDir(tmp.join('istio'), { ns: 'bar', sa: 'vm-sa', token });
    const run = runIdentity(tmp.join('istio'), { 'identity.storeDir': tmp.join('store'), 'identity.keyAlgorithm': 'ECDSA', 'identity.outputCertsDir': tmp.join('etc-certs') });
    try {
      const id = await waitFor(() => run.identity.source.current(), { what: 'first certificate', timeoutMs: 10_000 });
      expect(id.spiffeId).toBe('spiffe://cluster.local/ns/bar/sa/vm-sa');
      expect(sim.calls.map((c) => c.auth)).toEqual(['jwt']);
      expect(sim.calls[0]!.requestedTtlSeconds).toBe(86_400);
      expect(id.rootPem).toBe(sim.rootPem);
      const leaf = new X509Certificate(id.certChainPem);
      expect(leaf.subjectAltName).toBe('URI:spiffe://cluster.local/ns/bar/sa/vm-sa');
      expect(Date.parse(leaf.validFrom)).toBeLessThan(Date.now() - 60_000);
      expect(statSync(tmp.join('store', 'key.pem')).mode & 0o777).toBe(0o600);
      expect(readFileSync(tmp.join('store', 'cert-chain.pem'), 'utf8')).toBe(id.certChainPem + sim.rootPem);
      for (const f of ['key.pem', 'cert-chain.pem', 'root-cert.pem']) expect(readFileSync(tmp.join('etc-certs', f), 'utf8')).toBe(readFileSync(tmp.join('store', f), 'utf8'));
      expect(statSync(tmp.join('etc-certs', 'key.pem')).mode & 0o777).toBe(0o600);
      expect(run.center.snapshot().gates.find((g) => g.name === 'identity')?.passed).toBe(true);
      const line = run.center.snapshot().components.find((c) => c.name === 'identity');
      expect(line?.detail).toMatch(/^spiffe:\/\/cluster\.local\/ns\/bar\/sa\/vm-sa, expires in 2[34]h$/);
      expect(run.metrics.render()).toMatch(/vmlet_identity_renewals_total\{result="success"\} 1/);
      expect(run.metrics.render()).toMatch(/vmlet_identity_expiry_timestamp_seconds \d+/);
      expect(run.logs.join('')).not.toContain(token);
      expect(run.logs.join('')).not.toContain(token.split('.')[1]!);
    } finally {
      await run.stop();
    }
  });
});
