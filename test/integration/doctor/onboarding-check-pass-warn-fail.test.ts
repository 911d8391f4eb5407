// vmlet doctor on a VM configured for zero-touch onboarding: the token and files checks know that
// onboarding brings what is missing, and the onboarding check drives pass, warn, fail and skip
// against the FAKE exchange service (test/fakes/fake-onboard-server.mjs) and the FAKE cloud
// metadata service (test/fakes/fake-cloud-metadata.mjs), both test doubles on loopback.
import { chmodSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor, type CheckResult, type DoctorContext } from '../../../src/doctor/index.js';
import { checkOnboarding } from '../../../src/doctor/onboarding-check.js';
import { checkToken } from '../../../src/doctor/token-check.js';
import { startFakeCloudMetadata, type FakeCloudMetadata } from '../../helpers/cloud-keys.js';
import { doctorContext } from '../../helpers/doctor-context.js';
import { startFakeOnboardServer, type FakeOnboardServer } from '../../helpers/fake-onboard-server.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/istio-vm');

describe('doctor on a VM configured for onboarding', { timeout: 60_000 }, () => {
  let tmp: TmpDir;
  let srv: FakeOnboardServer;
  let aws: FakeCloudMetadata;
  /** Accepts TCP and TLS-less bytes, never answers: a hung service. */
  let silent: Server;
  let silentPort = 0;
  const held = new Set<Socket>();
  let n = 0;
  beforeAll(async () => {
    tmp = makeTmpDir('doctor-onb');
    srv = await startFakeOnboardServer(tmp.join('srv'));
    aws = await startFakeCloudMetadata('aws', tmp.join('keys'), 90_000); // key generation is slow on a loaded machine
    silent = createServer((sock) => { held.add(sock); sock.once('close', () => held.delete(sock)); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    silentPort = (silent.address() as { port: number }).port;
  }, 180_000);
  afterAll(async () => {
    await srv?.stop();
    await aws?.stop();
    for (const sock of held) sock.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
    tmp.cleanup();
  });

  /** An Istio directory: empty (never onboarded), the fixture without its token, or with it. */
  function istioDir(kind: 'empty' | 'no-token' | 'token'): string {
    const dir = tmp.join(`istio-${++n}`);
    mkdirSync(dir, { recursive: true });
    if (kind !== 'empty') cpSync(FIXTURE, dir, { recursive: true });
    if (kind === 'no-token') rmSync(join(dir, 'istio-token'));
    return dir;
  }
  async function ctx(dir: string, flags: Record<string, string> = {}): Promise<DoctorContext> {
    return doctorContext(dir, {
      'general.stateDir': tmp.join(`state-${n}`),
      'istiod.caAddress': 'istiod.vmlet-test.invalid:15012',
      'onboarding.provider': 'aws', 'onboarding.url': srv.url, 'onboarding.caFile': srv.caFile, 'onboarding.metadataUrl': aws.url,
      ...flags,
    });
  }
  const byId = (checks: readonly CheckResult[], id: string) => checks.find((c) => c.id === id)!;

  it('not onboarded yet: token and files pass ("onboarding will supply it"), onboarding passes with its bound shown', async () => {
    const before = (await aws.requests())['/latest/api/token'] ?? 0;
    const r = await runDoctor(await ctx(istioDir('empty')), 'test');
    const token = byId(r.checks, 'token');
    expect(token.status, token.saw).toBe('pass');
    expect(token.saw).toContain(`VMLET_TOKEN_MISSING: onboarding will supply it: provider aws at ${srv.url}`);
    const files = byId(r.checks, 'files');
    expect(files.status, files.saw).toBe('pass');
    expect(files.saw).toMatch(/not yet on this VM: cluster\.env .*istio-token .*onboarding will write them \(provider aws/);
    const onb = byId(r.checks, 'onboarding');
    expect(onb.status, onb.saw).toBe('pass');
    expect(onb.saw).toMatch(/^provider aws: caFile .*: CA CN=fake-onboard-ca; service https:\/\/127\.0\.0\.1:\d+ answered a challenge over verified TLS in \d+ ms; aws metadata http:\/\/127\.0\.0\.1:\d+ served this VM's identity/);
    expect(onb.timeoutMs).toBe(2000);
    expect(onb.data).toMatchObject({ provider: 'aws', needed: true, timeoutMs: 2000 });
    // A challenge was asked, nothing exchanged; IMDSv2 was asked as onboarding asks it.
    const paths = (await srv.requests()).map((q) => q.path);
    expect(paths).toContain('/v1/challenge');
    expect(paths).not.toContain('/v1/onboard');
    expect((await aws.requests())['/latest/api/token']).toBeGreaterThan(before);
    // istiod's checks wait for onboarding's files: skipped, saying why, not failed.
    for (const id of ['dns', 'reach', 'tls', 'ca', 'clock', 'workloadgroup']) expect(byId(r.checks, id)).toMatchObject({ status: 'skip', saw: expect.stringMatching(/^not onboarded yet/) });
    // Nothing about onboarding is in the report's failures.
    expect(r.checks.filter((c) => c.status === 'fail').map((c) => c.id)).not.toContain('onboarding');
  });

  it('without onboarding the same missing token still fails, and onboarding says skip', async () => {
    const c = await ctx(istioDir('no-token'), { 'onboarding.provider': 'none' });
    expect(await checkToken(c, undefined)).toMatchObject({ status: 'fail', saw: expect.stringMatching(/^VMLET_TOKEN_MISSING/) });
    expect(await checkOnboarding(c)).toMatchObject({ status: 'skip', saw: expect.stringMatching(/provider is none/) });
  });

  it('fail when this VM would onboard: metadata service down (refused), with cause and fix', async () => {
    const v = await checkOnboarding(await ctx(istioDir('no-token'), { 'onboarding.metadataUrl': 'http://127.0.0.1:1' }));
    expect(v.status, v.saw).toBe('fail');
    expect(v.saw).toMatch(/answered a challenge .*; VMLET_ONBOARD_METADATA_UNREACHABLE: the aws metadata service did not answer .*ECONNREFUSED/);
    expect(v.fix).toMatch(/hop limit 2/);
  });

  it('fail: the service hangs; the check ends by its bound (set here) with ETIMEDOUT and shows the bound', async () => {
    const c = await ctx(istioDir('no-token'), { 'onboarding.url': `https://127.0.0.1:${silentPort}` });
    const v = await checkOnboarding({ ...c, timeouts: { ...c.timeouts, onboard: 300 } });
    expect(v).toMatchObject({ status: 'fail', timeoutMs: 300, saw: expect.stringMatching(/VMLET_ONBOARD_SERVICE_UNREACHABLE: .*ETIMEDOUT/) });
    expect(v.fix).toMatch(/onboarding\.url/);
  });

  it('fail: caFile is another CA (TLS), is not a CA, or is missing', async () => {
    const other = await checkOnboarding(await ctx(istioDir('no-token'), { 'onboarding.caFile': srv.otherCaFile }));
    expect(other).toMatchObject({ status: 'fail', saw: expect.stringMatching(/VMLET_ONBOARD_TLS: TLS to the exchange service/) });
    expect(other.fix).toMatch(/onboarding\.caFile/);
    const leaf = await checkOnboarding(await ctx(istioDir('no-token'), { 'onboarding.caFile': join(tmp.join('srv'), 'tls.crt') }));
    expect(leaf).toMatchObject({ status: 'fail', saw: expect.stringMatching(/CN=fake-onboard is not a CA certificate; service not asked/) });
    expect(leaf.fix).toMatch(/not the service's own certificate/);
    const none = await checkOnboarding(await ctx(istioDir('no-token'), { 'onboarding.caFile': tmp.join('no-such-ca.pem') }));
    expect(none).toMatchObject({ status: 'fail', saw: expect.stringMatching(/^provider aws: VMLET_ONBOARD_CA_FILE: .*ENOENT/) });
  });

  it('warn when this VM would not onboard now (valid token) but onboarding would fail later', async () => {
    const v = await checkOnboarding(await ctx(istioDir('token'), { 'onboarding.metadataUrl': 'http://127.0.0.1:1' }));
    expect(v.status, v.saw).toBe('warn');
    expect(v.saw).toMatch(/not needed now \(the istio-token at .* is valid\), but would fail: .*VMLET_ONBOARD_METADATA_UNREACHABLE/);
    expect(v.cause && v.fix).toBeTruthy();
    // ... while a bad caFile fails even then: `vmlet run` refuses it at once.
    const ca = await checkOnboarding(await ctx(istioDir('token'), { 'onboarding.caFile': tmp.join('no-such-ca.pem') }));
    expect(ca.status).toBe('fail');
  });

  it('join-token: pass with the file at 0600, fail when others can read it or it is missing', async () => {
    const file = tmp.join('join-token');
    writeFileSync(file, 'jt-not-a-real-secret\n');
    chmodSync(file, 0o600);
    const flags = { 'onboarding.provider': 'join-token', 'onboarding.joinTokenFile': file, 'onboarding.metadataUrl': '' };
    const ok = await checkOnboarding(await ctx(istioDir('no-token'), flags));
    expect(ok.status, ok.saw).toBe('pass');
    expect(ok.saw).toContain(`join token ${file}: present, mode 0600 or stricter`);
    expect(ok.saw).not.toContain('jt-not-a-real-secret');
    chmodSync(file, 0o644);
    const open = await checkOnboarding(await ctx(istioDir('no-token'), flags));
    expect(open).toMatchObject({ status: 'fail', saw: expect.stringMatching(/VMLET_ONBOARD_JOIN_TOKEN_PERMISSIONS: .*mode 0644/) });
    const missing = await checkOnboarding(await ctx(istioDir('no-token'), { ...flags, 'onboarding.joinTokenFile': tmp.join('none') }));
    expect(missing).toMatchObject({ status: 'fail', saw: expect.stringMatching(/VMLET_ONBOARD_JOIN_TOKEN_MISSING/) });
  });
});
