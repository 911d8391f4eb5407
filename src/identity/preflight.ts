/**
 * Identity's pre-flight checks (registered in src/preflight): the istio-token as istiod will judge
 * it, unless a valid stored certificate for this namespace and service account makes the token
 * unnecessary (as the manager decides at start), and the namespace the SPIFFE ID names.
 */
import { VmletError, isVmletError } from '../errors.js';
import { istioTokenPath } from '../config/istio-files.js';
import { error, warning, type PreflightCheck, type PreflightContext, type PreflightFinding } from '../preflight/types.js';
import type { Config } from '../config/schema.js';
import { identityStoreDir } from './key-prewarm.js';
import '../config/errors.js';
import './errors.js';

/** DNS-1123 label: what Kubernetes accepts as a namespace name. */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const namespaceCheck: PreflightCheck = {
  name: 'identity.namespace',
  run(config) {
    const ns = config.identity.namespace;
    if (NAMESPACE.test(ns)) return [];
    return [error('identity.namespace', new VmletError('VMLET_CONFIG_BAD_VALUE',
      `identity.namespace (cluster.env POD_NAMESPACE): ${ns === '' ? 'is empty, so the namespace cannot be determined' : `${JSON.stringify(ns)} is not a Kubernetes namespace name`}; set POD_NAMESPACE in cluster.env to the WorkloadGroup's namespace (istioctl x workload entry configure writes it)`,
      { details: { key: 'identity.namespace' } }))];
  },
};

/** The token findings onboarding answers by writing a new token (src/onboard/agent/decide.ts). */
const ONBOARDING_SUPPLIES = new Set(['VMLET_TOKEN_MISSING', 'VMLET_TOKEN_FILE_EMPTY', 'VMLET_TOKEN_EXPIRED', 'VMLET_TOKEN_MALFORMED', 'VMLET_TOKEN_WRONG_AUDIENCE', 'VMLET_TOKEN_WRONG_SUBJECT']);

export const tokenCheck: PreflightCheck = {
  name: 'identity.token',
  async run(config, ctx) {
    const findings = await judgeToken(config, ctx);
    const provider = config.onboarding.provider;
    if (provider === 'none') return findings;
    // `vmlet run` onboards first when there is no valid certificate and token, and then runs
    // this check again on what onboarding wrote: here, such a token is no reason to refuse.
    return findings.map((f) => (f.severity === 'error' && ONBOARDING_SUPPLIES.has(f.error.code)
      ? warning('identity.token', new VmletError(f.error.code, `${f.error.message}; onboarding (provider ${provider}) will get a token from ${config.onboarding.url}`, { details: f.error.details }))
      : f));
  },
};

/** The token as istiod will judge it, unless a valid stored certificate makes it unnecessary. */
async function judgeToken(config: Config, ctx: PreflightContext): Promise<PreflightFinding[]> {
  const id = config.identity;
  const path = istioTokenPath(config.istio);
  // Loaded here, not at the top: token.ts brings jose, which an agent without identity never loads.
  const { preflightToken, readToken, readTokenFile } = await import('./token.js');
  const text = readTokenFile(path);
  // A file of blanks is empty to istiod too (the loader only sees its size).
  if (text !== undefined && text.length > 0 && text.trim() === '') {
    return [error('identity.token', new VmletError('VMLET_TOKEN_FILE_EMPTY', `${path} holds only blanks; write a fresh token there (kubectl create token ${id.serviceAccount} -n ${id.namespace} --audience ${id.tokenAudience})`, { details: { file: path } }))];
  }
  const { CertStore } = await import('./store.js');
  const stored = new CertStore(identityStoreDir(config)).load();
  if (stored !== undefined && stored.notAfter > ctx.now && stored.spiffeId.endsWith(`/ns/${id.namespace}/sa/${id.serviceAccount}`)) return [];
  const token = readToken(path);
  if (token === undefined) {
    // Without a certificate and a token there is no first certificate: identity would end the run.
    return [error('identity.token', new VmletError('VMLET_TOKEN_MISSING', `no valid stored certificate and no istio-token at ${path}: mint one with \`kubectl create token ${id.serviceAccount} -n ${id.namespace} --audience ${id.tokenAudience}\` and put it there`, { details: { file: path } }))];
  }
  try {
    preflightToken(token, { audience: id.tokenAudience, namespace: id.namespace, serviceAccount: id.serviceAccount, skewMs: id.clockSkew, now: ctx.now, path });
    return [];
  } catch (err) {
    if (isVmletError(err)) return [error('identity.token', err)];
    throw err;
  }
}
