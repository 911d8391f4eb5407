/**
 * The onboarding side of the end-to-end tier (#14): the exchange service (`vmlet onboard-server`,
 * the built bundle) in the control plane's namespace, talking to the REAL kube-apiserver with the
 * token of the ServiceAccount deploy/onboard-server/ creates, bound by exactly that directory's
 * RBAC; the FAKE cloud metadata services (test/fakes/fake-cloud-metadata.mjs, test doubles that
 * sign with test keys) in the VM's namespace; and the namespaces, ServiceAccounts and
 * WorkloadGroups the policies choose.
 *
 *   cp: the service on 10.213.0.1:15443 (TLS: a test CA made here), its metrics on loopback
 *   vm: fake metadata services on 127.0.0.1:<port>, one per provider; vmlet with onboarding config
 *
 * Everything started here is stopped by PID in stop().
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseAllDocuments, stringify } from 'yaml';
import { CP_IP, inNs, type ControlPlane } from './control-plane.js';
import { pollUntil } from './poll.js';
import { BUNDLE, workloadGroupYaml } from './vm.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
export const MANIFESTS = join(ROOT, 'deploy', 'onboard-server');
export const FAKE_METADATA = join(ROOT, 'test', 'fakes', 'fake-cloud-metadata.mjs');
export const ONBOARD_PORT = 15443;
export const ONBOARD_URL = `https://${CP_IP}:${ONBOARD_PORT}`;

export interface Group { ns: string; sa: string; name: string }

type Doc = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string }; [k: string]: unknown };
type Rule = { apiGroups?: string[]; resources?: string[]; verbs?: string[]; resourceNames?: string[] };

/** Every document of deploy/onboard-server/*.yaml, in file order. */
export function readManifests(dir = MANIFESTS): Doc[] {
  const docs: Doc[] = [];
  for (const f of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    for (const d of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) {
      const v = d.toJS() as Doc | null;
      if (v && typeof v === 'object' && v.kind) docs.push(v);
    }
  }
  return docs;
}

const grantsTokens = (d: Doc) => d.kind === 'Role' && ((d.rules as Rule[] | undefined) ?? []).some((r) => r.resources?.includes('serviceaccounts/token'));

/** The service's own identity as the manifests declare it (namespace, ServiceAccount). */
export function serviceIdentity(docs: Doc[]): { ns: string; sa: string } {
  const sa = docs.find((d) => d.kind === 'ServiceAccount');
  if (!sa?.metadata?.name || !sa.metadata.namespace) throw new Error(`${MANIFESTS}: no namespaced ServiceAccount`);
  return { ns: sa.metadata.namespace, sa: sa.metadata.name };
}

/**
 * Applies the manifests' identity and RBAC (Namespace, ServiceAccount, ClusterRole(Binding),
 * Role(Binding)) to the real apiserver, and nothing that would start a Pod (no kubelet here).
 * The Role that grants `serviceaccounts/token` is the per-group-namespace template the operator
 * copies for each group: applied as written for the groups it names, and copied (its rules with
 * `resourceNames` = that group's SA, and its RoleBinding) into each of `groups` it does not name.
 * `unnamed` groups get nothing: the apiserver must refuse their TokenRequest.
 */
export function applyOnboardRbac(cp: ControlPlane, groups: readonly Group[], docs = readManifests()): void {
  const rbacKinds = new Set(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
  const wanted = docs.filter((d) => rbacKinds.has(d.kind!));
  const tokenRole = wanted.find(grantsTokens);
  if (!tokenRole) throw new Error(`${MANIFESTS}: no Role granting serviceaccounts/token`);
  const tokenBinding = wanted.find((d) => d.kind === 'RoleBinding' && (d.roleRef as { name?: string } | undefined)?.name === tokenRole.metadata?.name
    && d.metadata?.namespace === tokenRole.metadata?.namespace);
  if (!tokenBinding) throw new Error(`${MANIFESTS}: no RoleBinding for Role ${tokenRole.metadata?.name}`);
  const named = new Set(wanted.filter(grantsTokens).map((d) => d.metadata?.namespace));
  const out: Doc[] = [];
  for (const d of wanted) {
    // The manifests' own group namespaces exist in a real cluster; create them so their Role applies.
    if (grantsTokens(d) && d.metadata?.namespace) out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: d.metadata.namespace } });
    out.push(d);
  }
  for (const g of groups) {
    if (named.has(g.ns)) continue;
    const rules = (tokenRole.rules as Rule[]).map((r) => (r.resources?.includes('serviceaccounts/token') ? { ...r, resourceNames: [g.sa] } : r));
    out.push({ ...tokenRole, metadata: { ...tokenRole.metadata, namespace: g.ns }, rules });
    out.push({ ...tokenBinding, metadata: { ...tokenBinding.metadata, namespace: g.ns } });
  }
  const file = join(cp.work, 'onboard-rbac.yaml');
  writeFileSync(file, out.map((d) => stringify(d)).join('---\n'));
  cp.kubectl(['apply', '-f', file]);
}

