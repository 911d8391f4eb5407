// The Azure verifier (production code: asn1-cms + node:crypto) against FAKE attested documents
// (test/fakes/cloud-documents.mjs: openssl cms signed by a test leaf with SAN metadata.azure.com
// under a test root + intermediate): a genuine document verifies; forged, re-signed under another
// root, untrusted root, wrong SAN, missing intermediate, wrong nonce, expired, future and
// malformed vmId are each refused with their code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureVerifier, parseAzureTime } from '../../../src/onboard-server/attest/azure.js';
import { azureAnswer, azureTime, cmsSign, defaultSettings, type CloudDocumentSettings, type CloudKeys } from '../../helpers/cloud-keys.js';
import type { TmpDir } from '../../helpers/tmp-dir.js';
import { contextFor, expectRefusal, NONCE, setupKeys } from './attest-fixtures.js';

let tmp: TmpDir;
let keys: CloudKeys;
beforeAll(() => ({ tmp, keys } = setupKeys('azure-verify')));
afterAll(() => tmp.cleanup());

const verifier = createAzureVerifier();
// The FAKE certificates are valid from the moment they were made: documents are an hour later.
const CREATED = new Date(Math.floor(Date.now() / 1000) * 1000 + 3600_000);
const at = (s: number) => new Date(CREATED.getTime() + s * 1000);
/** at(s) as it appears in a reason, escaped for a RegExp. */
const iso = (s: number) => at(s).toISOString().replace(/\./g, '\\.');

function signature(over: Partial<CloudDocumentSettings> = {}, nonce = NONCE): string {
  return (JSON.parse(azureAnswer(keys, { ...defaultSettings(), ...over }, nonce, CREATED)) as { signature: string }).signature;
}

