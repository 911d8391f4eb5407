// The onboarding service over real HTTPS on loopback, against the FAKE Kubernetes API
// (test/fakes/fake-kube-api.ts, a test double of the apiserver). Cloud attestations are checked
// by FAKE verifiers here (the real ones have their own tests, and the e2e tier runs them against
// the FAKE cloud metadata services): this suite is about what the service does around a verifier:
// nonces, replay and TOFU, policies and limits, the TokenRequest, the bundle, and that every
// decision is answered with its code and status and leaves one audit record without secrets.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../../src/onboard-server/config.js';
import type { VerifiedIdentity, Verifier } from '../../../src/onboard-server/attest/types.js';
import { jsonLinesAudit } from '../../../src/onboard-server/audit.js';
import { startOnboardService, type OnboardService } from '../../../src/onboard-server/index.js';
import { createJoinToken } from '../../../src/onboard-server/join-tokens.js';
import { credentialsFromKubeconfig, KubeClient } from '../../../src/onboard-server/kube.js';
import { silentLogger } from '../../../src/log.js';
import { ONBOARD_REFUSALS, OnboardRefusal, type OnboardProvider, type OnboardRefusalCode } from '../../../src/onboard/protocol.js';
import { FakeKubeApi } from '../../fakes/fake-kube-api.js';
import { makeTestTls, type TestTls } from '../../helpers/test-tls.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';

/** FAKE cloud verifier: the attestation says what identity to return, or which refusal to throw. */
function fakeCloudVerifier(provider: OnboardProvider): Verifier {
  return {
    provider,
    verify: async (att) => {
      const a = att as { refuse?: [OnboardRefusalCode, string]; crash?: boolean; id?: Partial<VerifiedIdentity> & { pendingTime?: string; notAfter?: string } };
      if (a.crash === true) throw new Error('fake verifier bug');
      if (a.refuse !== undefined) throw new OnboardRefusal(a.refuse[0], a.refuse[1], 'fake fix');
      const id = a.id ?? {};
      return {
        provider,
        instanceId: id.instanceId ?? 'i-0',
        account: id.account ?? '',
        attributes: id.attributes ?? {},
        replayKey: id.replayKey ?? `${id.account}/${id.instanceId}`,
        ...(id.pendingTime !== undefined ? { pendingTime: new Date(id.pendingTime) } : {}),
        ...(id.notAfter !== undefined ? { notAfter: new Date(id.notAfter) } : {}),
      };
    },
  };
}

/** FAKE join-token verifier on the service's real JoinTokenStore (Secrets in the FAKE apiserver). */
const fakeJoinTokenVerifier: Verifier = {
  provider: 'join-token',
  verify: async (att, ctx) => {
    const token = (att as { token?: string }).token ?? '';
    const rec = await ctx.joinTokens!.consume(createHash('sha256').update(token).digest('hex'));
    if (rec === undefined) throw new OnboardRefusal('ONBOARD_JOIN_TOKEN_INVALID', 'unknown or used join token', 'make a new one');
    if (rec.expiresAt <= ctx.now) throw new OnboardRefusal('ONBOARD_JOIN_TOKEN_INVALID', `join token expired at ${rec.expiresAt.toISOString()}`, 'make a new one');
    const group = `${rec.group.namespace}/${rec.group.name}`;
    return { provider: 'join-token', instanceId: rec.id, account: group, attributes: { group }, replayKey: rec.id };
  },
};

const MESH = 'trustDomain: cluster.local\ndefaultConfig:\n  discoveryAddress: istiod.istio-system.svc:15012\n  proxyMetadata: {ISTIO_META_DNS_AUTO_ALLOCATE: "true"}\n';