/** Namespace (if new), ServiceAccount and WorkloadGroup of each group, through the real apiserver. */
export function createGroups(cp: ControlPlane, groups: readonly Group[]): void {
  const docs: string[] = [];
  for (const g of groups) {
    docs.push(`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${g.ns}}\n`);
    docs.push(`apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ${g.sa}, namespace: ${g.ns}}\n`);
    docs.push(workloadGroupYaml(g.ns, g.sa, g.name));
  }
  const file = join(cp.work, `onboard-groups-${groups.map((g) => g.name).join('-').slice(0, 80)}.yaml`);
  writeFileSync(file, docs.join('---\n'));
  cp.kubectl(['apply', '-f', file]);
}

/** A kubeconfig for the real apiserver whose credential is a token of the service's ServiceAccount. */
export function serviceAccountKubeconfig(cp: ControlPlane, ns: string, sa: string): string {
  const token = cp.kubectl(['-n', ns, 'create', 'token', sa, '--duration=2h']).trim();
  const ca = /certificate-authority: "([^"]+)"/.exec(readFileSync(cp.kubeconfig, 'utf8'))![1]!;
  const file = join(cp.work, 'onboard-kubeconfig');
  writeFileSync(file, [
    'apiVersion: v1', 'kind: Config',
    'clusters:', '- name: e2e', `  cluster: {server: "https://127.0.0.1:6443", certificate-authority: "${ca}"}`,
    'users:', `- name: ${sa}`, `  user: {token: "${token}"}`,
    'contexts:', '- name: e2e', `  context: {cluster: e2e, user: ${sa}}`, 'current-context: e2e', ''].join('\n'), { mode: 0o600 });
  return file;
}

/** The service's TLS: a test CA and a serving certificate for 10.213.0.1 and the in-cluster name. */
export function serviceTls(dir: string): { caFile: string; certFile: string; keyFile: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (n: string) => join(dir, n);
  const ssl = (...a: string[]) => execFileSync('openssl', a, { cwd: dir, stdio: 'pipe', timeout: 30_000 });
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2',
    '-subj', '/CN=vmlet-e2e-onboard-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  writeFileSync(f('tls.ext'), `subjectAltName=IP:${CP_IP},IP:127.0.0.1,DNS:vmlet-onboard.vmlet-onboard.svc\nextendedKeyUsage=serverAuth\n`);
  ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('tls.key'), '-out', f('tls.csr'), '-subj', '/CN=vmlet-onboard');
  ssl('x509', '-req', '-in', f('tls.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('tls.ext'), '-out', f('tls.crt'));
  return { caFile: f('ca.crt'), certFile: f('tls.crt'), keyFile: f('tls.key') };
}

/** POSTs JSON from inside `ns` (python3: the namespace has no route to this process). */
export function nsPost(ns: string, url: string, body: unknown, caFile?: string): { status: number; body: string } {
  const py = [
    'import json,ssl,sys,urllib.request as u',
    'c=ssl.create_default_context(cafile=sys.argv[3]) if sys.argv[3] else None',
    'q=u.Request(sys.argv[1],data=sys.argv[2].encode(),headers={"Content-Type":"application/json"},method="POST")',
    'try:\n r=u.urlopen(q,context=c,timeout=10);print(r.status);sys.stdout.write(r.read().decode("utf8","replace"))',
    'except u.HTTPError as e:\n print(e.code);sys.stdout.write(e.read().decode("utf8","replace"))',
    'except Exception as e:\n print(0);sys.stdout.write(str(e))',
  ].join('\n');
  const out = inNs(ns, 'python3', ['-c', py, url, JSON.stringify(body), caFile ?? '']);
  const nl = out.indexOf('\n');
  return { status: Number(out.slice(0, nl === -1 ? undefined : nl)), body: nl === -1 ? '' : out.slice(nl + 1) };
}

/** A process started in a namespace, its stdout lines kept (parsed when JSON) and logged. */
class NsProcess {
  readonly lines: string[] = [];
  readonly child: ChildProcess;
  private stderrText = '';
  constructor(readonly ns: string, argv: readonly string[], readonly logFile: string, env: Record<string, string> = {}) {
    this.child = spawn('ip', ['netns', 'exec', ns, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout! }).on('line', (l) => { this.lines.push(l); appendFileSync(logFile, `${l}\n`); });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => { this.stderrText += d; appendFileSync(logFile, d); });
  }
  stderr(): string { return this.stderrText; }
  alive(): boolean { return this.child.exitCode === null && this.child.signalCode === null; }
  async stop(): Promise<void> {
    const c = this.child;
    if (!this.alive()) return;
    const gone = new Promise((r) => c.once('close', r));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
  }
}

