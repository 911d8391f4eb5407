// The GCP verifier (production code, jose + a JWKS file of FAKE test keys) against FAKE identity
// tokens shaped like Google's (test/fakes/cloud-documents.mjs): a genuine token verifies; a
// forged, re-signed, unknown-kid, expired, future, wrong-audience, wrong-issuer, too-long-lived or
// non-`format=full` token is refused with its code, and no reason repeats the token.
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGcpVerifier } from '../../../src/onboard-server/attest/gcp.js';
import { defaultSettings, gcpToken, type CloudDocumentSettings, type CloudKeys } from '../../helpers/cloud-keys.js';
import type { TmpDir } from '../../helpers/tmp-dir.js';
import { AUDIENCE, contextFor, expectRefusal, setupKeys } from './attest-fixtures.js';

let tmp: TmpDir;
let keys: CloudKeys;
beforeAll(() => ({ tmp, keys } = setupKeys('gcp-verify')));
afterAll(() => tmp.cleanup());

const verifier = createGcpVerifier();
const ISSUED = new Date('2026-12-05T12:00:00Z');

function token(over: Partial<CloudDocumentSettings> = {}, audience = AUDIENCE): string {
  return gcpToken(keys, { ...defaultSettings(), ...over }, audience, ISSUED);
}
const at = (secondsAfterIssue: number) => new Date(ISSUED.getTime() + secondsAfterIssue * 1000);
const secretParts = (t: string) => [t.slice(-60, -10), t.slice(5, 55)];

describe('a genuine token', () => {
  it('verifies and yields the compute_engine claims, the SHA-256 of its signed part as replay key and exp as notAfter', async () => {
    const t = token();
    const id = await verifier.verify({ token: t }, contextFor(keys, { now: at(10) }));
    expect(id).toEqual({
      provider: 'gcp', instanceId: '4321098765432109876', account: 'fake-project', region: 'europe-west1', zone: 'europe-west1-b',
      attributes: {
        project_id: 'fake-project', project_number: '1234567890', zone: 'europe-west1-b', region: 'europe-west1', instance_id: '4321098765432109876',
        instance_name: 'web-1', email: '1234567890-compute@developer.gserviceaccount.com',
      },
      replayKey: createHash('sha256').update(t.split('.').slice(0, 2).join('.')).digest('hex'),
      notAfter: at(3600),
    });
  });

  it('verifies within the clock skew either side (iat 30 s ahead, exp 30 s past)', async () => {
    await expect(verifier.verify({ token: token() }, contextFor(keys, { now: at(-30) }))).resolves.toBeDefined();
    await expect(verifier.verify({ token: token() }, contextFor(keys, { now: at(3630) }))).resolves.toBeDefined();
  });
});

describe('refusals', () => {
  it('a token whose claims were changed after signing (forged)', async () => {
    const t = token({ tamper: true });
    await expectRefusal(verifier.verify({ token: t }, contextFor(keys, { now: at(10) })), 'ONBOARD_ATTESTATION_INVALID', /signature does not verify/, secretParts(t));
  });

  it('a token re-signed with another key under the same kid, and one under a kid the JWKS does not have', async () => {
    await expectRefusal(verifier.verify({ token: token({ signWith: 'other' }) }, contextFor(keys, { now: at(10) })), 'ONBOARD_ATTESTATION_INVALID', /signature does not verify/);
    await expectRefusal(verifier.verify({ token: token({ rotate: true }) }, contextFor(keys, { now: at(10) })), 'ONBOARD_ATTESTATION_INVALID', /key id that is not among the keys of .*jwks\.json/);
  });

  it('an expired token: exp and the service clock in the reason', async () => {
    const t = token();
    await expectRefusal(verifier.verify({ token: t }, contextFor(keys, { now: at(3600 + 61) })), 'ONBOARD_ATTESTATION_EXPIRED',
      /expired at 2026-12-05T13:00:00\.000Z, the service's clock says 2026-12-05T13:01:01\.000Z .*clock skew/, secretParts(t));
  });

  it('a token issued in the future (the VM clock ahead)', async () => {
    await expectRefusal(verifier.verify({ token: token() }, contextFor(keys, { now: at(-120) })), 'ONBOARD_ATTESTATION_EXPIRED',
      /\(iat\) is not valid yet: it says 2026-12-05T12:00:00\.000Z, the service's clock says 2026-12-05T11:58:00\.000Z/);
  });

  it('a token for another audience', async () => {
    await expectRefusal(verifier.verify({ token: token({}, 'https://someone-else') }, contextFor(keys, { now: at(10) })), 'ONBOARD_AUDIENCE_MISMATCH',
      /audience "https:\/\/someone-else" is not this service's audience "https:\/\/vmlet-onboard\.vmlet-onboard\.svc"/);
  });

  it('a token from another issuer, one living longer than maxAge, one without compute_engine claims', async () => {
    await expectRefusal(verifier.verify({ token: token({ claims: { iss: 'https://evil.example' } }) }, contextFor(keys, { now: at(10) })), 'ONBOARD_ATTESTATION_INVALID', /issuer "https:\/\/evil\.example"/);
    await expectRefusal(verifier.verify({ token: token({ lifetimeSeconds: 7200 }) }, contextFor(keys, { now: at(10) })), 'ONBOARD_ATTESTATION_INVALID', /lives 7200 s .*maxAge 3600 s/);
    await expectRefusal(verifier.verify({ token: token({ claims: { google: {} } }) }, contextFor(keys, { now: at(10) })), 'ONBOARD_ATTESTATION_INVALID', /no google\.compute_engine/);
  });

  it('unsigned and HMAC tokens (alg none, HS256 keyed with the public JWKS) are not RS256', async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const payload = b64({ iss: 'https://accounts.google.com', aud: AUDIENCE, iat: ISSUED.getTime() / 1000, exp: ISSUED.getTime() / 1000 + 60 });
    const none = `${b64({ alg: 'none', kid: keys.gcp.kid })}.${payload}.x`;
    await expectRefusal(verifier.verify({ token: none }, contextFor(keys, { now: at(10) })), 'ONBOARD_ATTESTATION_INVALID', /RS256/);
    const input = `${b64({ alg: 'HS256', kid: keys.gcp.kid })}.${payload}`;
    const hs = `${input}.${createHmac('sha256', 'key').update(input).digest('base64url')}`;
    await expectRefusal(verifier.verify({ token: hs }, contextFor(keys, { now: at(10) })), 'ONBOARD_ATTESTATION_INVALID', /RS256/);
  });

  it('not a JWT, and no key source configured', async () => {
    await expectRefusal(verifier.verify({ token: 'abc' }, contextFor(keys)), 'ONBOARD_ATTESTATION_INVALID', /not a JWT/);
    const ctx = contextFor(keys, { now: at(10) });
    await expectRefusal(verifier.verify({ token: token() }, { ...ctx, trust: { ...ctx.trust, gcp: { issuer: 'https://accounts.google.com', maxAgeSeconds: 3600 } } }),
      'ONBOARD_INTERNAL', /jwksFile and trust\.gcp\.jwksUrl are empty/);
  });
});
