// Zero-touch onboarding (#14): every refusal, on the real kube-apiserver, each with the service's
// audit record and vmlet's own error naming cause and fix. The documents come from the FAKE cloud
// metadata services (test doubles signing with test keys; told to misbehave through /__fake/set);
// the verification is the production code; the TokenRequest refusal is the real apiserver's RBAC
// (deploy/onboard-server's Role names no ServiceAccount of that group's namespace).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeCloudKeys } from '../../helpers/cloud-keys.js';
import { ControlPlane } from './control-plane.js';
import {
  createJoinToken, nsPost, ONBOARD_URL, serviceIdentity, readManifests, startOnboardStack, vmletOnboard, writeVmConfig,
  type AuditRecord, type CloudProvider, type Group, type OnboardStack,
} from './onboard.js';
import { pollUntil } from './poll.js';
import { startVmlet } from './vm.js';

const state = inject('controlPlane');
const AUDIENCE = 'https://vmlet-onboard.vmlet-onboard.svc';
const REF: Group = { ns: 'onb-ref', sa: 'ref-vm', name: 'ref-vms' };
const LIMITED: Group = { ns: 'onb-limited', sa: 'lim-vm', name: 'lim-vms' };
// A group whose ServiceAccount the RBAC does not name: Kubernetes must refuse its TokenRequest.
const NO_RBAC: Group = { ns: 'onb-norbac', sa: 'norbac-vm', name: 'norbac-vms' };
const wg = (g: Group) => ({ namespace: g.ns, name: g.name });
const POLICIES = [
  { name: 'aws-ref', provider: 'aws', match: { accountId: ['123456789012'], region: ['eu-west-1'] }, workloadGroup: wg(REF) },
  { name: 'aws-norbac', provider: 'aws', match: { accountId: ['222222222222'] }, workloadGroup: wg(NO_RBAC) },
  { name: 'gcp-ref', provider: 'gcp', match: { project_id: ['fake-project'], zone: ['europe-west1-b'] }, workloadGroup: wg(REF) },
  { name: 'azure-limited', provider: 'azure', match: { subscriptionId: ['8d10da13-8125-4ba9-a717-bf7490507b3d'] }, workloadGroup: wg(LIMITED), maxVMs: 1 },
  { name: 'onprem', provider: 'join-token', match: { group: [`${REF.ns}/${REF.name}`] }, workloadGroup: wg(REF) },
];