export type CloudProvider = 'aws' | 'gcp' | 'azure';

/** One FAKE cloud metadata service (a test double signing with test keys) in the VM's namespace. */
export class FakeMetadata {
  private constructor(private readonly proc: NsProcess, readonly provider: CloudProvider, readonly url: string) {}

  static async start(cp: ControlPlane, provider: CloudProvider, keysDir: string, ns = cp.vmNs): Promise<FakeMetadata> {
    const proc = new NsProcess(ns, [process.execPath, FAKE_METADATA, '--provider', provider, '--listen', '127.0.0.1:0', '--keys', keysDir],
      join(cp.work, 'logs', `fake-metadata-${provider}.log`));
    const port = await pollUntil(() => {
      if (!proc.alive()) throw new Error(`fake metadata (${provider}) exited: ${proc.stderr()}`);
      return /^LISTENING (\d+)/m.exec(proc.lines.join('\n'))?.[1];
    }, 15_000, `fake metadata (${provider}) LISTENING`, 50);
    return new FakeMetadata(proc, provider, `http://127.0.0.1:${port}`);
  }

  /** POST /__fake/set: what the fake signs next (instance id, account, keys, times...). */
  set(body: Record<string, unknown>): void {
    const r = nsPost(this.proc.ns, `${this.url}/__fake/set`, body);
    if (r.status !== 200) throw new Error(`fake metadata (${this.provider}) /__fake/set ${JSON.stringify(body)}: ${r.status} ${r.body}`);
  }

  /** POST /__fake/reset: back to signing the default, valid identity. */
  reset(): void {
    const r = nsPost(this.proc.ns, `${this.url}/__fake/reset`, {});
    if (r.status !== 200) throw new Error(`fake metadata (${this.provider}) /__fake/reset: ${r.status} ${r.body}`);
  }

  stop(): Promise<void> { return this.proc.stop(); }
}

export interface AuditRecord {
  time?: string; decision?: string; code?: string; reason?: string; provider?: string; instance?: string;
  group?: string; policy?: string; [k: string]: unknown;
}

/** The exchange service (`vmlet onboard-server --config FILE` from dist/) in the control plane's namespace. */
export class OnboardServer {
  private constructor(private readonly proc: NsProcess, readonly configFile: string, readonly caFile: string) {}

