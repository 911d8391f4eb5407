// The FAKE cloud metadata service (test/fakes/fake-cloud-metadata.mjs) serves what the real ones
// serve, with each cloud's header rules, and signs with the FAKE test keys; checked here with the
// openssl CLI and node:crypto, independently of vmlet's verifiers.
import { execFileSync } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCloudKeys, startFakeCloudMetadata, type CloudKeys, type FakeCloudMetadata } from '../../helpers/cloud-keys.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';

let tmp: TmpDir;
let keys: CloudKeys;
const fakes: FakeCloudMetadata[] = [];

beforeAll(() => {
  tmp = makeTmpDir('fake-cloud');
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

/** The content openssl finds in a PKCS#7 after checking its signature; throws when it does not verify. */
function opensslVerify(der: Buffer, extra: string[]): Buffer {
  const file = tmp.join(`p7-${Math.random().toString(36).slice(2)}.der`);
  writeFileSync(file, der);
  return execFileSync('openssl', ['cms', '-verify', '-inform', 'DER', '-in', file, '-purpose', 'any', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('FAKE AWS IMDSv2', () => {
  it('needs a session token, then serves the document, its signature and the rsa2048 PKCS#7 over the same bytes', async () => {
    const f = await start('aws');
    expect((await fetch(`${f.url}/latest/api/token`, { method: 'PUT' })).status).toBe(400);
    expect((await fetch(`${f.url}/latest/dynamic/instance-identity/document`)).status).toBe(401);
    const token = await (await fetch(`${f.url}/latest/api/token`, { method: 'PUT', headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '60' } })).text();
    const get = async (item: string) => (await fetch(`${f.url}/latest/dynamic/instance-identity/${item}`, { headers: { 'X-aws-ec2-metadata-token': token } })).text();
    const doc = await get('document');
    expect(JSON.parse(doc)).toMatchObject({ accountId: '123456789012', region: 'eu-west-1', instanceId: 'i-0fake00000000000001' });
    const sig = Buffer.from(await get('signature'), 'base64');
    expect(verify('sha256', Buffer.from(doc), createPublicKey(readFileSync(keys.aws.cert)), sig)).toBe(true);
    const p7 = Buffer.from(await get('rsa2048'), 'base64');
    expect(opensslVerify(p7, ['-certfile', keys.aws.cert, '-noverify']).toString()).toBe(doc);

    await f.set({ substitute: true, signWith: 'other' });
    const doc2 = await get('document');
    const p72 = Buffer.from(await get('rsa2048'), 'base64');
    expect(() => opensslVerify(p72, ['-certfile', keys.aws.cert, '-noverify', '-nointern'])).toThrow();
    expect(opensslVerify(p72, ['-certfile', keys.aws.otherCert, '-noverify']).toString()).not.toBe(doc2);
    await f.set({ missing: ['rsa2048'] });
    expect((await fetch(`${f.url}/latest/dynamic/instance-identity/rsa2048`, { headers: { 'X-aws-ec2-metadata-token': token } })).status).toBe(404);
  });
});

describe('FAKE GCE metadata', () => {
  it('needs Metadata-Flavor, serves an RS256 JWT with the asked audience and the JWKS that verifies it', async () => {
    const f = await start('gcp');
    const path = `${f.url}/computeMetadata/v1/instance/service-accounts/default/identity?audience=https%3A%2F%2Fonboard&format=full`;
    expect((await fetch(path)).status).toBe(403);
    const jwt = await (await fetch(path, { headers: { 'Metadata-Flavor': 'Google' } })).text();
    const [h, p, s] = jwt.split('.') as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    expect(header).toMatchObject({ alg: 'RS256', kid: keys.gcp.kid });
    expect(claims).toMatchObject({ aud: 'https://onboard', iss: 'https://accounts.google.com', google: { compute_engine: { project_id: 'fake-project' } } });
    expect(claims.exp - claims.iat).toBe(3600);
    const jwks = (await (await fetch(`${f.url}/oauth2/v3/certs`)).json()) as { keys: Array<{ kid: string }> };
    const key = createPublicKey({ key: jwks.keys.find((k) => k.kid === header.kid)!, format: 'jwk' } as never);
    expect(verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))).toBe(true);
  });
});

describe('FAKE Azure IMDS', () => {
  it('needs Metadata: true, echoes the nonce in a PKCS#7 that chains to the test root with the intermediate embedded', async () => {
    const f = await start('azure');
    const path = `${f.url}/metadata/attested/document?api-version=2025-04-07&nonce=abcdefghij0123456789ABCDEFGHIJKL`;
    expect((await fetch(path)).status).toBe(400);
    expect((await fetch(path, { headers: { Metadata: 'true', 'X-Forwarded-For': '10.0.0.1' } })).status).toBe(403);
    const body = (await (await fetch(path, { headers: { Metadata: 'true' } })).json()) as { encoding: string; signature: string };
    expect(body.encoding).toBe('pkcs7');
    const content = opensslVerify(Buffer.from(body.signature, 'base64'), ['-CAfile', keys.azure.root]);
    const doc = JSON.parse(content.toString());
    expect(doc.nonce).toBe('abcdefghij0123456789ABCDEFGHIJKL');
    expect(doc.timeStamp.createdOn).toMatch(/^\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d -0000$/);

    await f.set({ tamper: true });
    const forged = (await (await fetch(path, { headers: { Metadata: 'true' } })).json()) as { signature: string };
    expect(() => opensslVerify(Buffer.from(forged.signature, 'base64'), ['-CAfile', keys.azure.root])).toThrow();
    await f.set({ tamper: false, signWith: 'other' });
    const other = (await (await fetch(path, { headers: { Metadata: 'true' } })).json()) as { signature: string };
    expect(() => opensslVerify(Buffer.from(other.signature, 'base64'), ['-CAfile', keys.azure.root])).toThrow();
    await f.reset();
    await f.set({ status: 503 });
    expect((await fetch(path, { headers: { Metadata: 'true' } })).status).toBe(503);
  });
});
