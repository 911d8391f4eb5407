/**
 * FAKE Kubernetes API server (a test double, not Kubernetes): HTTPS on loopback with a bearer
 * token, answering only the calls vmlet's onboarding service makes, with the apiserver's shapes
 * (Status objects on errors): GET WorkloadGroups (networking.istio.io/v1) and ConfigMaps,
 * POST serviceaccounts/{sa}/token (TokenRequest), and Secrets (create, get, delete with a uid
 * precondition). Tests make it refuse (`refuseTokens`), shorten token lifetimes like
 * --service-account-max-token-expiration (`maxTokenSeconds`), and read what it was asked.
 * The real apiserver is exercised by the e2e tier (test/e2e/real/onboarding-*).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestTls } from '../helpers/test-tls.js';

export interface TokenRequestSeen {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly audiences: unknown;
  readonly expirationSeconds: unknown;
}

export class FakeKubeApi {
  readonly token = `fake-kube-bearer-${randomUUID()}`;
  readonly workloadGroups = new Map<string, unknown>();
  readonly configMaps = new Map<string, Record<string, string>>();
  readonly serviceAccounts = new Set<string>();
  readonly secrets = new Map<string, { metadata: { name: string; uid: string; labels?: Record<string, string> }; data?: Record<string, string> }>();
  readonly tokenRequests: TokenRequestSeen[] = [];
  /** When set, every TokenRequest is refused with 403 and this message (RBAC's shape). */
  refuseTokens: string | undefined;
  /** The apiserver's cap on expirationSeconds (it answers a shorter expiry). */
  maxTokenSeconds = 48 * 3600;
  /** Requests answered, by "METHOD path". */
  readonly calls: string[] = [];
  private server: Server | undefined;
  port = 0;

  constructor(private readonly tls: TestTls) {}

  async start(): Promise<this> {
    // Client certificates signed by the test CA authenticate too (kubeconfig client-certificate users).
    this.server = createServer({ cert: readFileSync(this.tls.certFile), key: readFileSync(this.tls.keyFile), ca: readFileSync(this.tls.caFile), requestCert: true, rejectUnauthorized: false }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const send = (status: number, body: unknown) => {
          const text = JSON.stringify(body);
          res.writeHead(status, { 'content-type': 'application/json' }).end(text);
        };
        const status = (code: number, reason: string, message: string) => send(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code });
        const path = (req.url ?? '').split('?')[0] ?? '';
        this.calls.push(`${req.method} ${path}`);
        const certOk = (req.socket as import('node:tls').TLSSocket).authorized === true;
        if (req.headers.authorization !== `Bearer ${this.token}` && !certOk) return status(401, 'Unauthorized', 'Unauthorized');
        const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> : {};
        let m: RegExpExecArray | null;
        if (req.method === 'GET' && (m = /^\/apis\/networking\.istio\.io\/v1\/namespaces\/([^/]+)\/workloadgroups\/([^/]+)$/.exec(path))) {
          const wg = this.workloadGroups.get(`${m[1]}/${m[2]}`);
          return wg === undefined ? status(404, 'NotFound', `workloadgroups.networking.istio.io "${m[2]}" not found`) : send(200, wg);
        }
        if (req.method === 'GET' && (m = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps\/([^/]+)$/.exec(path))) {
          const data = this.configMaps.get(`${m[1]}/${m[2]}`);
          return data === undefined ? status(404, 'NotFound', `configmaps "${m[2]}" not found`) : send(200, { kind: 'ConfigMap', metadata: { name: m[2], namespace: m[1] }, data });
        }
        if (req.method === 'POST' && (m = /^\/api\/v1\/namespaces\/([^/]+)\/serviceaccounts\/([^/]+)\/token$/.exec(path))) {
          const spec = (body.spec ?? {}) as { audiences?: unknown; expirationSeconds?: unknown };
          this.tokenRequests.push({ namespace: m[1]!, serviceAccount: m[2]!, audiences: spec.audiences, expirationSeconds: spec.expirationSeconds });
          if (this.refuseTokens !== undefined) return status(403, 'Forbidden', this.refuseTokens);
          if (!this.serviceAccounts.has(`${m[1]}/${m[2]}`)) return status(404, 'NotFound', `serviceaccounts "${m[2]}" not found`);
          const seconds = Math.min(Number(spec.expirationSeconds ?? 3600), this.maxTokenSeconds);
          const exp = new Date(Date.now() + seconds * 1000);
          exp.setMilliseconds(0);
          return send(201, { kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', spec, status: { token: `fake-sa-token.${m[1]}.${m[2]}.${randomUUID()}`, expirationTimestamp: exp.toISOString().replace('.000Z', 'Z') } });
        }
        if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/.exec(path))) {
          const ns = m[1]!;
          if (req.method === 'POST' && m[2] === undefined) {
            const meta = body.metadata as { name: string; labels?: Record<string, string> };
            const key = `${ns}/${meta.name}`;
            if (this.secrets.has(key)) return status(409, 'AlreadyExists', `secrets "${meta.name}" already exists`);
            const secret = { ...body, metadata: { ...meta, namespace: ns, uid: randomUUID() } } as FakeKubeApi['secrets'] extends Map<string, infer S> ? S : never;
            this.secrets.set(key, secret);
            return send(201, secret);
          }
          const key = `${ns}/${m[2]}`;
          const secret = this.secrets.get(key);
          if (secret === undefined) return status(404, 'NotFound', `secrets "${m[2]}" not found`);
          if (req.method === 'GET') return send(200, secret);
          if (req.method === 'DELETE') {
            const uid = (body.preconditions as { uid?: string } | undefined)?.uid;
            if (uid !== undefined && uid !== secret.metadata.uid) return status(409, 'Conflict', `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${secret.metadata.uid}`);
            this.secrets.delete(key);
            return send(200, { kind: 'Status', status: 'Success' });
          }
        }
        return status(404, 'NotFound', `the FAKE apiserver does not serve ${req.method} ${path}`);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** A kubeconfig (token user) for this server, written to `file`. */
  kubeconfig(file: string): string {
    writeFileSync(file, [
      'apiVersion: v1', 'kind: Config',
      'clusters:', '- name: fake', `  cluster: {server: "https://127.0.0.1:${this.port}", certificate-authority: "${this.tls.caFile}"}`,
      'users:', '- name: fake', `  user: {token: "${this.token}"}`,
      'contexts:', '- name: fake', '  context: {cluster: fake, user: fake}', 'current-context: fake', ''].join('\n'), { mode: 0o600 });
    return file;
  }

  /** The objects a group needs: Namespace-level root cert, the ServiceAccount, the WorkloadGroup. */
  addGroup(ns: string, name: string, sa: string, spec: Record<string, unknown> = {}): void {
    this.serviceAccounts.add(`${ns}/${sa}`);
    this.configMaps.set(`${ns}/istio-ca-root-cert`, { 'root-cert.pem': `-----BEGIN CERTIFICATE-----\nFAKE ROOT for ${ns}\n-----END CERTIFICATE-----\n` });
    this.workloadGroups.set(`${ns}/${name}`, { apiVersion: 'networking.istio.io/v1', kind: 'WorkloadGroup', metadata: { name, namespace: ns }, spec: { metadata: { labels: { app: name } }, template: { serviceAccount: sa }, ...spec } });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.server === undefined) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