  /**
   * Writes `config` (merged over listen/tls/kubeconfig/stateFile defaults made here) and starts
   * the service; resolves once it accepts TLS connections.
   */
  static async start(cp: ControlPlane, o: { kubeconfig: string; config: Record<string, unknown>; name?: string; nodeArgs?: readonly string[] }): Promise<OnboardServer> {
    const name = o.name ?? 'onboard-server';
    const dir = join(cp.work, name);
    mkdirSync(dir, { recursive: true });
    const tls = serviceTls(join(dir, 'tls'));
    const config = {
      listen: `0.0.0.0:${ONBOARD_PORT}`,
      tls: { certFile: tls.certFile, keyFile: tls.keyFile },
      kubeconfig: o.kubeconfig,
      istioNamespace: 'istio-system',
      stateFile: join(dir, 'ledger.json'),
      hosts: `${CP_IP} istiod.istio-system.svc`,
      ...o.config,
    };
    const configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, stringify(config));
    const proc = new NsProcess(cp.cpNs, [process.execPath, ...(o.nodeArgs ?? []), BUNDLE, 'onboard-server', '--config', configFile], join(cp.work, 'logs', `${name}.log`));
    const s = new OnboardServer(proc, configFile, tls.caFile);
    await pollUntil(() => {
      if (!proc.alive()) throw new Error(`onboard-server exited ${proc.child.exitCode}: ${proc.stderr()}`);
      return nsPost(cp.cpNs, `${ONBOARD_URL}/v1/challenge`, {}, tls.caFile).status === 200;
    }, 30_000, 'onboard-server answering /v1/challenge');
    return s;
  }

  /** Its audit records so far (JSON lines on stdout that carry a decision). */
  audit(): AuditRecord[] {
    const out: AuditRecord[] = [];
    for (const l of this.proc.lines) {
      try {
        const v = JSON.parse(l) as AuditRecord;
        if (v && typeof v === 'object' && typeof v.decision === 'string') out.push(v);
      } catch { /* not JSON */ }
    }
    return out;
  }

  /** Everything it printed (stdout and stderr), for the no-secrets checks. */
  output(): string { return `${this.proc.lines.join('\n')}\n${this.proc.stderr()}`; }

  /** The first audit record after `from` (an index into audit()) that `match` accepts. */
  waitAudit(match: (r: AuditRecord) => boolean, from = 0, timeoutMs = 15_000): Promise<AuditRecord> {
    return pollUntil(() => this.audit().slice(from).find(match), timeoutMs, 'an audit record', 50);
  }

  get pid(): number | undefined { return this.proc.child.pid; }
  stop(): Promise<void> { return this.proc.stop(); }
}

/** `vmlet onboard-server join-token create` with the admin kubeconfig: the token it printed and its Secret's name. */
export function createJoinToken(cp: ControlPlane, group: Group, ttl = '1h', namespace = 'vmlet-onboard'): { token: string; secret: string } {
  const r = spawnSync('ip', ['netns', 'exec', cp.cpNs, process.execPath, BUNDLE, 'onboard-server', 'join-token', 'create', '--group', `${group.ns}/${group.name}`,
    '--ttl', ttl, '--kubeconfig', cp.kubeconfig, '--namespace', namespace], { encoding: 'utf8', timeout: 30_000 });
  const token = r.stdout.trim().split('\n').pop()?.trim() ?? '';
  const secret = new RegExp(`Secret ${namespace}/(\\S+?)[),]`).exec(r.stderr)?.[1];
  if (r.status !== 0 || !token || !secret) throw new Error(`join-token create exited ${r.status}: ${r.stderr}`);
  return { token, secret };
}

/**
 * Makes the VM's stored certificate an expired one for the same key and identity (self-signed:
 * only its dates matter to the agent's "no valid certificate" check), as after a week switched off.
 */
