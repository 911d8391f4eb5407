// Zero-touch onboarding (#14) on the real kube-apiserver and istiod: the exchange service runs on
// a ServiceAccount token bound by deploy/onboard-server's RBAC; per provider a VM that has nothing
// but its config.yaml (no token, no Istio files) proves its identity to the FAKE cloud metadata
// service's test-key signature (a test double; the verification is the production code), gets the
// bundle, its certificate from istiod, and istiod auto-registers it into the group the policy
// chose. Then: the manifests pass the apiserver's dry run, a VM off past its certificate and
// token onboards again by itself, and the bundle equals what the real istioctl writes.
// vmlet runs with the FAKE Envoy (no Envoy build exists here).
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { makeCloudKeys } from '../../helpers/cloud-keys.js';
import { ControlPlane, CP_IP, VM_IP } from './control-plane.js';
import {
  createJoinToken, expiredToken, expireStoredCert, MANIFESTS, ONBOARD_URL, readManifests, startOnboardStack, writeVmConfig,
  type AuditRecord, type CloudProvider, type Group, type OnboardServer, type OnboardStack,
} from './onboard.js';
import { pollUntil } from './poll.js';
import { App, getEntry, startVmlet, waitReady, type Vmlet } from './vm.js';

const state = inject('controlPlane');
const AUDIENCE = 'https://vmlet-onboard.vmlet-onboard.svc';
type Provider = CloudProvider | 'join-token';
// AWS last: its VM stays up for the restart scenarios (one vmlet at a time in the VM's namespace).
const PROVIDERS: readonly Provider[] = ['gcp', 'azure', 'join-token', 'aws'];
const GROUPS: Record<Provider, Group> = {
  aws: { ns: 'onb-aws', sa: 'aws-vm', name: 'aws-vms' },
  gcp: { ns: 'onb-gcp', sa: 'gcp-vm', name: 'gcp-vms' },
  azure: { ns: 'onb-azure', sa: 'azure-vm', name: 'azure-vms' },
  'join-token': { ns: 'onb-onprem', sa: 'onprem-vm', name: 'onprem-vms' },
};
// The signed identities the FAKE metadata services sign by default (test/fakes/fake-cloud-metadata.mjs).
const POLICIES = [
  { name: 'aws-web', provider: 'aws', match: { accountId: ['123456789012'], region: ['eu-west-1'] }, workloadGroup: { namespace: GROUPS.aws.ns, name: GROUPS.aws.name } },
  { name: 'gcp-web', provider: 'gcp', match: { project_id: ['fake-project'] }, workloadGroup: { namespace: GROUPS.gcp.ns, name: GROUPS.gcp.name } },
  { name: 'azure-web', provider: 'azure', match: { subscriptionId: ['8d10da13-8125-4ba9-a717-bf7490507b3d'] }, workloadGroup: { namespace: GROUPS.azure.ns, name: GROUPS.azure.name } },
  { name: 'onprem', provider: 'join-token', match: { group: [`${GROUPS['join-token'].ns}/${GROUPS['join-token'].name}`] }, workloadGroup: { namespace: GROUPS['join-token'].ns, name: GROUPS['join-token'].name } },
];

