// One onboarding against the FAKE exchange service (test/fakes/fake-onboard-server.mjs, a test
// double that answers what it is told) and, for AWS, the FAKE cloud metadata service: the bundle
// lands whole where the Istio VM files go (token 0600, the hosts block replaced, not appended
// twice), the AWS reauth secret is kept 0600 and sent back, and every refusal of the protocol
// becomes its own VMLET_ONBOARD_* code whose message carries the service's reason and fix, with
// nothing written.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import type { Config } from '../../../src/config/schema.js';
import { onboardOnce, onboardUntilDone } from '../../../src/onboard/agent/index.js';
import type { Logger } from '../../../src/log.js';
import { HOSTS_BEGIN, HOSTS_END } from '../../../src/onboard/agent/write-bundle.js';
import type { OnboardBundle, OnboardRefusalCode } from '../../../src/onboard/protocol.js';
import { startFakeCloudMetadata, type FakeCloudMetadata } from '../../helpers/cloud-keys.js';
import { startFakeOnboardServer, type FakeOnboardServer } from '../../helpers/fake-onboard-server.js';
import { EMPTY_CONFIG } from '../../helpers/vmlet-process.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';

const SAMPLE: OnboardBundle = {
  group: { namespace: 'bar', name: 'vm-app' },
  serviceAccount: 'vm-sa',
  clusterEnv: "CANONICAL_SERVICE='vm-app'\nPOD_NAMESPACE='bar'\nSERVICE_ACCOUNT='vm-sa'\n",
  meshYaml: 'defaultConfig:\n  discoveryAddress: istiod.istio-system.svc:15012\n',
  rootCertPem: '', // the fake's CA: a real CA certificate, as the loader requires
  hosts: '10.0.0.5 istiod.istio-system.svc\n',
  token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6YmFyOnZtLXNhIn0.c2ln',
  tokenExpiresAt: '2026-12-06T00:00:00Z',
  instanceId: 'join-token/abc',
};

