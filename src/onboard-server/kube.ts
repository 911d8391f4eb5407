/**
 * The few Kubernetes API calls the service makes, on node:https (no client library): reads of
 * WorkloadGroups and ConfigMaps, the TokenRequest, and join-token Secrets. Credentials come from
 * a kubeconfig (client certificate or bearer token, current context) or, when none is given, the
 * in-cluster service account (its token file is re-read, as kubelet rotates it).
 *
 * Every refusal or failure of the API is an OnboardRefusal ONBOARD_KUBERNETES_REFUSED carrying the
 * apiserver's own message (never our token).
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { dirname, isAbsolute, join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { parse as parseYaml } from 'yaml';
import { VmletError } from '../errors.js';
import { OnboardRefusal } from '../onboard/protocol.js';
import './errors.js';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** How long a request may take before it is abandoned (ms). */
const REQUEST_TIMEOUT_MS = 10_000;

export interface KubeCredentials {
  readonly server: URL;
  readonly ca?: Buffer;
  readonly insecureSkipTlsVerify?: boolean;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  /** A fixed bearer token, or a file re-read (in-cluster). */
  readonly token?: string;
  readonly tokenFile?: string;
}

export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(readonly status: number, readonly reason: string, message: string) {
    super(message);
  }
}

function fileOrData(base: string, obj: Record<string, unknown>, key: string): Buffer | undefined {
  const data = obj[`${key}-data`];
  if (typeof data === 'string' && data !== '') return Buffer.from(data, 'base64');
  const file = obj[key];
  if (typeof file === 'string' && file !== '') return readFileSync(isAbsolute(file) ? file : join(base, file));
  return undefined;
}

