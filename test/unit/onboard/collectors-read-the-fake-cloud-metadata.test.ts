// The collectors against the FAKE cloud metadata service (test/fakes/fake-cloud-metadata.mjs, a
// test double signing with test keys; not any cloud's service): each asks with its provider's
// protocol (IMDSv2 PUT then GETs; GCP's header, audience and format=full; Azure's header and the
// service's nonce) and forwards exactly what was served; a silent, absent or refusing metadata
// service is an error naming the URL and the fix.
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { chmodSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectAws } from '../../../src/onboard/agent/collect-aws.js';
import { collectAzure } from '../../../src/onboard/agent/collect-azure.js';
import { collectGcp } from '../../../src/onboard/agent/collect-gcp.js';
import { collectJoinToken } from '../../../src/onboard/agent/collect-join-token.js';
import { startFakeCloudMetadata, type FakeCloudMetadata } from '../../helpers/cloud-keys.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

/** The content a PKCS#7 embeds, read with openssl (signature not checked: that is the service's job). */
function cmsContent(b64: string): string {
  const r = spawnSync('openssl', ['cms', '-verify', '-noverify', '-inform', 'DER'], { input: Buffer.from(b64, 'base64') });
  return r.stdout.toString();
}

describe('collectors read the FAKE cloud metadata service', () => {
  let tmp: TmpDir;
  const fakes: Partial<Record<'aws' | 'gcp' | 'azure', FakeCloudMetadata>> = {};
  let silent: Server;
  let silentUrl = '';
  beforeAll(async () => {
    tmp = makeTmpDir('onboard-collect');
    const keys = tmp.join('keys');
    for (const p of ['aws', 'gcp', 'azure'] as const) fakes[p] = await startFakeCloudMetadata(p, keys, 90_000); // key generation is slow on a loaded machine
    // Accepts connections and never answers: a metadata service that hangs.
    silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  }, 180_000);
  afterAll(async () => {
    for (const f of Object.values(fakes)) await f?.stop();
    silent.closeAllConnections();
    await new Promise<void>((r) => silent.close(() => r()));
    tmp.cleanup();
  });

  it('aws: IMDSv2 session token first, then the document exactly as served, rsa2048 and signature', async () => {
    const aws = fakes.aws!;
    await aws.reset();
    const a = await collectAws({ baseUrl: aws.url, timeoutMs: 5000 }, 'kept-secret');
    const served = await (await fetch(`${aws.url}/latest/dynamic/instance-identity/document`, { headers: { 'X-aws-ec2-metadata-token': await (await fetch(`${aws.url}/latest/api/token`, { method: 'PUT', headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '10' } })).text() } })).text();
    expect(a.document).toBe(served);
    expect(JSON.parse(a.document).instanceId).toMatch(/^i-/);
    // AWS's PKCS#7 carries no certificate (openssl cms cannot open it without one): the document is embedded verbatim.
    expect(Buffer.from(a.rsa2048!, 'base64').includes(Buffer.from(a.document))).toBe(true);
    expect(a.signature).toMatch(/^[A-Za-z0-9+/=\s]+$/);
    expect(a.reauthSecret).toBe('kept-secret');
    const req = await aws.requests();
    expect(req['/latest/api/token']).toBeGreaterThanOrEqual(1);
  });

  it('aws: without /rsa2048 the signature alone is forwarded', async () => {
    const aws = fakes.aws!;
    await aws.reset();
    await aws.set({ missing: ['rsa2048'] });
    const a = await collectAws({ baseUrl: aws.url, timeoutMs: 5000 });
    expect(a.rsa2048).toBeUndefined();
    expect(a.signature).toBeDefined();
    expect(a.reauthSecret).toBeUndefined();
  });

  it('aws: a metadata error status is VMLET_ONBOARD_METADATA_REFUSED naming the URL', async () => {
    const aws = fakes.aws!;
    await aws.reset();
    await aws.set({ status: 503 });
    await expect(collectAws({ baseUrl: aws.url, timeoutMs: 5000 })).rejects.toMatchObject({ code: 'VMLET_ONBOARD_METADATA_REFUSED', message: expect.stringContaining(`${aws.url}/latest/`) });
  });

  it('aws: a metadata service that never answers is VMLET_ONBOARD_METADATA_UNREACHABLE within the timeout, with the hop-limit fix', async () => {
    const started = Date.now();
    const err = await collectAws({ baseUrl: silentUrl, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(err).toMatchObject({ code: 'VMLET_ONBOARD_METADATA_UNREACHABLE' });
    expect((err as Error).message).toContain(`PUT ${silentUrl}/latest/api/token`);
    expect((err as Error).message).toContain('hop limit');
  });

  it('aws: nothing listening is VMLET_ONBOARD_METADATA_UNREACHABLE (ECONNREFUSED)', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await expect(collectAws({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 2000 })).rejects.toMatchObject({ code: 'VMLET_ONBOARD_METADATA_UNREACHABLE', message: expect.stringContaining('ECONNREFUSED') });
  });

  it('gcp: the identity token for the audience asked, format=full', async () => {
    const gcp = fakes.gcp!;
    await gcp.reset();
    const g = await collectGcp({ baseUrl: gcp.url, timeoutMs: 5000 }, 'https://vmlet-onboard.example:15443');
    const claims = claimsOf(g.token);
    expect(claims.aud).toBe('https://vmlet-onboard.example:15443');
    expect(claims.google).toMatchObject({ compute_engine: expect.objectContaining({ instance_id: expect.any(String) }) });
  });

  it('gcp: a 404 (no service account attached) names that fix', async () => {
    const gcp = fakes.gcp!;
    await gcp.reset();
    await gcp.set({ status: 404 });
    await expect(collectGcp({ baseUrl: gcp.url, timeoutMs: 5000 }, 'aud')).rejects.toMatchObject({ code: 'VMLET_ONBOARD_METADATA_REFUSED', message: expect.stringContaining('service account') });
  });

  it("azure: the attested document carries the service's nonce", async () => {
    const azure = fakes.azure!;
    await azure.reset();
    const nonce = 'AbCdEfGhIjKlMnOpQrStUvWxYz012345';
    const z = await collectAzure({ baseUrl: azure.url, timeoutMs: 5000 }, nonce);
    expect(JSON.parse(cmsContent(z.signature)).nonce).toBe(nonce);
  });

  it('azure: a metadata service that hangs is unreachable with the no-proxy, primary-NIC fix', async () => {
    await expect(collectAzure({ baseUrl: silentUrl, timeoutMs: 300 }, 'n')).rejects.toMatchObject({ code: 'VMLET_ONBOARD_METADATA_UNREACHABLE', message: expect.stringContaining('primary NIC') });
  });

  it('join-token: read from a 0600 file; a readable-by-others, empty or missing file is refused before it is sent', () => {
    const f = tmp.join('join-token');
    writeFileSync(f, 'jt-secret-1\n', { mode: 0o600 });
    chmodSync(f, 0o600);
    expect(collectJoinToken(f)).toEqual({ token: 'jt-secret-1' });
    chmodSync(f, 0o644);
    expect(() => collectJoinToken(f)).toThrow(expect.objectContaining({ code: 'VMLET_ONBOARD_JOIN_TOKEN_PERMISSIONS', message: expect.stringContaining('chmod 0600') }));
    chmodSync(f, 0o600);
    writeFileSync(f, ' \n');
    expect(() => collectJoinToken(f)).toThrow(expect.objectContaining({ code: 'VMLET_ONBOARD_JOIN_TOKEN_MISSING', message: expect.stringContaining('is empty') }));
    expect(() => collectJoinToken(tmp.join('nope'))).toThrow(expect.objectContaining({ code: 'VMLET_ONBOARD_JOIN_TOKEN_MISSING', message: expect.stringContaining('does not exist') }));
  });

  it('no secret in any error message', async () => {
    const f = tmp.join('jt2');
    writeFileSync(f, 'jt-very-secret\n', { mode: 0o644 });
    chmodSync(f, 0o644);
    try {
      collectJoinToken(f);
    } catch (err) {
      expect((err as Error).message).not.toContain('jt-very-secret');
    }
  });
});