describe('onboardOnce against the FAKE exchange service', () => {
  let tmp: TmpDir;
  let server: FakeOnboardServer;
  let aws: FakeCloudMetadata;
  let n = 0;
  let dir: string;
  let BUNDLE: OnboardBundle = SAMPLE;

  beforeAll(async () => {
    tmp = makeTmpDir('onboard-once');
    server = await startFakeOnboardServer(tmp.join('tls'));
    aws = await startFakeCloudMetadata('aws', tmp.join('keys'), 90_000); // key generation is slow on a loaded machine
    BUNDLE = { ...SAMPLE, rootCertPem: readFileSync(server.caFile, 'utf8') };
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    await aws?.stop();
    tmp.cleanup();
  });
  beforeEach(() => {
    dir = tmp.join(`vm-${++n}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/hosts-file`, '127.0.0.1 localhost\n::1 localhost\n');
    writeFileSync(`${dir}/join-token`, 'jt-secret-42\n', { mode: 0o600 });
    chmodSync(`${dir}/join-token`, 0o600);
  });

  function config(over: Record<string, string> = {}): Config {
    const r = loadConfig({
      env: {}, configPath: EMPTY_CONFIG, istioDir: `${dir}/istio`,
      flags: {
        'general.stateDir': `${dir}/state`, 'onboarding.provider': 'join-token', 'onboarding.url': server.url,
        'onboarding.caFile': server.caFile, 'onboarding.joinTokenFile': `${dir}/join-token`, 'onboarding.hostsFile': `${dir}/hosts-file`,
        'onboarding.timeout': '3s', ...over,
      },
    });
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
    return r.config;
  }

  it('writes the five files whole, the token 0600, the hosts block once, and spends the join token', async () => {
    await server.answer({ bundle: BUNDLE });
    const before = (await server.requests()).length;
    const r = await onboardOnce({ config: config() });
    expect(r).toMatchObject({ group: 'bar/vm-app', serviceAccount: 'vm-sa', tokenExpiresAt: BUNDLE.tokenExpiresAt });
    expect(readFileSync(`${dir}/istio/cluster.env`, 'utf8')).toBe(BUNDLE.clusterEnv);
    expect(readFileSync(`${dir}/istio/mesh.yaml`, 'utf8')).toBe(BUNDLE.meshYaml);
    expect(readFileSync(`${dir}/istio/root-cert.pem`, 'utf8')).toBe(BUNDLE.rootCertPem);
    expect(readFileSync(`${dir}/istio/hosts`, 'utf8')).toBe(BUNDLE.hosts);
    expect(readFileSync(`${dir}/istio/istio-token`, 'utf8')).toBe(BUNDLE.token);
    expect(statSync(`${dir}/istio/istio-token`).mode & 0o777).toBe(0o600);
    expect(r.files.at(-1)).toBe(`${dir}/istio/istio-token`); // renamed last
    expect(readdirSync(`${dir}/istio`).filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(readFileSync(`${dir}/hosts-file`, 'utf8')).toBe(`127.0.0.1 localhost\n::1 localhost\n${HOSTS_BEGIN}\n10.0.0.5 istiod.istio-system.svc\n${HOSTS_END}\n`);
    expect(existsSync(`${dir}/join-token`)).toBe(false);
    const reqs = (await server.requests()).slice(before);
    expect(reqs.map((q) => q.path)).toEqual(['/v1/challenge', '/v1/onboard']);
    // One TLS connection for both: a fleet booting at once costs the service one handshake per VM.
    expect(reqs[1]!.clientPort).toBe(reqs[0]!.clientPort);
    expect(reqs[1]!.body).toMatchObject({ provider: 'join-token', attestation: { token: 'jt-secret-42' }, instance: { hostname: expect.any(String) } });
    expect(typeof reqs[1]!.body.nonce).toBe('string');

    // Again (a new bundle): the block is replaced, the operator's lines kept.
    writeFileSync(`${dir}/join-token`, 'jt-secret-43\n', { mode: 0o600 });
    chmodSync(`${dir}/join-token`, 0o600);
    await server.answer({ bundle: { ...BUNDLE, hosts: '10.0.0.6 istiod.istio-system.svc\n' } });
    await onboardOnce({ config: config() });
    const hosts = readFileSync(`${dir}/hosts-file`, 'utf8');
    expect(hosts.split(HOSTS_BEGIN).length).toBe(2);
    expect(hosts).toContain('10.0.0.6 istiod');
    expect(hosts).not.toContain('10.0.0.5');
    expect(hosts.startsWith('127.0.0.1 localhost\n::1 localhost\n')).toBe(true);
  });

  const REFUSALS: [OnboardRefusalCode, number, string][] = [
    ['ONBOARD_NO_POLICY', 403, 'VMLET_ONBOARD_POLICY_REFUSED'],
    ['ONBOARD_POLICY_LIMIT', 403, 'VMLET_ONBOARD_POLICY_REFUSED'],
    ['ONBOARD_ATTESTATION_EXPIRED', 401, 'VMLET_ONBOARD_CLOCK_SKEW'],
    ['ONBOARD_REPLAY', 401, 'VMLET_ONBOARD_REPLAY'],
    ['ONBOARD_AUDIENCE_MISMATCH', 401, 'VMLET_ONBOARD_AUDIENCE_MISMATCH'],
    ['ONBOARD_ATTESTATION_INVALID', 401, 'VMLET_ONBOARD_ATTESTATION_REFUSED'],
    ['ONBOARD_JOIN_TOKEN_INVALID', 401, 'VMLET_ONBOARD_JOIN_TOKEN_REFUSED'],
    ['ONBOARD_KUBERNETES_REFUSED', 502, 'VMLET_ONBOARD_KUBERNETES_REFUSED'],
    ['ONBOARD_BAD_REQUEST', 400, 'VMLET_ONBOARD_SERVICE_ERROR'],
    ['ONBOARD_INTERNAL', 500, 'VMLET_ONBOARD_SERVICE_ERROR'],
  ];

  it.each(REFUSALS)('%s (HTTP %i) is %s with the reason and fix, nothing written, the join token kept', async (code, status, vmletCode) => {
    await server.answer({ status, body: { code, reason: `reason for ${code}`, fix: `fix for ${code}` } });
    const err = await onboardOnce({ config: config() }).catch((e: unknown) => e) as Error & { code: string };
    expect(err.code).toBe(vmletCode);
    expect(err.message).toContain(`reason for ${code}`);
    expect(err.message).toContain(`fix for ${code}`);
    expect(err.message).toContain(`[${code}, HTTP ${status}]`);
    expect(err.message).toContain(server.url);
    expect(err.message).not.toContain('jt-secret-42');
    if (vmletCode === 'VMLET_ONBOARD_CLOCK_SKEW') expect(err.message).toMatch(/this VM's clock reads \d{4}-/);
    expect(existsSync(`${dir}/istio`)).toBe(false);
    expect(readFileSync(`${dir}/hosts-file`, 'utf8')).not.toContain(HOSTS_BEGIN);
    expect(existsSync(`${dir}/join-token`)).toBe(true);
  });

  it('a nonce the service did not issue is VMLET_ONBOARD_NONCE_INVALID (the client sends the challenge\'s nonce)', async () => {
    await server.answer({ status: 401, body: { code: 'ONBOARD_NONCE_INVALID', reason: 'nonce used', fix: 'retry' } });
    await expect(onboardOnce({ config: config() })).rejects.toMatchObject({ code: 'VMLET_ONBOARD_NONCE_INVALID' });
  });

  it('an answer that is not the protocol is VMLET_ONBOARD_SERVICE_ERROR; a bundle without a token is VMLET_ONBOARD_BAD_BUNDLE, nothing written', async () => {
    await server.answer({ status: 502, body: '<html>bad gateway</html>' });
    await expect(onboardOnce({ config: config() })).rejects.toMatchObject({ code: 'VMLET_ONBOARD_SERVICE_ERROR', message: expect.stringContaining('HTTP 502') });
    const { token: _t, ...noToken } = BUNDLE;
    await server.answer({ bundle: noToken });
    await expect(onboardOnce({ config: config() })).rejects.toMatchObject({ code: 'VMLET_ONBOARD_BAD_BUNDLE', message: expect.stringContaining('token') });
    expect(existsSync(`${dir}/istio`)).toBe(false);
  });

  it("a caFile that did not sign the service's certificate is VMLET_ONBOARD_TLS naming caFile", async () => {
    await server.answer({ bundle: BUNDLE });
    await expect(onboardOnce({ config: config({ 'onboarding.caFile': server.otherCaFile }) })).rejects.toMatchObject({ code: 'VMLET_ONBOARD_TLS', message: expect.stringContaining(server.otherCaFile) });
  });

  it('a service nobody listens for is VMLET_ONBOARD_SERVICE_UNREACHABLE naming the URL', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await expect(onboardOnce({ config: config({ 'onboarding.url': `https://127.0.0.1:${port}` }) })).rejects.toMatchObject({ code: 'VMLET_ONBOARD_SERVICE_UNREACHABLE', message: expect.stringContaining(`https://127.0.0.1:${port}/v1/challenge`) });
  });

  it('--dry-run collects and reaches the service, then exchanges, writes and spends nothing', async () => {
    await server.answer({ bundle: BUNDLE });
    const before = (await server.requests()).length;
    const r = await onboardOnce({ config: config() }, { dryRun: true });
    expect(r.dryRun).toBe(true);
    expect((await server.requests()).slice(before).map((q) => q.path)).toEqual(['/v1/challenge']);
    expect(existsSync(`${dir}/istio`)).toBe(false);
    expect(existsSync(`${dir}/join-token`)).toBe(true);
  });

  it('aws: the reauth secret of the first onboarding is kept 0600 in the state dir and sent on the next', async () => {
    await aws.reset();
    const cfg = () => config({ 'onboarding.provider': 'aws', 'onboarding.metadataUrl': aws.url });
    await server.answer({ bundle: { ...BUNDLE, reauthSecret: 'reauth-1' } });
    const before = (await server.requests()).length;
    await onboardOnce({ config: cfg() });
    const secret = `${dir}/state/onboarding/aws-reauth-secret`;
    expect(readFileSync(secret, 'utf8').trim()).toBe('reauth-1');
    expect(statSync(secret).mode & 0o777).toBe(0o600);
    expect(statSync(`${dir}/state/onboarding`).mode & 0o777).toBe(0o700);
    await onboardOnce({ config: cfg() });
    const onboards = (await server.requests()).slice(before).filter((q) => q.path === '/v1/onboard');
    expect(onboards[0]!.body.attestation).not.toHaveProperty('reauthSecret');
    expect(onboards[0]!.body.attestation).toMatchObject({ document: expect.stringContaining('"instanceId"'), rsa2048: expect.any(String), signature: expect.any(String) });
    expect(onboards[1]!.body).toMatchObject({ provider: 'aws', attestation: { reauthSecret: 'reauth-1' } });
  });
  it('vmlet run retries a refusal with its backoff and logs the first five, then one in ten, and again when the cause changes', async () => {
    // 25 refusals, then one of another kind, then the bundle: 7 logs (1-5, 15, 25) + 1 (new cause).
    await server.answer(...Array.from({ length: 25 }, () => ({ status: 403, body: { code: 'ONBOARD_NO_POLICY', reason: 'no policy', fix: 'add one' } })),
      { status: 401, body: { code: 'ONBOARD_REPLAY', reason: 'seen before', fix: 'restart' } }, { bundle: BUNDLE });
    const warns: { code: string; attempt: number }[] = [];
    const logger = { warn: (o: { code: string; attempt: number }) => { warns.push(o); }, info: () => undefined } as unknown as Logger;
    const states: string[] = [];
    const status = { set: (_c: string, state: string) => { states.push(state); } };
    const r = await onboardUntilDone({ config: config({ 'onboarding.retryInitial': '1ms', 'onboarding.retryMax': '1ms' }), logger, status });
    expect(r).toBe('onboarded');
    expect(states.filter((x) => x === 'degraded')).toHaveLength(26); // every retry is in status
    expect(warns.map((w) => `${w.code}#${w.attempt}`)).toEqual([1, 2, 3, 4, 5, 15, 25].map((a) => `VMLET_ONBOARD_POLICY_REFUSED#${a}`).concat('VMLET_ONBOARD_REPLAY#26'));
  }, 60_000);
});