describe.skipIf(!state)('onboarding refusals: audit record and vmlet\'s error for each', { timeout: 60_000 }, () => {
  let cp: ControlPlane;
  let stack: OnboardStack;
  let n = 0;

  /** A fresh VM (state, empty Istio dir, config) for `provider`, with `extra` onboarding keys. */
  function vm(provider: CloudProvider | 'join-token', extra: Record<string, unknown> = {}) {
    const home = mkdtempSync(join(cp.work, `onb-ref-${provider}-${++n}-`));
    const istioDir = join(home, 'istio');
    mkdirSync(istioDir);
    const onboarding: Record<string, unknown> = { provider, url: ONBOARD_URL, caFile: stack.server.caFile, hostsFile: join(home, 'hosts'), timeout: '10s' };
    if (provider === 'join-token') onboarding.joinTokenFile = join(home, 'join-token');
    else onboarding.metadataUrl = stack.fakes[provider].url;
    if (provider === 'gcp') onboarding.audience = AUDIENCE;
    const config = writeVmConfig(join(home, 'config.yaml'), { ...onboarding, ...extra });
    return { provider, home, istioDir, config, onboard: () => vmletOnboard(cp.vmNs, config, istioDir, home) };
  }

  /**
   * One onboarding by `vmlet onboard`: it must fail with `vmletCode`, and the service must have
   * written one refused record with `code` whose reason vmlet shows.
   */
  async function refused(v: ReturnType<typeof vm>, code: string, vmletCode: string): Promise<AuditRecord> {
    const from = stack.server.audit().length;
    const r = v.onboard();
    const rec = await stack.server.waitAudit((x) => x.decision === 'refused' && x.provider === v.provider, from);
    expect(rec.code, `audit: ${JSON.stringify(rec)}\nvmlet: ${r.stderr}`).toBe(code);
    expect(r.code, r.stdout + r.stderr).not.toBe(0);
    const said = r.stdout + r.stderr;
    expect(said).toContain(vmletCode);
    expect(said).toContain(code);
    expect(said).toContain(rec.reason!);
    expect(stack.server.audit().slice(from).filter((x) => x.decision === 'allowed')).toEqual([]);
    return rec;
  }

  async function allowed(v: ReturnType<typeof vm>): Promise<AuditRecord> {
    const from = stack.server.audit().length;
    const r = v.onboard();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return stack.server.waitAudit((x) => x.decision === 'allowed' && x.provider === v.provider, from);
  }

  const fake = (p: CloudProvider, settings: Record<string, unknown>) => { stack.fakes[p].reset(); stack.fakes[p].set(settings); };

  beforeAll(async () => {
    cp = ControlPlane.attach(state!);
    const keys = makeCloudKeys(join(cp.work, 'cloud-keys'));
    stack = await startOnboardStack(cp, {
      name: 'onboard-server-refusals', groups: [REF, LIMITED], unbound: [NO_RBAC], policies: POLICIES,
      keysDir: keys.dir, trust: keys.trust, audience: AUDIENCE,
    });
  });

  afterAll(async () => { await stack?.stop(); });

  it('a forged AWS document (changed after signing) is refused as invalid', async () => {
    fake('aws', { tamper: true, document: { instanceId: 'i-0forged00' } });
    await refused(vm('aws'), 'ONBOARD_ATTESTATION_INVALID', 'VMLET_ONBOARD_ATTESTATION_REFUSED');
  });

  it('a GCP token re-signed with a key Google never published is refused as invalid', async () => {
    fake('gcp', { signWith: 'other' });
    await refused(vm('gcp'), 'ONBOARD_ATTESTATION_INVALID', 'VMLET_ONBOARD_ATTESTATION_REFUSED');
  });

  it('an Azure document re-signed under a root the service does not trust is refused as invalid', async () => {
    fake('azure', { signWith: 'other' });
    await refused(vm('azure'), 'ONBOARD_ATTESTATION_INVALID', 'VMLET_ONBOARD_ATTESTATION_REFUSED');
  });

  it('an expired GCP token is refused, and vmlet says clock skew', async () => {
    fake('gcp', { timeOffsetSeconds: -7200 });
    const rec = await refused(vm('gcp'), 'ONBOARD_ATTESTATION_EXPIRED', 'VMLET_ONBOARD_CLOCK_SKEW');
    expect(rec.reason).toMatch(/clock|expired/i);
  });

  it('a GCP token from the future (issued an hour ahead) is refused, and vmlet says clock skew', async () => {
    fake('gcp', { timeOffsetSeconds: 3600 });
    await refused(vm('gcp'), 'ONBOARD_ATTESTATION_EXPIRED', 'VMLET_ONBOARD_CLOCK_SKEW');
  });

  it('a GCP token for another audience is refused', async () => {
    fake('gcp', {});
    await refused(vm('gcp', { audience: 'https://someone-else.example' }), 'ONBOARD_AUDIENCE_MISMATCH', 'VMLET_ONBOARD_AUDIENCE_MISMATCH');
  });

  it('replay: a copy of an onboarded AWS instance\'s document, without its reauth secret, is refused', async () => {
    fake('aws', { document: { instanceId: 'i-0replayed0' } });
    await allowed(vm('aws'));
    // Another machine holding the same (unchanged) document, but not the first one's secret.
    const rec = await refused(vm('aws'), 'ONBOARD_REPLAY', 'VMLET_ONBOARD_REPLAY');
    expect(rec.instance).toContain('i-0replayed0');
  });

  it('replay: the same GCP token presented twice is refused the second time', async () => {
    fake('gcp', {});
    const url = `${stack.fakes.gcp.url}/computeMetadata/v1/instance/service-accounts/default/identity?audience=${encodeURIComponent(AUDIENCE)}&format=full`;
    const py = 'import sys,urllib.request as u\nq=u.Request(sys.argv[1],headers={"Metadata-Flavor":"Google"})\nsys.stdout.write(u.urlopen(q,timeout=5).read().decode())';
    const { inNs } = await import('./control-plane.js');
    const token = inNs(cp.vmNs, 'python3', ['-c', py, url]).trim();
    const once = () => {
      const nonce = (JSON.parse(nsPost(cp.vmNs, `${ONBOARD_URL}/v1/challenge`, {}, stack.server.caFile).body) as { nonce: string }).nonce;
      return nsPost(cp.vmNs, `${ONBOARD_URL}/v1/onboard`, { provider: 'gcp', nonce, attestation: { token }, instance: { hostname: 'replayer' } }, stack.server.caFile);
    };
    const from = stack.server.audit().length;
    expect(once().status).toBe(200);
    const second = once();
    expect(second.status).toBe(401);
    expect(JSON.parse(second.body)).toMatchObject({ code: 'ONBOARD_REPLAY' });
    expect(second.body).not.toContain(token);
    // Audit lines arrive on the service's stdout pipe: wait for both.
    const recs = await pollUntil(() => { const r = stack.server.audit().slice(from); return r.length >= 2 ? r : undefined; }, 15_000, 'two audit records');
    expect(recs.map((r) => `${r.decision}/${r.code}`)).toEqual(['allowed/OK', 'refused/ONBOARD_REPLAY']);
  });

  it('an AWS account no policy allows is refused (deny by default), naming what was checked', async () => {
    fake('aws', { document: { accountId: '999999999999', instanceId: 'i-0stranger0' } });
    const rec = await refused(vm('aws'), 'ONBOARD_NO_POLICY', 'VMLET_ONBOARD_POLICY_REFUSED');
    expect(rec.reason).toContain('999999999999');
  });

  it('a GCP VM in a zone no policy allows is refused', async () => {
    fake('gcp', { computeEngine: { zone: 'us-central1-a', instance_id: '111' } });
    await refused(vm('gcp'), 'ONBOARD_NO_POLICY', 'VMLET_ONBOARD_POLICY_REFUSED');
  });

  it('a policy\'s VM limit: the first Azure VM onboards, a second one is refused', async () => {
    fake('azure', { payload: { vmId: '11111111-1111-4111-8111-111111111111' } });
    const ok = await allowed(vm('azure'));
    expect(ok.group).toBe(`${LIMITED.ns}/${LIMITED.name}`);
    fake('azure', { payload: { vmId: '22222222-2222-4222-8222-222222222222' } });
    const rec = await refused(vm('azure'), 'ONBOARD_POLICY_LIMIT', 'VMLET_ONBOARD_POLICY_REFUSED');
    expect(rec.policy).toBe('azure-limited');
  });

  it('a used join token is refused the second time', async () => {
    const { token } = createJoinToken(cp, REF, '1h', serviceIdentity(readManifests()).ns);
    const first = vm('join-token');
    writeFileSync(join(first.home, 'join-token'), `${token}\n`, { mode: 0o600 });
    await allowed(first);
    const second = vm('join-token');
    writeFileSync(join(second.home, 'join-token'), `${token}\n`, { mode: 0o600 });
    await refused(second, 'ONBOARD_JOIN_TOKEN_INVALID', 'VMLET_ONBOARD_JOIN_TOKEN_REFUSED');
    expect(stack.server.output()).not.toContain(token);
  });

  it('an expired join token is refused', async () => {
    const ns = serviceIdentity(readManifests()).ns;
    const { token, secret } = createJoinToken(cp, REF, '1h', ns);
    // Time passes for the token: its Secret's expiry moved to an hour ago (the admin's kubeconfig).
    const past = Buffer.from(new Date(Date.now() - 3_600_000).toISOString()).toString('base64');
    cp.kubectl(['-n', ns, 'patch', 'secret', secret, '--type=merge', '-p', JSON.stringify({ data: { expiresAt: past } })]);
    const v = vm('join-token');
    writeFileSync(join(v.home, 'join-token'), `${token}\n`, { mode: 0o600 });
    const rec = await refused(v, 'ONBOARD_JOIN_TOKEN_INVALID', 'VMLET_ONBOARD_JOIN_TOKEN_REFUSED');
    expect(rec.reason).toMatch(/expired/i);
  });

  it('Kubernetes refuses the TokenRequest for a group whose ServiceAccount the RBAC does not name', async () => {
    fake('aws', { document: { accountId: '222222222222', instanceId: 'i-0norbac00' } });
    const rec = await refused(vm('aws'), 'ONBOARD_KUBERNETES_REFUSED', 'VMLET_ONBOARD_KUBERNETES_REFUSED');
    expect(rec.reason).toMatch(/forbidden|cannot create/i);
    expect(rec.reason).toContain(NO_RBAC.sa);
  });

  it('vmlet run keeps retrying a refused onboarding with backoff, shows why in its status, and never exits', async () => {
    fake('aws', { document: { accountId: '999999999999', instanceId: 'i-0patient00' } });
    const v = vm('aws', { retryInitial: '200ms', retryMax: '400ms' });
    const from = stack.server.audit().length;
    const run = startVmlet(cp, { ns: REF.ns, sa: REF.sa, group: REF.name, dir: v.istioDir }, { state: v.home, config: v.config });
    try {
      await pollUntil(() => stack.server.audit().slice(from).filter((r) => r.code === 'ONBOARD_NO_POLICY').length >= 3, 30_000, 'three refused attempts');
      const status = await pollUntil(() => { const s = run.status(); return JSON.stringify(s).includes('VMLET_ONBOARD_POLICY_REFUSED') ? s : undefined; }, 15_000, 'the refusal in vmlet status');
      expect(status.ready).not.toBe(true);
      expect(JSON.stringify(status)).toContain('999999999999');
      expect(run.child.exitCode).toBeNull();
    } finally {
      await run.stop('SIGTERM', 10_000);
    }
  });
});