describe('a genuine document', () => {
  it('verifies and yields subscription, vmId, sku; replay key until expiresOn', async () => {
    const id = await verifier.verify({ signature: signature() }, contextFor(keys, { now: at(2) }));
    expect(id).toMatchObject({
      provider: 'azure', instanceId: '02aab8a4-74ef-476e-8182-f6d2ba4166a6', account: '8d10da13-8125-4ba9-a717-bf7490507b3d',
      attributes: { subscriptionId: '8d10da13-8125-4ba9-a717-bf7490507b3d', vmId: '02aab8a4-74ef-476e-8182-f6d2ba4166a6', sku: '22_04-lts-gen2' },
      notAfter: at(21600),
    });
    expect(id.replayKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it('verifies without signed attributes and with a sovereign-cloud style suffix list', async () => {
    const doc = JSON.stringify({ nonce: NONCE, vmId: '02aab8a4-74ef-476e-8182-f6d2ba4166a6', subscriptionId: '8d10da13-8125-4ba9-a717-bf7490507b3d',
      timeStamp: { createdOn: azureTime(CREATED), expiresOn: azureTime(at(5)) } });
    const sig = cmsSign(Buffer.from(doc), { cert: keys.azure.leaf, key: keys.azure.leafKey, certfile: keys.azure.intermediate, noattr: true }).toString('base64');
    const ctx = contextFor(keys, { now: at(1) });
    await expect(verifier.verify({ signature: sig }, { ...ctx, trust: { ...ctx.trust, azure: { roots: [keys.azure.root], sanSuffixes: ['metadata.azure.us', '.azure.com'] } } }))
      .resolves.toMatchObject({ instanceId: '02aab8a4-74ef-476e-8182-f6d2ba4166a6' });
  });
});

describe('refusals', () => {
  it('a document changed after signing (forged)', async () => {
    const sig = signature({ tamper: true });
    await expectRefusal(verifier.verify({ signature: sig }, contextFor(keys, { now: at(2) })), 'ONBOARD_ATTESTATION_INVALID', /messageDigest does not match/, [sig.slice(100, 160)]);
  });

  it('a document re-signed under another CA (its chain embedded) does not reach a configured root', async () => {
    await expectRefusal(verifier.verify({ signature: signature({ signWith: 'other' }) }, contextFor(keys, { now: at(2) })), 'ONBOARD_ATTESTATION_INVALID',
      /signer is not trusted: no path .* to a configured root/);
  });

  it('a genuine chain whose root the service does not trust', async () => {
    const ctx = contextFor(keys, { now: at(2) });
    await expectRefusal(verifier.verify({ signature: signature() }, { ...ctx, trust: { ...ctx.trust, azure: { roots: [keys.azure.otherRoot], sanSuffixes: ['metadata.azure.com'] } } }),
      'ONBOARD_ATTESTATION_INVALID', /no path from "CN=metadata\.azure\.com" to a configured root/);
  });

  it('a signer under the trusted chain whose SAN is not under the configured suffixes', async () => {
    await expectRefusal(verifier.verify({ signature: signature({ signWith: 'wrong-san' }) }, contextFor(keys, { now: at(2) })), 'ONBOARD_ATTESTATION_INVALID',
      /DNS names "evil\.example\.com" are not under any of trust\.azure\.sanSuffixes "metadata\.azure\.com"/);
    // A suffix match is on a label boundary: "xmetadata.azure.com" is not under "metadata.azure.com".
    const ctx = contextFor(keys, { now: at(2) });
    await expectRefusal(verifier.verify({ signature: signature() }, { ...ctx, trust: { ...ctx.trust, azure: { roots: [keys.azure.root], sanSuffixes: ['data.azure.com'] } } }),
      'ONBOARD_ATTESTATION_INVALID', /not under any of/);
  });

  it('a PKCS#7 without the intermediate, or with no certificates, has no path', async () => {
    const doc = Buffer.from(JSON.stringify({ nonce: NONCE }));
    const noIntermediate = cmsSign(doc, { cert: keys.azure.leaf, key: keys.azure.leafKey }).toString('base64');
    await expectRefusal(verifier.verify({ signature: noIntermediate }, contextFor(keys, { now: at(2) })), 'ONBOARD_ATTESTATION_INVALID', /no path/);
    const noCerts = cmsSign(doc, { cert: keys.azure.leaf, key: keys.azure.leafKey, nocerts: true }).toString('base64');
    await expectRefusal(verifier.verify({ signature: noCerts }, contextFor(keys, { now: at(2) })), 'ONBOARD_ATTESTATION_INVALID', /carries no certificates/);
  });

  it('a chain certificate past its validity at the service\'s time', async () => {
    const elevenYears = 11 * 365 * 86400;
    await expectRefusal(verifier.verify({ signature: signature({ lifetimeSeconds: 2 * elevenYears }) }, contextFor(keys, { now: at(elevenYears) })),
      'ONBOARD_ATTESTATION_INVALID', /"CN=metadata\.azure\.com" is outside its validity/);
  });

  it("a nonce that is not this request's challenge", async () => {
    await expectRefusal(verifier.verify({ signature: signature({}, 'ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ') }, contextFor(keys, { now: at(2) })), 'ONBOARD_NONCE_INVALID',
      /carries nonce "Z{32}", not this request's challenge "abcdefghijklmnopqrstuvwxyz012345"/);
  });

  it('an expired and a future document: both clocks in the reason', async () => {
    await expectRefusal(verifier.verify({ signature: signature({ lifetimeSeconds: 5 }) }, contextFor(keys, { now: at(5 + 61) })), 'ONBOARD_ATTESTATION_EXPIRED',
      new RegExp(`expiresOn\\) expired at ${iso(5)}, the service's clock says ${iso(66)}`));
    await expectRefusal(verifier.verify({ signature: signature() }, contextFor(keys, { now: at(-300) })), 'ONBOARD_ATTESTATION_EXPIRED',
      new RegExp(`createdOn\\) is not valid yet: it says ${iso(0)}, the service's clock says ${iso(-300)} .*clock skew`));
  });

  it('a signed document with a vmId that is not UUID-shaped, or no timeStamp', async () => {
    await expectRefusal(verifier.verify({ signature: signature({ payload: { vmId: 'vm-1' } }) }, contextFor(keys, { now: at(2) })), 'ONBOARD_ATTESTATION_INVALID', /vmId "vm-1" is not UUID-shaped/);
    await expectRefusal(verifier.verify({ signature: signature({ payload: { timeStamp: null } }) }, contextFor(keys, { now: at(2) })), 'ONBOARD_ATTESTATION_INVALID', /timeStamp\.createdOn/);
  });

  it('not base64, not a PKCS#7', async () => {
    await expectRefusal(verifier.verify({ signature: '%%%' }, contextFor(keys)), 'ONBOARD_BAD_REQUEST', /not base64/);
    await expectRefusal(verifier.verify({ signature: Buffer.from('hello').toString('base64') }, contextFor(keys)), 'ONBOARD_ATTESTATION_INVALID', /not a PKCS#7 SignedData/);
  });
});

describe("Azure's timeStamp format", () => {
  it.each([
    ['12/05/26 12:00:00 -0000', '2026-12-05T12:00:00.000Z'],
    ['01/31/27 23:59:59 -0000', '2027-01-31T23:59:59.000Z'],
    ['12/05/26 13:00:00 +0100', '2026-12-05T12:00:00.000Z'],
    ['12/05/26 07:00:00 -0500', '2026-12-05T12:00:00.000Z'],
  ])('%s is %s', (text, iso) => expect(parseAzureTime(text)?.toISOString()).toBe(iso));

  it.each(['02/31/26 00:00:00 -0000', '13/01/26 00:00:00 -0000', '2026-12-05T12:00:00Z', '12/05/26 24:00:00 -0000', 12])('%s is refused', (text) => {
    expect(parseAzureTime(text)).toBeUndefined();
  });
});