describe.skipIf(!state)('zero-touch onboarding through the exchange service on the real apiserver and istiod', { timeout: 120_000 }, () => {
  let cp: ControlPlane;
  let stack: OnboardStack;
  let server: OnboardServer;
  let fakes: OnboardStack['fakes'];
  let app: App;
  const vms: Partial<Record<Provider, { home: string; istioDir: string; config: string; vmlet: Vmlet }>> = {};

  /** The VM's whole configuration: onboarding only (the Istio files dir starts empty). */
  function vmConfig(p: Provider, home: string): string {
    const onboarding: Record<string, unknown> = { provider: p, url: ONBOARD_URL, caFile: server.caFile, hostsFile: join(home, 'hosts'), retryInitial: '500ms', retryMax: '2s' };
    if (p === 'join-token') onboarding.joinTokenFile = join(home, 'join-token');
    else onboarding.metadataUrl = fakes[p].url;
    if (p === 'gcp') onboarding.audience = AUDIENCE;
    return writeVmConfig(join(home, 'config.yaml'), onboarding);
  }

  function startVm(p: Provider, home: string): Vmlet {
    const istioDir = join(home, 'istio');
    mkdirSync(istioDir, { recursive: true });
    const config = vmConfig(p, home);
    const g = GROUPS[p];
    const vmlet = startVmlet(cp, { ns: g.ns, sa: g.sa, group: g.name, dir: istioDir }, { state: home, config });
    vms[p] = { home, istioDir, config, vmlet };
    return vmlet;
  }

  beforeAll(async () => {
    cp = ControlPlane.attach(state!);
    const keys = makeCloudKeys(join(cp.work, 'cloud-keys'));
    stack = await startOnboardStack(cp, { groups: Object.values(GROUPS), policies: POLICIES, keysDir: keys.dir, trust: keys.trust, audience: AUDIENCE });
    server = stack.server;
    fakes = stack.fakes;
    // The VM's /etc/hosts (ip netns exec shows /etc/netns/<ns>/hosts there) maps istiod's name, as
    // the bundle's hosts block says; vmlet writes that block into onboarding.hostsFile, checked below.
    mkdirSync(`/etc/netns/${cp.vmNs}`, { recursive: true });
    writeFileSync(`/etc/netns/${cp.vmNs}/hosts`, `127.0.0.1 localhost\n${CP_IP} istiod.istio-system.svc\n`);
    app = new App(cp);
    await app.start();
  });

  afterAll(async () => {
    for (const vm of Object.values(vms)) await vm?.vmlet.stop('SIGTERM', 10_000);
    await app?.stop();
    await stack?.stop();
  });

  it('0: the apiserver accepts every manifest of deploy/onboard-server (kubectl apply --dry-run=server)', () => {
    const out = cp.kubectl(['apply', '--dry-run=server', '-f', MANIFESTS]);
    const kinds = readManifests().map((d) => `${d.kind!.toLowerCase()}`);
    for (const k of new Set(kinds)) expect(out).toMatch(new RegExp(`^${k}[./]`, 'm'));
    expect(out).toMatch(/server dry run/);
  });

  it.each(PROVIDERS)('%s: a VM with only its onboarding config gets the bundle, its certificate from istiod, and is auto-registered into the group the policy chose', async (p) => {
    const g = GROUPS[p];
    const home = mkdtempSync(join(cp.work, `onb-vm-${p}-`));
    let joinToken = '';
    if (p === 'join-token') {
      joinToken = createJoinToken(cp, g).token;
      writeFileSync(join(home, 'join-token'), `${joinToken}\n`, { mode: 0o600 });
    }
    const from = server.audit().length;
    const vmlet = startVm(p, home);
    await waitReady(cp, vmlet, 60_000, `vmlet (${p}) ready after onboarding`);

    const allowed = await server.waitAudit((r) => r.provider === p && r.decision === 'allowed', from);
    expect(allowed).toMatchObject({ provider: p, policy: POLICIES.find((x) => x.provider === p)!.name });
    expect(JSON.stringify(allowed)).toContain(`${g.ns}/${g.name}`);

    // The five files where istioctl's go, the hosts block in the configured hosts file, the token a
    // ServiceAccount token of the group's SA (never the join token).
    const istioDir = vms[p]!.istioDir;
    for (const f of ['cluster.env', 'mesh.yaml', 'root-cert.pem', 'istio-token']) expect(existsSync(join(istioDir, f)), f).toBe(true);
    const token = readFileSync(join(istioDir, 'istio-token'), 'utf8').trim();
    expect(statSync(join(istioDir, 'istio-token')).mode & 0o077).toBe(0);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string; aud: string[] };
    expect(claims.sub).toBe(`system:serviceaccount:${g.ns}:${g.sa}`);
    expect(claims.aud).toContain('istio-ca');
    if (joinToken) expect(token).not.toContain(joinToken);
    expect(readFileSync(join(home, 'hosts'), 'utf8')).toContain(`${CP_IP} istiod.istio-system.svc`);

    // istiod signed a certificate for the group's ServiceAccount.
    const leaf = new X509Certificate(readFileSync(join(home, 'state', 'identity', 'cert-chain.pem')));
    expect(leaf.subjectAltName).toBe(`URI:spiffe://cluster.local/ns/${g.ns}/sa/${g.sa}`);

    // istiod auto-registered it into the policy's group, as kubectl shows.
    const entry = await pollUntil(() => getEntry(cp, g.ns, `${g.name}-${VM_IP}`), 30_000, `WorkloadEntry ${g.ns}/${g.name}-${VM_IP}`);
    expect(entry.spec.address).toBe(VM_IP);
    expect(entry.spec.serviceAccount).toBe(g.sa);
    expect(entry.metadata.annotations?.['istio.io/autoRegistrationGroup']).toBe(g.name);

    // No secret in the service's output: neither the SA token nor the join token.
    expect(server.output()).not.toContain(token);
    if (joinToken) expect(server.output()).not.toContain(joinToken);

    // One vmlet at a time in the VM's namespace; AWS's stays up for the restart scenarios.
    if (p !== 'aws') expect(await vmlet.stop('SIGTERM', 20_000)).toBe(0);
  });

  it('restart after the certificate and the token expired (a VM off for a week): vmlet onboards again by itself, with its AWS reauth secret', async () => {
    const vm = vms.aws!;
    const g = GROUPS.aws;
    expect(await vm.vmlet.stop('SIGTERM', 20_000)).toBe(0);
    const identityDir = join(vm.home, 'state', 'identity');
    await expireStoredCert(identityDir);
    writeFileSync(join(vm.istioDir, 'istio-token'), expiredToken(g.ns, g.sa), { mode: 0o600 });
    const before = new X509Certificate(readFileSync(join(identityDir, 'cert-chain.pem')));
    expect(Date.parse(before.validTo)).toBeLessThan(Date.now());
    const from = server.audit().length;

    vm.vmlet = startVmlet(cp, { ns: g.ns, sa: g.sa, group: g.name, dir: vm.istioDir }, { state: vm.home, config: vm.config });
    await waitReady(cp, vm.vmlet, 60_000, 'vmlet ready after onboarding again');
    const again = await server.waitAudit((r: AuditRecord) => r.provider === 'aws' && r.decision === 'allowed', from);
    expect(again.policy).toBe('aws-web');
    // The same instance: accepted because it presented the secret its first onboarding returned.
    expect(server.audit().slice(from).filter((r) => r.decision !== 'allowed')).toEqual([]);
    const after = new X509Certificate(readFileSync(join(identityDir, 'cert-chain.pem')));
    expect(Date.parse(after.validTo)).toBeGreaterThan(Date.now());
    expect(after.subjectAltName).toBe(`URI:spiffe://cluster.local/ns/${g.ns}/sa/${g.sa}`);
    const token = readFileSync(join(vm.istioDir, 'istio-token'), 'utf8').trim();
    const exp = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp;
    expect(exp * 1000).toBeGreaterThan(Date.now());
    await pollUntil(() => getEntry(cp, g.ns, `${g.name}-${VM_IP}`), 30_000, 'the entry again');
  });

  it('a restart with a valid certificate does not onboard again (never otherwise)', async () => {
    const vm = vms.aws!;
    const g = GROUPS.aws;
    expect(await vm.vmlet.stop('SIGTERM', 20_000)).toBe(0);
    const from = server.audit().length;
    vm.vmlet = startVmlet(cp, { ns: g.ns, sa: g.sa, group: g.name, dir: vm.istioDir }, { state: vm.home, config: vm.config });
    await waitReady(cp, vm.vmlet, 60_000, 'vmlet ready on its stored certificate');
    expect(server.audit().slice(from)).toEqual([]);
  });

  it('the bundle equals, key by key, the files the real istioctl x workload entry configure writes for the same group', () => {
    const g = GROUPS.gcp;
    const ours = vms.gcp!.istioDir;
    const dir = mkdtempSync(join(cp.work, 'istioctl-onb-'));
    cp.istioctl(['x', 'workload', 'entry', 'configure', '-o', dir, '--clusterID', 'Kubernetes', '--ingressIP', CP_IP, '--autoregister', '--name', g.name, '--namespace', g.ns]);
    const env = (f: string) => Object.fromEntries(readFileSync(f, 'utf8').split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(env(join(ours, 'cluster.env'))).toEqual(env(join(dir, 'cluster.env')));
    expect(parse(readFileSync(join(ours, 'mesh.yaml'), 'utf8'))).toEqual(parse(readFileSync(join(dir, 'mesh.yaml'), 'utf8')));
    expect(readFileSync(join(ours, 'root-cert.pem'), 'utf8').trim()).toBe(readFileSync(join(dir, 'root-cert.pem'), 'utf8').trim());
    expect(readFileSync(join(vms.gcp!.home, 'hosts'), 'utf8')).toContain(readFileSync(join(dir, 'hosts'), 'utf8').trim());
    const claims = (f: string) => {
      const c = JSON.parse(Buffer.from(readFileSync(f, 'utf8').trim().split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      return { sub: c.sub, aud: c.aud, iss: c.iss };
    };
    expect(claims(join(ours, 'istio-token'))).toEqual(claims(join(dir, 'istio-token')));
  });
});