export async function expireStoredCert(identityDir: string): Promise<void> {
  await import('reflect-metadata'); // @peculiar/x509's tsyringe needs it loaded first
  const x509 = await import('@peculiar/x509');
  const { webcrypto, createPrivateKey, X509Certificate } = await import('node:crypto');
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const keyPem = readFileSync(join(identityDir, 'key.pem'), 'utf8');
  const chainPem = readFileSync(join(identityDir, 'cert-chain.pem'), 'utf8');
  const leaf = new X509Certificate(chainPem);
  const ko = createPrivateKey(keyPem);
  const alg = ko.asymmetricKeyType === 'ec'
    ? { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
    : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const der = ko.export({ format: 'der', type: 'pkcs8' });
  const privateKey = await webcrypto.subtle.importKey('pkcs8', der, alg, false, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('spki', leaf.publicKey.export({ format: 'der', type: 'spki' }), alg, true, ['verify']);
  const day = 86_400_000;
  const uri = /URI:(\S+?)(,|$)/.exec(leaf.subjectAltName ?? '')?.[1] ?? 'spiffe://cluster.local/ns/x/sa/x';
  const expired = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: 'O=vmlet-e2e-expired', notBefore: new Date(Date.now() - 8 * day), notAfter: new Date(Date.now() - 7 * day),
    keys: { privateKey, publicKey }, signingAlgorithm: alg,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: uri }])],
  });
  const rest = chainPem.split(/(?=-----BEGIN CERTIFICATE-----)/).slice(1).join('');
  writeFileSync(join(identityDir, 'cert-chain.pem'), `${expired.toString('pem')}\n${rest}`);
}

/** A JWT of the same shape as a ServiceAccount token, expired an hour ago (its signature is not checked by the agent). */
export function expiredToken(ns: string, sa: string): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'RS256', kid: 'expired' })}.${b64({ aud: ['istio-ca'], exp: now - 3600, iat: now - 7200, iss: 'https://kubernetes.default.svc.cluster.local', sub: `system:serviceaccount:${ns}:${sa}` })}.${Buffer.from('x').toString('base64url')}`;
}

export interface OnboardStack {
  server: OnboardServer;
  fakes: Record<CloudProvider, FakeMetadata>;
  keysDir: string;
  stop(): Promise<void>;
}

/**
 * Groups (with the manifests' RBAC for `groups`, none for `unbound`), the service on the token
 * of the manifests' ServiceAccount with `policies`, and one FAKE metadata service per cloud in
 * the VM's namespace. `trust` is the FAKE keys' trust section (test/helpers/cloud-keys.ts).
 */
export async function startOnboardStack(cp: ControlPlane, o: {
  groups: readonly Group[]; unbound?: readonly Group[]; policies: readonly Record<string, unknown>[];
  keysDir: string; trust: unknown; audience: string; extraConfig?: Record<string, unknown>; name?: string; nodeArgs?: readonly string[];
}): Promise<OnboardStack> {
  const docs = readManifests();
  createGroups(cp, [...o.groups, ...(o.unbound ?? [])]);
  applyOnboardRbac(cp, o.groups, docs);
  const id = serviceIdentity(docs);
  const started: { stop(): Promise<void> }[] = [];
  try {
    const server = await OnboardServer.start(cp, {
      name: o.name,
      ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
      kubeconfig: serviceAccountKubeconfig(cp, id.ns, id.sa),
      config: { audience: o.audience, clusterID: 'Kubernetes', joinTokenNamespace: id.ns, tokenLifetime: '10m', trust: o.trust, policies: o.policies, ...o.extraConfig },
    });
    started.push(server);
    const fakes = {} as Record<CloudProvider, FakeMetadata>;
    for (const p of ['aws', 'gcp', 'azure'] as const) {
      fakes[p] = await FakeMetadata.start(cp, p, o.keysDir);
      started.push(fakes[p]);
    }
    return { server, fakes, keysDir: o.keysDir, stop: async () => { for (const s of started.reverse()) await s.stop(); } };
  } catch (err) {
    for (const s of started.reverse()) await s.stop();
    throw err;
  }
}

/** The VM's config.yaml with only an onboarding section (plus `extra` keys in it). */
export function writeVmConfig(file: string, onboarding: Record<string, unknown>): string {
  writeFileSync(file, `onboarding:\n${Object.entries(onboarding).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n')}\n`);
  return file;
}

/** `vmlet onboard` (one onboarding now) inside the VM's namespace: exit code and output. */
export function vmletOnboard(ns: string, config: string, istioDir: string, stateDir: string, args: string[] = []): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, BUNDLE, 'onboard', '--config', config, '--istio-dir', istioDir, ...args], {
    encoding: 'utf8', timeout: 60_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', VMLET_STATE_DIR: join(stateDir, 'state'), VMLET_RUN_DIR: join(stateDir, 'run') },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
