/**
 * Identity: the workload certificate. Trades the bootstrap istio-token for a SPIFFE certificate
 * from istiod's CA once, then renews with that certificate; keeps it in the store across
 * restarts. Owns: keys, CSRs, token pre-flight, the store directory and OUTPUT_CERTS copy,
 * rotation, the `identity` readiness gate. Must not touch: Envoy, SDS streams (they read the
 * IdentitySource), xDS. Reaches istiod only through src/istiod's connector.
 */
import { identityStoreDir, keySpecOf } from './key-prewarm.js';
import type { Deps } from '../deps.js';
import type { Capability } from '../lifecycle/index.js';
import { istioTokenPath } from '../config/index.js';
import type { ClientCredentials, IstiodConnector } from '../istiod/types.js';
import { clientCredentials } from './credentials.js';
import { IdentityManager } from './manager.js';
import { CertStore } from './store.js';
import type { IdentitySource } from './types.js';
import './errors.js';

export type { IdentitySource, WorkloadIdentity } from './types.js';
export { IdentityManager, CA_BACKOFF, type IdentityManagerOptions } from './manager.js';
export { CertStore } from './store.js';
export { IDENTITY_ERRORS } from './errors.js';

export interface IdentityCapability extends Capability {
  /** The current workload certificate, for SDS and the istiod connector. */
  readonly source: IdentitySource;
  /** Same as `source` (main.ts passes `identity.certs` to the sidecar). */
  readonly certs: IdentitySource;
  /** The istiod connector `connect` made, presenting this identity (xDS shares it). */
  readonly connector: IstiodConnector;
  /**
   * Starts the first certificate request (or adopts the stored certificate) now, before the
   * runtime runs identity's component, which takes the outcome over (IdentityManager.begin): an
   * error thrown there reaches the component's run, not the process's unhandled-rejection handler.
   */
  begin(): void;
}

export interface IdentityOptions {
  /**
   * Makes the istiod connector from identity's credentials (main.ts: src/istiod's
   * createIstiodConnector). Identity calls istiod only through it and never imports src/istiod.
   */
  readonly connect: (credentials: ClientCredentials) => IstiodConnector;
  /** Waited for (bounded) before the first CSR; main.ts passes capture.settled. */
  readonly beforeFirstCall?: Promise<void>;
}

export function createIdentity(deps: Deps, opts: IdentityOptions): IdentityCapability {
  const { config } = deps;
  const id = config.identity;
  let manager: IdentityManager | undefined;
  const tokenPath = istioTokenPath(config.istio);
  const connector = opts.connect(clientCredentials({ current: () => manager?.current() }, tokenPath));
  if (!id.enabled) {
    deps.logger.child({ component: 'identity' }).warn('identity.enabled=false: no workload certificate is requested from istiod');
    return { components: [], source: { current: () => undefined, subscribe: () => () => {} }, certs: { current: () => undefined, subscribe: () => () => {} }, connector, begin: () => undefined };
  }
  manager = new IdentityManager({
    store: new CertStore(identityStoreDir(config)),
    ...(id.outputCertsDir ? { outputStore: new CertStore(id.outputCertsDir) } : {}),
    connector,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'identity' }),
    status: deps.status,
    events: deps.events,
    metrics: deps.metrics,
    gate: deps.gates.register('identity'),
    keySpec: keySpecOf(id),
    trustDomain: id.trustDomain,
    namespace: id.namespace,
    serviceAccount: id.serviceAccount,
    ttlMs: id.certTtl,
    renewRatio: id.renewRatio,
    renewJitter: id.renewJitter,
    certSigner: id.certSigner,
    requestTimeoutMs: config.istiod.requestTimeout,
    address: config.istiod.caAddress,
    tokenPath,
    tokenAudience: id.tokenAudience,
    clockSkewMs: id.clockSkew,
    ...(opts.beforeFirstCall ? { beforeFirstCall: opts.beforeFirstCall } : {}),
  });
  return { components: [manager], source: manager, certs: manager, connector, begin: () => { manager?.begin().catch(() => undefined); } };
}
