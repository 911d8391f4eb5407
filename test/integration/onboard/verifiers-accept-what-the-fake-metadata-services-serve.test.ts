// The production verifiers against the FAKE cloud metadata services over HTTP (the documents a
// VM's collector would send): each provider's genuine attestation verifies; GCP's keys come from
// the fake's JWKS URL, and after the fake rotates its signing key the verifier refetches the JWKS
// on the unknown kid and accepts; a key the JWKS never had is refused; an unreachable JWKS URL is
// the service's problem (ONBOARD_INTERNAL), not the VM's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnboardRefusal } from '../../../src/onboard/protocol.js';
import { createAwsVerifier, createAzureVerifier, createGcpVerifier } from '../../../src/onboard-server/attest/index.js';
import type { VerifyContext } from '../../../src/onboard-server/attest/types.js';
import { makeCloudKeys, startFakeCloudMetadata, type CloudKeys, type FakeCloudMetadata } from '../../helpers/cloud-keys.js';
import { freePort } from '../../helpers/free-port.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';

const NONCE = 'Q7yTz0aBcDeFgHiJkLmNoPqRsTuVwXy1';
const AUDIENCE = 'https://vmlet-onboard.vmlet-onboard.svc';
let tmp: TmpDir;
let keys: CloudKeys;
const fakes: FakeCloudMetadata[] = [];

beforeAll(() => {
  tmp = makeTmpDir('verify-fake');
  keys = makeCloudKeys(tmp.join('keys'));
});
afterAll(async () => {
  for (const f of fakes) await f.stop();
  tmp.cleanup();
});

async function start(p: 'aws' | 'gcp' | 'azure'): Promise<FakeCloudMetadata> {
  const f = await startFakeCloudMetadata(p, keys.dir);
  fakes.push(f);
  return f;
}

function ctx(over: Partial<VerifyContext> = {}): VerifyContext {
  return {
    now: new Date(), nonce: NONCE, audience: AUDIENCE, clockSkewSeconds: 60,
    trust: { aws: { certificates: [keys.aws.cert] }, azure: { roots: [keys.azure.root], sanSuffixes: ['metadata.azure.com'] } },
    ...over,
  };
}

async function refusal(p: Promise<unknown>): Promise<OnboardRefusal> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(OnboardRefusal);
  return err as OnboardRefusal;
}

describe('verifiers against the FAKE metadata services', () => {
  it('AWS: IMDSv2 document + rsa2048 verifies; signature alone too', async () => {
    const f = await start('aws');
    const token = await (await fetch(`${f.url}/latest/api/token`, { method: 'PUT', headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '60' } })).text();
    const get = async (item: string) => (await fetch(`${f.url}/latest/dynamic/instance-identity/${item}`, { headers: { 'X-aws-ec2-metadata-token': token } })).text();
    const [document, rsa2048, signature] = [await get('document'), await get('rsa2048'), await get('signature')];
    const v = createAwsVerifier();
    await expect(v.verify({ document, rsa2048 }, ctx())).resolves.toMatchObject({ account: '123456789012', instanceId: 'i-0fake00000000000001' });
    await expect(v.verify({ document, signature }, ctx())).resolves.toMatchObject({ account: '123456789012' });
  });

  it('GCP: keys from the JWKS URL, refetched when the fake rotates to a new kid; a foreign key refused', async () => {
    const f = await start('gcp');
    const v = createGcpVerifier({ jwksCooldownMs: 0 });
    const trust = { gcp: { jwksUrl: `${f.url}/oauth2/v3/certs`, issuer: 'https://accounts.google.com', maxAgeSeconds: 3600 } };
    const fetchToken = async () => (await fetch(`${f.url}/computeMetadata/v1/instance/service-accounts/default/identity?audience=${encodeURIComponent(AUDIENCE)}&format=full`,
      { headers: { 'Metadata-Flavor': 'Google' } })).text();
    await expect(v.verify({ token: await fetchToken() }, ctx({ trust }))).resolves.toMatchObject({ account: 'fake-project' });
    expect((await f.requests())['/oauth2/v3/certs']).toBe(1);

    await f.set({ rotate: true });
    await expect(v.verify({ token: await fetchToken() }, ctx({ trust }))).resolves.toMatchObject({ account: 'fake-project' });
    expect((await f.requests())['/oauth2/v3/certs']).toBe(2);

    await f.set({ signWith: 'other' });
    expect((await refusal(v.verify({ token: await fetchToken() }, ctx({ trust })))).code).toBe('ONBOARD_ATTESTATION_INVALID');
  });

  it('GCP: an unreachable JWKS URL is ONBOARD_INTERNAL naming the URL', async () => {
    const f = fakes.find((x) => x.provider === 'gcp')!;
    await f.reset();
    const token = await (await fetch(`${f.url}/computeMetadata/v1/instance/service-accounts/default/identity?audience=${encodeURIComponent(AUDIENCE)}&format=full`,
      { headers: { 'Metadata-Flavor': 'Google' } })).text();
    const dead = `http://127.0.0.1:${await freePort()}/oauth2/v3/certs`;
    const r = await refusal(createGcpVerifier({ jwksTimeoutMs: 2000 }).verify({ token }, ctx({ trust: { gcp: { jwksUrl: dead, issuer: 'https://accounts.google.com', maxAgeSeconds: 3600 } } })));
    expect(r.code).toBe('ONBOARD_INTERNAL');
    expect(r.reason).toContain(dead);
  });

  it("Azure: the attested document for this request's nonce verifies; another nonce echoed is refused", async () => {
    const f = await start('azure');
    const get = async () => ((await (await fetch(`${f.url}/metadata/attested/document?api-version=2025-04-07&nonce=${NONCE}`, { headers: { Metadata: 'true' } })).json()) as { signature: string }).signature;
    const v = createAzureVerifier();
    await expect(v.verify({ signature: await get() }, ctx())).resolves.toMatchObject({ instanceId: '02aab8a4-74ef-476e-8182-f6d2ba4166a6' });
    await f.set({ nonce: 'someOtherNonce00000000000000000X' });
    expect((await refusal(v.verify({ signature: await get() }, ctx()))).code).toBe('ONBOARD_NONCE_INVALID');
  });
});
