import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientCredentials } from '../../../src/identity/credentials.js';
import { createConnector } from '../../../src/istiod/index.js';
import { createCertificate } from '../../../src/identity/ca-client.js';
import { identityFromResponse } from '../../../src/identity/chain.js';
import { generateKeyAndCsr } from '../../../src/identity/keys.js';
import type { WorkloadIdentity } from '../../../src/identity/types.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';

describe('istiod connector', { timeout: 20_000 }, () => {
  let sim: Simulator;
  let tmp: TmpDir;
  beforeAll(async () => {
    sim = await startSimulator();
    tmp = makeTmpDir('istiod-connector');
    await sim.writeVmDir(tmp.path, { ns: 'bar', sa: 'vm-sa' });
  });
  afterAll(async () => {
    await sim.stop();
    tmp.cleanup();
  });

  it('sends Bearer (re-read per call), ClusterID and extra headers; presents the valid certificate; omits Bearer when the file is gone', async () => {
    let current: WorkloadIdentity | undefined;
    const connector = createConnector(
      {
        address: `localhost:${sim.port}`,
        rootPem: sim.rootPem,
        clusterId: 'Kubernetes',
        extraHeaders: { 'x-team': 'vm-ops' },
        keepaliveIntervalMs: 30_000,
        keepaliveTimeoutMs: 10_000,
        now: Date.now,
      },
      clientCredentials({ current: () => current }, tmp.join('istio-token')),
    );
    const request = async () => {
      const { keyPem, csrPem } = await generateKeyAndCsr({ type: 'ECDSA', curve: 'P256' }, 'spiffe://cluster.local/ns/ignored/sa/ignored');
      const res = await createCertificate(connector, { csrPem, ttlSeconds: 3600, certSigner: '', timeoutMs: 5000, address: 'sim', auth: current ? 'certificate' : 'token' });
      return identityFromResponse(res.certChain, keyPem);
    };
    current = await request();
    expect(current.spiffeId).toBe('spiffe://cluster.local/ns/bar/sa/vm-sa');
    expect(sim.calls[0]).toMatchObject({ auth: 'jwt', bearer: true, headers: { clusterid: 'Kubernetes', 'x-team': 'vm-ops' } });
    rmSync(tmp.join('istio-token'));
    await request();
    expect(sim.calls[1]).toMatchObject({ auth: 'cert', bearer: false, identity: 'spiffe://cluster.local/ns/bar/sa/vm-sa' });
    current = undefined;
    await expect(request()).rejects.toMatchObject({ code: 'VMLET_CA_UNAUTHENTICATED' });
    expect(sim.calls[2]).toMatchObject({ auth: 'none', bearer: false });
  });
});
