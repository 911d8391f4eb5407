// When Azure's attested document carries only its signer, the verifier may fetch the issuing
// intermediate from the signer's AIA "CA Issuers" URL, but only if trust.azure.aiaHosts lists
// that URL's host; the fetched certificate still has to chain to a configured root. Fetches go
// through an injected fetcher (no network), and are cached.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureVerifier } from '../../../src/onboard-server/attest/azure.js';
import type { VerifyContext } from '../../../src/onboard-server/attest/types.js';
import { AIA_URL, azureTime, cmsSign, type CloudKeys } from '../../helpers/cloud-keys.js';
import type { TmpDir } from '../../helpers/tmp-dir.js';
import { contextFor, expectRefusal, NONCE, setupKeys } from './attest-fixtures.js';

let tmp: TmpDir;
let keys: CloudKeys;
let signature: string;
const now = new Date(Date.now() + 60_000);
beforeAll(() => {
  ({ tmp, keys } = setupKeys('azure-aia'));
  const doc = JSON.stringify({ nonce: NONCE, vmId: '02aab8a4-74ef-476e-8182-f6d2ba4166a6', subscriptionId: '8d10da13-8125-4ba9-a717-bf7490507b3d',
    timeStamp: { createdOn: azureTime(now), expiresOn: azureTime(new Date(now.getTime() + 3600_000)) } });
  // Signer only: no intermediate in the PKCS#7.
  signature = cmsSign(Buffer.from(doc), { cert: keys.azure.aiaLeaf, key: keys.azure.aiaLeafKey }).toString('base64');
});
afterAll(() => tmp.cleanup());

function withAia(hosts: string[] | undefined): VerifyContext {
  const ctx = contextFor(keys, { now });
  return { ...ctx, trust: { ...ctx.trust, azure: { roots: [keys.azure.root], sanSuffixes: ['metadata.azure.com'], ...(hosts ? { aiaHosts: hosts } : {}) } } };
}

describe('AIA intermediates', () => {
  it('fetched from an allowed host (DER), chained to the root, and cached', async () => {
    const asked: string[] = [];
    const v = createAzureVerifier({ fetchCertificate: async (url) => {
      asked.push(url.href);
      return new X509Certificate(readFileSync(keys.azure.intermediate)).raw;
    } });
    await expect(v.verify({ signature }, withAia(['aia.fake.invalid']))).resolves.toMatchObject({ instanceId: '02aab8a4-74ef-476e-8182-f6d2ba4166a6' });
    await expect(v.verify({ signature }, withAia(['aia.fake.invalid']))).resolves.toBeDefined();
    expect(asked).toEqual([AIA_URL]);
  });

  it('never fetched without aiaHosts, or from a host not listed', async () => {
    const asked: string[] = [];
    const v = createAzureVerifier({ fetchCertificate: async (url) => {
      asked.push(url.href);
      return readFileSync(keys.azure.intermediate);
    } });
    await expectRefusal(v.verify({ signature }, withAia(undefined)), 'ONBOARD_ATTESTATION_INVALID', /no path from "CN=metadata\.azure\.com" to a configured root/);
    await expectRefusal(v.verify({ signature }, withAia(['www.microsoft.com'])), 'ONBOARD_ATTESTATION_INVALID', /CA Issuers URL http:\/\/aia\.fake\.invalid is not on trust\.azure\.aiaHosts/);
    expect(asked).toEqual([]);
  });

  it('a fetched certificate that is not the issuer, or a failed fetch, leaves no path and says why', async () => {
    const other = createAzureVerifier({ fetchCertificate: async () => readFileSync(keys.azure.otherIntermediate) });
    await expectRefusal(other.verify({ signature }, withAia(['aia.fake.invalid'])), 'ONBOARD_ATTESTATION_INVALID', /no path/);
    const failing = createAzureVerifier({ fetchCertificate: async () => {
      throw new Error('connect ECONNREFUSED');
    } });
    await expectRefusal(failing.verify({ signature }, withAia(['aia.fake.invalid'])), 'ONBOARD_ATTESTATION_INVALID',
      /fetching the intermediate from http:\/\/aia\.fake\.invalid\/intermediate\.crt failed: connect ECONNREFUSED/);
    const garbage = createAzureVerifier({ fetchCertificate: async () => Buffer.from('<html>not a certificate</html>') });
    await expectRefusal(garbage.verify({ signature }, withAia(['aia.fake.invalid'])), 'ONBOARD_ATTESTATION_INVALID', /fetching the intermediate .* failed/);
  });
});
