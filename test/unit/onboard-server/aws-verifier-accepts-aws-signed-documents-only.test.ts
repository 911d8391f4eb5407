// The AWS verifier (production code) against FAKE AWS documents signed with test keys
// (test/fakes/cloud-documents.mjs, the same the FAKE metadata service serves): a genuine
// document verifies through /rsa2048 or /signature; a forged, re-signed or substituted one, a
// future pendingTime, a missing signature are each refused with their code. The document has no
// expiry, audience or nonce (the ledger's TOFU handles replay), so there are no such cases here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsVerifier } from '../../../src/onboard-server/attest/aws.js';
import { awsDocument, awsItem, cmsSign, defaultSettings, type CloudDocumentSettings, type CloudKeys } from '../../helpers/cloud-keys.js';
import type { TmpDir } from '../../helpers/tmp-dir.js';
import { contextFor, expectRefusal, setupKeys } from './attest-fixtures.js';

let tmp: TmpDir;
let keys: CloudKeys;
beforeAll(() => ({ tmp, keys } = setupKeys('aws-verify')));
afterAll(() => tmp.cleanup());

const verifier = createAwsVerifier();
const NOW = new Date('2026-12-05T12:00:00Z');

function attestation(over: Partial<CloudDocumentSettings> = {}): { document: string; rsa2048: string; signature: string } {
  const s = { ...defaultSettings(), ...over };
  return { document: awsItem(keys, s, 'document')[2], rsa2048: awsItem(keys, s, 'rsa2048')[2], signature: awsItem(keys, s, 'signature')[2] };
}

describe('a genuine document', () => {
  it('verifies through rsa2048 and yields the signed fields, the TOFU key and pendingTime', async () => {
    const id = await verifier.verify(attestation(), contextFor(keys, { now: NOW }));
    expect(id).toMatchObject({
      provider: 'aws', instanceId: 'i-0fake00000000000001', account: '123456789012', region: 'eu-west-1', zone: 'eu-west-1a',
      replayKey: '123456789012/eu-west-1/i-0fake00000000000001',
      attributes: { accountId: '123456789012', region: 'eu-west-1', availabilityZone: 'eu-west-1a', instanceId: 'i-0fake00000000000001',
        imageId: 'ami-0fake0000000000001', instanceType: 't3.micro', pendingTime: '2026-12-01T08:00:00Z' },
    });
    expect(id.pendingTime?.toISOString()).toBe('2026-12-01T08:00:00.000Z');
    expect(id.notAfter).toBeUndefined();
  });

  it('verifies through signature alone when rsa2048 is absent', async () => {
    const { document, signature } = attestation();
    await expect(verifier.verify({ document, signature }, contextFor(keys, { now: NOW }))).resolves.toMatchObject({ instanceId: 'i-0fake00000000000001' });
  });

  it('verifies an rsa2048 in BER with indefinite lengths and without signed attributes (encodings AWS may use)', async () => {
    const document = awsDocument(defaultSettings());
    for (const opts of [{ stream: true }, { noattr: true }, { stream: true, noattr: true }]) {
      const rsa2048 = cmsSign(Buffer.from(document), { cert: keys.aws.cert, key: keys.aws.signerKey, nocerts: true, ...opts }).toString('base64');
      await expect(verifier.verify({ document, rsa2048 }, contextFor(keys, { now: NOW })), JSON.stringify(opts)).resolves.toMatchObject({ account: '123456789012' });
    }
  });
});