describe('onboard-server over HTTPS with the FAKE Kubernetes API', () => {
  const tmp = makeTmpDir('onboard-server');
  let tls: TestTls;
  let kube: FakeKubeApi;
  let service: OnboardService;
  const auditLines: string[] = [];

  beforeAll(async () => {
    tls = makeTestTls(tmp.join('tls'));
    kube = await new FakeKubeApi(tls).start();
    kube.addGroup('web', 'web-vms', 'web-sa', { template: { serviceAccount: 'web-sa', ports: { http: 8080 } } });
    kube.addGroup('dc', 'rack', 'rack-sa');
    kube.configMaps.set('istio-system/istio', { mesh: MESH });
    kube.configMaps.set('istio-system/istio-sidecar-injector', { values: JSON.stringify({ global: { multiCluster: { clusterName: 'Kubernetes' } } }) });
    const configFile = tmp.join('config.yaml');
    writeFileSync(configFile, [
      'listen: 127.0.0.1:0',
      'metricsListen: 127.0.0.1:0',
      `tls: {certFile: ${tls.certFile}, keyFile: ${tls.keyFile}}`,
      'audience: https://onboard.test',
      `kubeconfig: ${kube.kubeconfig(tmp.join('kubeconfig'))}`,
      `stateFile: ${tmp.join('state', 'ledger.json')}`,
      'tokenLifetime: 20m',
      'readCacheSeconds: 0',
      'hosts: "10.0.0.5 istiod.istio-system.svc"',
      'policies:',
      '  - {name: aws-web, provider: aws, match: {accountId: ["111111111111"]}, workloadGroup: {namespace: web, name: web-vms}, maxVMs: 2}',
      '  - {name: gcp-web, provider: gcp, match: {project_id: [p1]}, workloadGroup: {namespace: web, name: web-vms}}',
      '  - {name: azure-web, provider: azure, match: {subscriptionId: [s1]}, workloadGroup: {namespace: web, name: web-vms}}',
      '  - {name: onprem, provider: join-token, workloadGroup: {namespace: dc, name: rack}}',
      '',
    ].join('\n'));
    const config = loadServerConfig(configFile);
    service = await startOnboardService({
      config,
      verifiers: { aws: fakeCloudVerifier('aws'), gcp: fakeCloudVerifier('gcp'), azure: fakeCloudVerifier('azure'), 'join-token': fakeJoinTokenVerifier },
      logger: silentLogger(),
      audit: jsonLinesAudit(config.audience, { write: (t: string) => auditLines.push(t) }),
    });
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    await kube?.close();
    tmp.cleanup();
  });

  function post(path: string, body: unknown, port = service.port): Promise<{ status: number; json: Record<string, unknown> }> {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method: 'POST', ca: readFileSync(tls.caFile), headers: { 'content-type': 'application/json' }, timeout: 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
      });
      req.on('error', reject);
      req.end(text);
    });
  }

  async function onboard(provider: OnboardProvider, attestation: unknown, nonce?: string) {
    const n = nonce ?? ((await post('/v1/challenge', {})).json.nonce as string);
    const before = auditLines.length;
    const res = await post('/v1/onboard', { provider, nonce: n, attestation, instance: { hostname: 'vm-1' } });
    expect(auditLines.length, 'one audit record per decision').toBe(before + 1);
    const audit = JSON.parse(auditLines.at(-1)!) as Record<string, unknown>;
    return { ...res, audit, nonce: n };
  }

  const awsId = (instanceId: string, account = '111111111111', pendingTime = '2026-01-01T00:00:00Z') => ({ id: { instanceId, account, attributes: { accountId: account, region: 'eu-west-1', instanceId }, replayKey: `${account}/eu-west-1/${instanceId}`, pendingTime } });

  function expectRefused(r: { status: number; json: Record<string, unknown>; audit: Record<string, unknown> }, code: OnboardRefusalCode): void {
    expect(r.json.code, JSON.stringify(r.json)).toBe(code);
    expect(r.status).toBe(ONBOARD_REFUSALS[code]);
    expect(typeof r.json.reason).toBe('string');
    expect(typeof r.json.fix).toBe('string');
    expect(r.audit).toMatchObject({ decision: 'refused', code, reason: r.json.reason, audit: 'onboard', service: 'https://onboard.test' });
  }

  it('1. a challenge is a 32-alphanumeric nonce valid for 5 minutes', async () => {
    const r = await post('/v1/challenge', {});
    expect(r.status).toBe(200);
    expect(r.json.nonce).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(Date.parse(r.json.expiresAt as string) - Date.now()).toBeGreaterThan(290_000);
  });

  it('2. AWS onboards: the bundle for the policy\'s group, a TokenRequest (istio-ca, 20 min) and a reauthSecret; audited as allowed', async () => {
    kube.maxTokenSeconds = 900; // the apiserver caps it: the bundle must carry the apiserver's expiry
    const r = await onboard('aws', awsId('i-1'));
    kube.maxTokenSeconds = 48 * 3600;
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json).toMatchObject({ group: { namespace: 'web', name: 'web-vms' }, serviceAccount: 'web-sa', instanceId: 'i-1', hosts: '10.0.0.5 istiod.istio-system.svc\n' });
    expect(r.json.token).toMatch(/^fake-sa-token\.web\.web-sa\./);
    const ttl = Date.parse(r.json.tokenExpiresAt as string) - Date.now();
    expect(ttl).toBeGreaterThan(880_000);
    expect(ttl).toBeLessThanOrEqual(900_000);
    expect(kube.tokenRequests.at(-1)).toEqual({ namespace: 'web', serviceAccount: 'web-sa', audiences: ['istio-ca'], expirationSeconds: 1200 });
    expect(r.json.reauthSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.json.clusterEnv).toContain("ISTIO_META_CLUSTER_ID='Kubernetes'");
    expect(r.json.clusterEnv).toContain("ISTIO_INBOUND_PORTS='8080'");
    expect(r.json.meshYaml).toContain('ISTIO_META_AUTO_REGISTER_GROUP: web-vms');
    expect(r.json.rootCertPem).toContain('FAKE ROOT for web');
    expect(r.audit).toMatchObject({ decision: 'allowed', code: 'OK', provider: 'aws', instance: 'i-1', account: '111111111111', group: 'web/web-vms', policy: 'aws-web', hostname: 'vm-1' });
    const out = auditLines.join('\n');
    expect(out).not.toContain(r.json.token as string);
    expect(out).not.toContain(r.json.reauthSecret as string);
    (globalThis as Record<string, unknown>).__reauth = r.json.reauthSecret;
  });

  it('3. ONBOARD_REPLAY: the same AWS document again without its reauthSecret; with it, accepted (and not counted twice)', async () => {
    expectRefused(await onboard('aws', awsId('i-1')), 'ONBOARD_REPLAY');
    const withSecret = await onboard('aws', { ...awsId('i-1'), reauthSecret: (globalThis as Record<string, unknown>).__reauth });
    expect(withSecret.status, JSON.stringify(withSecret.json)).toBe(200);
    expect(service.ledger.counts()['aws-web']).toBe(1);
  });

  it('4. ONBOARD_REPLAY: a GCP token (its replay key) presented twice', async () => {
    const gcp = { id: { instanceId: '42', account: 'p1', attributes: { project_id: 'p1' }, replayKey: 'sha-of-token-1', notAfter: new Date(Date.now() + 3_600_000).toISOString() } };
    expect((await onboard('gcp', gcp)).status).toBe(200);
    expectRefused(await onboard('gcp', gcp), 'ONBOARD_REPLAY');
  });

  it('5. ONBOARD_KUBERNETES_REFUSED: the apiserver refuses the TokenRequest; nothing is kept, so the VM can try again', async () => {
    kube.refuseTokens = 'serviceaccounts "web-sa" is forbidden: User "system:serviceaccount:vmlet-onboard:vmlet-onboard" cannot create resource "serviceaccounts/token" in API group "" in the namespace "web"';
    const r = await onboard('aws', awsId('i-2'));
    kube.refuseTokens = undefined;
    expectRefused(r, 'ONBOARD_KUBERNETES_REFUSED');
    expect(r.json.reason).toContain('cannot create resource "serviceaccounts/token"');
    expect(r.json.fix).toContain('RBAC');
    expect(service.ledger.counts()['aws-web']).toBe(1);
    const retry = await onboard('aws', awsId('i-2')); // no reauthSecret: the failed first try recorded no TOFU
    expect(retry.status, JSON.stringify(retry.json)).toBe(200);
  });

  it('6. ONBOARD_POLICY_LIMIT: a third distinct instance for a policy of maxVMs 2', async () => {
    const r = await onboard('aws', awsId('i-3'));
    expectRefused(r, 'ONBOARD_POLICY_LIMIT');
    expect(r.json.reason).toContain('aws-web');
  });

  it('7. ONBOARD_NO_POLICY: an account no policy allows', async () => {
    const r = await onboard('aws', awsId('i-9', '999999999999'));
    expectRefused(r, 'ONBOARD_NO_POLICY');
    expect(r.audit).toMatchObject({ provider: 'aws', instance: 'i-9', account: '999999999999' });
  });

  it('8. ONBOARD_NONCE_INVALID: a nonce used twice, and one never issued', async () => {
    const first = await onboard('aws', { refuse: ['ONBOARD_ATTESTATION_INVALID', 'x'] });
    expectRefused(await onboard('aws', awsId('i-1'), first.nonce), 'ONBOARD_NONCE_INVALID');
    expectRefused(await onboard('aws', awsId('i-1'), 'A'.repeat(32)), 'ONBOARD_NONCE_INVALID');
  });

  it.each([
    ['ONBOARD_ATTESTATION_INVALID', 'aws', 'the signature does not verify against trust.aws.certificates'],
    ['ONBOARD_ATTESTATION_EXPIRED', 'gcp', 'the token expired at 10:00:00Z; server time 10:05:00Z'],
    ['ONBOARD_AUDIENCE_MISMATCH', 'gcp', 'aud is https://other, expected https://onboard.test'],
  ] as const)("9. %s: the verifier's refusal is answered with its status and audited", async (code, provider, reason) => {
    const r = await onboard(provider, { refuse: [code, reason] });
    expectRefused(r, code);
    expect(r.json.reason).toBe(reason);
  });

  it('10. ONBOARD_BAD_REQUEST: not JSON, an unknown provider, no attestation', async () => {
    const before = auditLines.length;
    const notJson = await post('/v1/onboard', '{nope');
    expect(notJson.status).toBe(400);
    expect(notJson.json.code).toBe('ONBOARD_BAD_REQUEST');
    expect(auditLines.length).toBe(before + 1);
    expectRefused(await onboard('vmware' as OnboardProvider, {}), 'ONBOARD_BAD_REQUEST');
    const n = (await post('/v1/challenge', {})).json.nonce;
    const noAtt = await post('/v1/onboard', { provider: 'aws', nonce: n });
    expect(noAtt.json.code).toBe('ONBOARD_BAD_REQUEST');
  });

  it('11. ONBOARD_INTERNAL: a verifier that fails unexpectedly', async () => {
    const r = await onboard('azure', { crash: true });
    expectRefused(r, 'ONBOARD_INTERNAL');
    expect(r.status).toBe(500);
  });

  it('12. join tokens: one use enters the token\'s group; used, expired and concurrent second uses are ONBOARD_JOIN_TOKEN_INVALID', async () => {
    const admin = new KubeClient(credentialsFromKubeconfig(tmp.join('kubeconfig')));
    try {
      const made = await createJoinToken(admin, 'vmlet-onboard', { namespace: 'dc', name: 'rack' }, 3600);
      const secret = kube.secrets.get(`vmlet-onboard/${made.secretName}`);
      expect(secret?.metadata.labels).toEqual({ 'vmlet.dev/join-token': 'true' });
      expect(JSON.stringify(secret)).not.toContain(made.token);
      const ok = await onboard('join-token', { token: made.token });
      expect(ok.status, JSON.stringify(ok.json)).toBe(200);
      expect(ok.json).toMatchObject({ group: { namespace: 'dc', name: 'rack' }, serviceAccount: 'rack-sa' });
      expect(ok.json.reauthSecret).toBeUndefined();
      expect(ok.audit).toMatchObject({ decision: 'allowed', provider: 'join-token', group: 'dc/rack', policy: 'onprem' });
      expect(kube.secrets.has(`vmlet-onboard/${made.secretName}`)).toBe(false);
      expectRefused(await onboard('join-token', { token: made.token }), 'ONBOARD_JOIN_TOKEN_INVALID');

      const expired = await createJoinToken(admin, 'vmlet-onboard', { namespace: 'dc', name: 'rack' }, 60, new Date(Date.now() - 120_000));
      const e = await onboard('join-token', { token: expired.token });
      expectRefused(e, 'ONBOARD_JOIN_TOKEN_INVALID');
      expect(e.json.reason).toContain('expired');

      const raced = await createJoinToken(admin, 'vmlet-onboard', { namespace: 'dc', name: 'rack' }, 3600);
      const nonces = await Promise.all([post('/v1/challenge', {}), post('/v1/challenge', {})]);
      const both = await Promise.all(nonces.map((n) => post('/v1/onboard', { provider: 'join-token', nonce: n.json.nonce, attestation: { token: raced.token } })));
      expect(both.map((b) => b.status).sort()).toEqual([200, 401]);
    } finally {
      admin.close();
    }
  });

  it('13. every refusal code of the protocol was answered and audited above; /metrics counts them', async () => {
    const codes = new Set(auditLines.map((l) => (JSON.parse(l) as { code: string }).code));
    expect([...Object.keys(ONBOARD_REFUSALS)].filter((c) => !codes.has(c))).toEqual([]);
    const metrics = await new Promise<string>((resolve, reject) => {
      get({ host: '127.0.0.1', port: service.metricsPort, path: '/metrics' }, (res) => {
        let t = '';
        res.on('data', (c: Buffer) => { t += c.toString(); });
        res.on('end', () => resolve(t));
      }).on('error', reject);
    });
    expect(metrics).toMatch(/^vmlet_onboard_requests_total\{provider="aws",decision="refused",code="ONBOARD_POLICY_LIMIT"\} 1$/m);
    expect(metrics).toMatch(/^vmlet_onboard_token_requests_total\{result="refused"\} 1$/m);
    expect(metrics).toMatch(/^vmlet_onboard_duration_seconds_count\{decision="allowed"\} \d+$/m);
    expect(metrics).toMatch(/^vmlet_onboard_policy_vms\{policy="aws-web"\} 2$/m);
    expect(metrics).not.toMatch(/fake-sa-token/);
  });
});