/** Reads the current context of a kubeconfig file. Throws VMLET_ONBOARD_KUBECONFIG_INVALID. */
export function credentialsFromKubeconfig(file: string): KubeCredentials {
  const bad = (why: string, cause?: unknown) => new VmletError('VMLET_ONBOARD_KUBECONFIG_INVALID', `kubeconfig ${file}: ${why}`, cause === undefined ? undefined : { cause });
  let doc: Record<string, unknown>;
  try {
    doc = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    // The yaml library's message quotes the offending line, and a kubeconfig's lines hold tokens
    // and keys: say where, never what (and attach no cause, which would carry the quote along).
    const pos = (err as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    if (pos !== undefined) {
      const what = (err as Error).message.split(' at line ')[0];
      throw bad(`line ${pos.line}, column ${pos.col}: not valid YAML (${what}); fix the file (\`kubectl config view\` shows how kubectl reads it)`);
    }
    throw bad(`cannot read it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; the file must exist and be readable by the service`);
  }
  const named = (list: string, name: unknown, inner: string): Record<string, unknown> => {
    const items = Array.isArray(doc?.[list]) ? (doc[list] as Record<string, unknown>[]) : [];
    const found = items.find((i) => i?.name === name)?.[inner];
    if (typeof found !== 'object' || found === null) throw bad(`${list}: no entry named ${JSON.stringify(name)} (current-context ${JSON.stringify(doc?.['current-context'])})`);
    return found as Record<string, unknown>;
  };
  const ctx = named('contexts', doc?.['current-context'], 'context');
  const cluster = named('clusters', ctx.cluster, 'cluster');
  const user = named('users', ctx.user, 'user');
  const base = dirname(file);
  try {
    if (typeof cluster.server !== 'string') throw new Error('the cluster has no server');
    const server = new URL(cluster.server);
    if (server.protocol !== 'https:') throw new Error(`server ${cluster.server} is not https`);
    const ca = fileOrData(base, cluster, 'certificate-authority');
    const cert = fileOrData(base, user, 'client-certificate');
    const key = fileOrData(base, user, 'client-key');
    const token = typeof user.token === 'string' && user.token !== '' ? user.token : undefined;
    const tokenFile = typeof user.tokenFile === 'string' && user.tokenFile !== '' ? user.tokenFile : undefined;
    if ((cert === undefined) !== (key === undefined)) throw new Error('the user has a client certificate without key (or the reverse)');
    if (cert === undefined && token === undefined && tokenFile === undefined) throw new Error('the user has neither a client certificate nor a token (exec and auth-provider plugins are not supported)');
    return { server, ...(ca ? { ca } : {}), ...(cluster['insecure-skip-tls-verify'] === true ? { insecureSkipTlsVerify: true } : {}), ...(cert ? { cert, key } : {}), ...(token ? { token } : {}), ...(tokenFile ? { tokenFile } : {}) };
  } catch (err) {
    if (err instanceof VmletError) throw err;
    throw bad((err as Error).message, err);
  }
}

/** The pod's service account (KUBERNETES_SERVICE_HOST/PORT, its token and CA files). */
export function credentialsInCluster(env: Readonly<Record<string, string | undefined>> = process.env, dir = SA_DIR): KubeCredentials {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (host === undefined || host === '') {
    throw new VmletError('VMLET_ONBOARD_KUBECONFIG_INVALID', 'no kubeconfig is configured and this is not a pod (KUBERNETES_SERVICE_HOST is unset): set `kubeconfig:` in the config file');
  }
  let ca: Buffer;
  try {
    ca = readFileSync(join(dir, 'ca.crt'));
  } catch (err) {
    throw new VmletError('VMLET_ONBOARD_KUBECONFIG_INVALID', `in-cluster: cannot read ${join(dir, 'ca.crt')}: ${(err as Error).message}; is automountServiceAccountToken off?`, { cause: err });
  }
  return { server: new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}`), ca, tokenFile: join(dir, 'token') };
}

export interface WorkloadGroup {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly annotations?: Record<string, string>; readonly uid?: string };
  readonly spec: {
    readonly metadata?: { readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
    readonly template?: { readonly serviceAccount?: string; readonly network?: string; readonly ports?: Record<string, number>; readonly labels?: Record<string, string> };
    readonly probe?: unknown;
  };
}

export interface Secret {
  readonly metadata: { readonly name: string; readonly uid: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly data?: Record<string, string>;
}

export class KubeClient {
  private readonly agent: Agent;
  private tokenCache: { value: string; at: number } | undefined;
  private readonly cache = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(private readonly creds: KubeCredentials, private readonly cacheMs = 0, private readonly now: () => number = Date.now) {
    // One TLS context for every connection (building one per socket parses the CA each time).
    const secureContext = createSecureContext({ ...(creds.ca ? { ca: creds.ca } : {}), ...(creds.cert ? { cert: creds.cert, key: creds.key } : {}) });
    this.agent = new Agent({ keepAlive: true, maxSockets: 32, secureContext, rejectUnauthorized: creds.insecureSkipTlsVerify !== true });
  }

  /** The kubeconfig said insecure-skip-tls-verify: the apiserver's certificate is not checked. */
  get insecure(): boolean {
    return this.creds.insecureSkipTlsVerify === true;
  }

  close(): void {
    this.agent.destroy();
  }

  private bearer(): string | undefined {
    if (this.creds.token !== undefined) return this.creds.token;
    if (this.creds.tokenFile === undefined) return undefined;
    // kubelet rotates the projected token; re-read it at most once a minute.
    if (this.tokenCache === undefined || this.now() - this.tokenCache.at > 60_000) {
      this.tokenCache = { value: readFileSync(this.creds.tokenFile, 'utf8').trim(), at: this.now() };
    }
    return this.tokenCache.value;
  }

  /** One API call; resolves the decoded JSON of a 2xx, rejects KubeApiError otherwise. */
  call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const url = new URL(path, this.creds.server);
    const bearer = this.bearer();
    return new Promise<T>((resolve, reject) => {
      const req = request(url, {
        method,
        agent: this.agent,
        timeout: REQUEST_TIMEOUT_MS,
        headers: {
          accept: 'application/json',
          ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text === '' ? {} : JSON.parse(text);
          } catch {
            json = undefined;
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300 && json !== undefined) return resolve(json as T);
          const st = (json ?? {}) as { message?: unknown; reason?: unknown };
          const message = typeof st.message === 'string' ? st.message : text.slice(0, 200);
          reject(new KubeApiError(status, typeof st.reason === 'string' ? st.reason : '', `${method} ${url.pathname}: ${status} ${message}`));
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on('error', (err) => reject(new KubeApiError(0, 'Unreachable', `${method} ${url.pathname}: ${this.creds.server.host}: ${err.message}`)));
      req.end(payload);
    });
  }

  /** A GET reused for cacheMs (WorkloadGroups and ConfigMaps change rarely; thousands of VMs boot at once). */
  private cachedGet<T>(path: string): Promise<T> {
    if (this.cacheMs <= 0) return this.call<T>('GET', path);
    const hit = this.cache.get(path);
    if (hit !== undefined && this.now() - hit.at < this.cacheMs) return hit.value as Promise<T>;
    const value = this.call<T>('GET', path);
    this.cache.set(path, { at: this.now(), value });
    value.catch(() => this.cache.delete(path));
    return value;
  }

  getWorkloadGroup(namespace: string, name: string): Promise<WorkloadGroup> {
    return this.cachedGet(`/apis/networking.istio.io/v1/namespaces/${enc(namespace)}/workloadgroups/${enc(name)}`);
  }

  getConfigMap(namespace: string, name: string): Promise<{ data?: Record<string, string> }> {
    return this.cachedGet(`/api/v1/namespaces/${enc(namespace)}/configmaps/${enc(name)}`);
  }

  /** TokenRequest for namespace/serviceAccount; the expiry is the apiserver's (it may shorten it). */
  async createToken(namespace: string, serviceAccount: string, audiences: readonly string[], expirationSeconds: number): Promise<{ token: string; expiresAt: Date }> {
    const res = await this.call<{ status?: { token?: unknown; expirationTimestamp?: unknown } }>('POST', `/api/v1/namespaces/${enc(namespace)}/serviceaccounts/${enc(serviceAccount)}/token`, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { audiences, expirationSeconds },
    });
    const token = res.status?.token;
    const exp = typeof res.status?.expirationTimestamp === 'string' ? new Date(res.status.expirationTimestamp) : undefined;
    if (typeof token !== 'string' || token === '' || exp === undefined || Number.isNaN(exp.getTime())) {
      throw new KubeApiError(0, 'BadResponse', `TokenRequest for ${namespace}/${serviceAccount}: the answer has no status.token or expirationTimestamp`);
    }
    return { token, expiresAt: exp };
  }

  createSecret(namespace: string, secret: unknown): Promise<Secret> {
    return this.call('POST', `/api/v1/namespaces/${enc(namespace)}/secrets`, secret);
  }

  getSecret(namespace: string, name: string): Promise<Secret> {
    return this.call('GET', `/api/v1/namespaces/${enc(namespace)}/secrets/${enc(name)}`);
  }

  /** Deletes only the Secret with this uid (a concurrent delete makes this one fail with 404/409). */
  deleteSecret(namespace: string, name: string, uid: string): Promise<unknown> {
    return this.call('DELETE', `/api/v1/namespaces/${enc(namespace)}/secrets/${enc(name)}`, { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid } });
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

/** An API failure as the refusal a VM gets (502), with the apiserver's message. */
export function kubeRefusal(what: string, err: unknown): OnboardRefusal {
  const msg = err instanceof Error ? err.message : String(err);
  const status = err instanceof KubeApiError ? err.status : 0;
  const fix = status === 403
    ? "the onboarding service's ServiceAccount lacks RBAC for this (deploy/onboard-server: a Role with serviceaccounts/token create naming this ServiceAccount in the group's namespace); ask the cluster operator"
    : status === 404
      ? 'create the missing object (WorkloadGroup, its ServiceAccount, or Istio\'s ConfigMaps) or fix the policy\'s workloadGroup'
      : 'check the Kubernetes API server and the onboarding service\'s logs; retrying later may work';
  return new OnboardRefusal('ONBOARD_KUBERNETES_REFUSED', `Kubernetes refused ${what}: ${msg}`, fix, { cause: err });
}