describe('refusals', () => {
  it('a changed document (forged) against its rsa2048 or its signature', async () => {
    const { document, rsa2048, signature } = attestation({ tamper: true });
    expect(document).toContain('x9.huge');
    await expectRefusal(verifier.verify({ document, rsa2048 }, contextFor(keys, { now: NOW })), 'ONBOARD_ATTESTATION_INVALID', /different document .*substitution/, [rsa2048.slice(40, 100)]);
    await expectRefusal(verifier.verify({ document, signature }, contextFor(keys, { now: NOW })), 'ONBOARD_ATTESTATION_INVALID', /signature does not verify/, [signature.slice(20, 80)]);
  });

  it('a document re-signed with a key that is not a trusted AWS certificate', async () => {
    const { document, rsa2048, signature } = attestation({ signWith: 'other' });
    await expectRefusal(verifier.verify({ document, rsa2048 }, contextFor(keys, { now: NOW })), 'ONBOARD_ATTESTATION_INVALID', /rsa2048 PKCS#7: its signer is none of the trusted/);
    await expectRefusal(verifier.verify({ document, signature }, contextFor(keys, { now: NOW })), 'ONBOARD_ATTESTATION_INVALID', /does not verify with any certificate in trust\.aws\.certificates/);
  });

  it('the rsa2048 content substitution: a validly signed PKCS#7 embedding another document than the one submitted', async () => {
    const { document, rsa2048 } = attestation({ substitute: true });
    await expectRefusal(verifier.verify({ document, rsa2048 }, contextFor(keys, { now: NOW })), 'ONBOARD_ATTESTATION_INVALID', /embeds a different document/);
    // And a good signature next to a bad rsa2048 does not rescue it: rsa2048, when sent, decides.
    const good = attestation();
    await expectRefusal(verifier.verify({ document, rsa2048, signature: good.signature }, contextFor(keys, { now: NOW })), 'ONBOARD_ATTESTATION_INVALID', /different document/);
  });

  it('a signed document whose rsa2048 PKCS#7 was altered (signature bytes flipped)', async () => {
    const { document, rsa2048 } = attestation();
    const der = Buffer.from(rsa2048, 'base64');
    der[der.length - 10] = der[der.length - 10]! ^ 0xff;
    await expectRefusal(verifier.verify({ document, rsa2048: der.toString('base64') }, contextFor(keys, { now: NOW })), 'ONBOARD_ATTESTATION_INVALID', /signature does not verify/);
  });

  it('a pendingTime in the future beyond the clock skew: both clocks in the reason', async () => {
    const { document, rsa2048 } = attestation({ document: { pendingTime: '2026-12-05T12:05:00Z' } });
    await expectRefusal(verifier.verify({ document, rsa2048 }, contextFor(keys, { now: NOW })), 'ONBOARD_ATTESTATION_EXPIRED',
      /not valid yet: it says 2026-12-05T12:05:00\.000Z, the service's clock says 2026-12-05T12:00:00\.000Z .*clock skew/);
    // Within the skew it verifies.
    const near = attestation({ document: { pendingTime: '2026-12-05T12:00:30Z' } });
    await expect(verifier.verify({ document: near.document, rsa2048: near.rsa2048 }, contextFor(keys, { now: NOW }))).resolves.toBeDefined();
  });

  it('malformed identity fields, even when signed', async () => {
    const { document, rsa2048 } = attestation({ document: { accountId: '12345' } });
    await expectRefusal(verifier.verify({ document, rsa2048 }, contextFor(keys, { now: NOW })), 'ONBOARD_ATTESTATION_INVALID', /accountId "12345" is missing or malformed/);
  });

  it('bad requests: no signature at all, not base64, not an object', async () => {
    const { document } = attestation();
    await expectRefusal(verifier.verify({ document }, contextFor(keys)), 'ONBOARD_BAD_REQUEST', /neither rsa2048 nor signature/);
    await expectRefusal(verifier.verify({ document, signature: 'not base64!' }, contextFor(keys)), 'ONBOARD_BAD_REQUEST', /signature is not base64/);
    await expectRefusal(verifier.verify('x', contextFor(keys)), 'ONBOARD_BAD_REQUEST', /must be a JSON object/);
    await expectRefusal(verifier.verify({ rsa2048: 'AAAA' }, contextFor(keys)), 'ONBOARD_BAD_REQUEST', /attestation\.document/);
  });

  it('a service that trusts no AWS certificate, or a missing certificate file, names the configuration', async () => {
    const ctx = contextFor(keys);
    await expectRefusal(verifier.verify(attestation(), { ...ctx, trust: { ...ctx.trust, aws: { certificates: [] } } }), 'ONBOARD_INTERNAL', /trust\.aws\.certificates is empty/);
    await expectRefusal(verifier.verify(attestation(), { ...ctx, trust: { ...ctx.trust, aws: { certificates: [tmp.join('nope.pem')] } } }), 'ONBOARD_INTERNAL', /nope\.pem/);
  });
});
