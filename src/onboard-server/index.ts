/**
 * `vmlet onboard-server`: the exchange service that turns a VM's platform identity (AWS, GCP,
 * Azure) or a one-time join token into its Kubernetes identity and the files istioctl would have
 * written for it (ONBOARD-SPEC.md, docs/onboard-server.md). It runs in the cluster or anywhere
 * with a kubeconfig. The VM agent never loads this folder (src/cli/main.ts imports it lazily, and
 * a test checks that `vmlet run` does not load it); it may use anything of src/onboard/protocol.ts.
 */
import type { Logger } from '../log.js';
import type { OnboardProvider } from '../onboard/protocol.js';
import type { Verifier } from './attest/types.js';
import { jsonLinesAudit, type AuditSink } from './audit.js';
import type { ServerConfig } from './config.js';
import { Exchange } from './exchange.js';
import { KubeJoinTokenStore } from './join-tokens.js';
import { credentialsFromKubeconfig, credentialsInCluster, KubeClient } from './kube.js';
import { Ledger } from './ledger.js';
import { createOnboardMetrics } from './metrics.js';
import { startServer, type RunningServer } from './server.js';

export interface ServeOptions {
  readonly config: ServerConfig;
  readonly verifiers: Partial<Record<OnboardProvider, Verifier>>;
  readonly logger: Logger;
  readonly audit?: AuditSink;
  readonly kube?: KubeClient;
  readonly now?: () => Date;
}

export interface OnboardService extends RunningServer {
  readonly ledger: Ledger;
}

export function kubeClientFor(config: Pick<ServerConfig, 'kubeconfig' | 'readCacheSeconds'>): KubeClient {
  const creds = config.kubeconfig !== '' ? credentialsFromKubeconfig(config.kubeconfig) : credentialsInCluster();
  return new KubeClient(creds, config.readCacheSeconds * 1000);
}

/** Starts the service; close() stops the listeners and the Kubernetes client. */
export async function startOnboardService(o: ServeOptions): Promise<OnboardService> {
  const { config } = o;
  const kube = o.kube ?? kubeClientFor(config);
  if (kube.insecure) {
    // kubectl honours it silently; here it guards the credentials that mint ServiceAccount tokens.
    o.logger.warn({ kubeconfig: config.kubeconfig }, "the kubeconfig sets insecure-skip-tls-verify: the apiserver's certificate is not checked, so anyone on the path can take this service's credentials and every token it asks for; give the cluster's certificate-authority instead");
  }
  const now = o.now ?? (() => new Date());
  const ledger = new Ledger(config.stateFile, () => now().getTime());
  const metrics = createOnboardMetrics();
  metrics.registry.addCollector(() => {
    const counts = ledger.counts();
    for (const p of config.policies) metrics.policyVms.set(counts[p.name] ?? 0, { policy: p.name });
  });
  const exchange = new Exchange({
    config,
    verifiers: o.verifiers,
    kube,
    ledger,
    audit: o.audit ?? jsonLinesAudit(config.audience),
    metrics,
    joinTokens: new KubeJoinTokenStore(kube, config.joinTokenNamespace),
    now,
    onInternalError: (err) => o.logger.error({ err }, 'onboarding failed unexpectedly'),
  });
  let server: RunningServer;
  try {
    server = await startServer(config, exchange, metrics);
  } catch (err) {
    kube.close();
    throw err;
  }
  // Onboardings wait for their own write; issued nonces and pruning are written within 5 s.
  const persist = setInterval(() => {
    ledger.flush().catch((err: unknown) => o.logger.error({ err, stateFile: config.stateFile }, 'cannot write the ledger'));
  }, 5000);
  persist.unref();
  return {
    ledger,
    port: server.port,
    metricsPort: server.metricsPort,
    close: async () => {
      clearInterval(persist);
      await server.close();
      await ledger.flush();
      kube.close();
    },
  };
}
