/**
 * One onboarding, from a parsed request body to a bundle or a refusal: nonce, verification,
 * replay/TOFU, policy and VM limit, the Kubernetes reads and TokenRequest, the bundle, the ledger
 * write, the audit record and the metrics. No sockets here (server.ts carries the HTTP).
 *
 * Order and why: the nonce is used up first (a failed attempt burns it); the attestation is
 * verified before anything is remembered about it; replay before policy (a replayed artefact is
 * refused as a replay wherever it would go); the VM count and AWS TOFU are only kept when the
 * whole onboarding succeeds, so a refused TokenRequest leaves the VM free to try again.
 */
import {
  isOnboardProvider,
  NONCE_PATTERN,
  OnboardRefusal,
  type ChallengeResponse,
  type OnboardBundle,
  type OnboardProvider,
  type OnboardRefusalBody,
} from '../onboard/protocol.js';
import type { JoinTokenStore, VerifiedIdentity, Verifier } from './attest/types.js';
import type { AuditSink } from './audit.js';
import { buildBundle, type BuiltBundle } from './bundle.js';
import type { ServerConfig } from './config.js';
import { kubeRefusal, type KubeClient, type WorkloadGroup } from './kube.js';
import type { Ledger } from './ledger.js';
import type { OnboardMetrics } from './metrics.js';
import { choosePolicy } from './policy.js';

export interface ExchangeDeps {
  readonly config: ServerConfig;
  readonly verifiers: Partial<Record<OnboardProvider, Verifier>>;
  readonly kube: KubeClient;
  readonly ledger: Ledger;
  readonly audit: AuditSink;
  readonly metrics: OnboardMetrics;
  readonly joinTokens?: JoinTokenStore;
  readonly now?: () => Date;
  /** Unexpected errors (ONBOARD_INTERNAL), for the operator's log. */
  readonly onInternalError?: (err: unknown) => void;
}

export type ExchangeResult = { readonly status: 200; readonly body: OnboardBundle } | { readonly status: number; readonly body: OnboardRefusalBody };

interface AuditContext {
  provider?: string;
  identity?: VerifiedIdentity;
  group?: string;
  policy?: string;
  hostname?: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const BAD_REQUEST_FIX = 'send {"provider","nonce","attestation",...} as ONBOARD-SPEC.md describes (vmlet does); check that the client and service versions match';

export class Exchange {
  private readonly now: () => Date;
  /**
   * The last bundle built per WorkloadGroup object, with the other inputs it was built from: while
   * the Kubernetes reads are served from the read cache (the same objects), a fleet booting at once
   * gets the group's files without parsing and writing YAML again (~1/4 of an onboarding's CPU).
   */
  private readonly built = new WeakMap<object, { mesh: object; root: object; clusterID: string; bundle: BuiltBundle }>();

  constructor(private readonly d: ExchangeDeps) {
    this.now = d.now ?? (() => new Date());
  }

  challenge(): ChallengeResponse {
    const { nonce, expiresAt } = this.d.ledger.issueNonce();
    this.d.metrics.challenges.inc();
    return { nonce, expiresAt: expiresAt.toISOString() };
  }

  /** Runs one onboarding; never rejects (every failure is a refusal result, audited). */
  async onboard(body: unknown, remote?: string): Promise<ExchangeResult> {
    const started = process.hrtime.bigint();
    const ctx: AuditContext = {};
    try {
      const bundle = await this.run(body, ctx);
      this.finish(started, ctx, remote, 'allowed', 'OK', `onboarded into ${ctx.group} by policy ${ctx.policy}`);
      return { status: 200, body: bundle };
    } catch (err) {
      let refusal: OnboardRefusal;
      if (err instanceof OnboardRefusal) refusal = err;
      else {
        this.d.onInternalError?.(err);
        refusal = new OnboardRefusal('ONBOARD_INTERNAL', `the onboarding service failed: ${(err as Error)?.message ?? String(err)}`, "retry later; the onboarding service's log has the details");
      }
      this.finish(started, ctx, remote, 'refused', refusal.code, refusal.reason);
      return { status: refusal.status, body: refusal.toBody() };
    }
  }

  private finish(started: bigint, ctx: AuditContext, remote: string | undefined, decision: 'allowed' | 'refused', code: string, reason: string): void {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const id = ctx.identity;
    this.d.audit.record({
      decision,
      code,
      reason,
      ...(ctx.provider !== undefined ? { provider: ctx.provider } : {}),
      ...(id !== undefined ? { instance: id.instanceId, account: id.account } : {}),
      ...(ctx.group !== undefined ? { group: ctx.group } : {}),
      ...(ctx.policy !== undefined ? { policy: ctx.policy } : {}),
      ...(ctx.hostname !== undefined ? { hostname: ctx.hostname } : {}),
      ...(remote !== undefined ? { remote } : {}),
      durationMs: Math.round(seconds * 1e4) / 10,
    });
    this.d.metrics.requests.inc({ provider: ctx.provider ?? 'unknown', decision, code });
    this.d.metrics.duration.observe(seconds, { decision });
  }

  private async run(body: unknown, ctx: AuditContext): Promise<OnboardBundle> {
    const { config, ledger } = this.d;
    if (!isObject(body)) throw new OnboardRefusal('ONBOARD_BAD_REQUEST', 'the body is not a JSON object', BAD_REQUEST_FIX);
    if (!isOnboardProvider(body.provider)) throw new OnboardRefusal('ONBOARD_BAD_REQUEST', `provider ${JSON.stringify(body.provider)} is not one of aws, gcp, azure, join-token`, BAD_REQUEST_FIX);
    const provider = body.provider;
    ctx.provider = provider;
    if (isObject(body.instance) && typeof body.instance.hostname === 'string') ctx.hostname = body.instance.hostname.slice(0, 253);
    if (typeof body.nonce !== 'string' || !NONCE_PATTERN.test(body.nonce)) throw new OnboardRefusal('ONBOARD_BAD_REQUEST', 'nonce is missing or not 32 alphanumerics', 'get one from POST /v1/challenge first');
    if (!isObject(body.attestation)) throw new OnboardRefusal('ONBOARD_BAD_REQUEST', 'attestation is missing or not an object', BAD_REQUEST_FIX);
    const verifier = this.d.verifiers[provider];
    if (verifier === undefined) {
      throw new OnboardRefusal('ONBOARD_BAD_REQUEST', `this service does not accept ${provider} attestations (no trust.${provider === 'join-token' ? '' : provider} configured)`, `onboard with a provider this service trusts, or ask its operator to configure trust.${provider}`);
    }
    ledger.consumeNonce(body.nonce);

    const now = this.now();
    const identity = await verifier.verify(body.attestation, {
      now,
      nonce: body.nonce,
      audience: config.audience,
      trust: config.trust,
      clockSkewSeconds: config.clockSkewSeconds,
      ...(this.d.joinTokens !== undefined ? { joinTokens: this.d.joinTokens } : {}),
    });
    ctx.identity = identity;

    // AWS documents carry no nonce or expiry: trust on first use per instance, with the reauthSecret.
    const presented = typeof body.attestation.reauthSecret === 'string' ? body.attestation.reauthSecret : undefined;
    const tofu = provider === 'aws' ? ledger.decideTofu(identity.replayKey, identity.pendingTime, presented) : undefined;
    try {
      if (tofu === undefined) ledger.rememberOnce(`${provider}:${identity.replayKey}`, identity.notAfter, `${provider} attestation`);
      const policy = choosePolicy(config.policies, identity);
      ctx.policy = policy.name;
      ctx.group = `${policy.workloadGroup.namespace}/${policy.workloadGroup.name}`;
      const undoAdmit = ledger.admit(policy.name, `${provider}:${identity.account}:${identity.instanceId}`, policy.maxVMs);
      try {
        const { namespace, name } = policy.workloadGroup;
        const files = await this.groupFiles(namespace, name);
        const token = await this.token(namespace, files.serviceAccount);
        tofu?.commit();
        await ledger.flush();
        return {
          group: { namespace, name },
          serviceAccount: files.serviceAccount,
          clusterEnv: files.clusterEnv,
          meshYaml: files.meshYaml,
          rootCertPem: files.rootCertPem,
          hosts: files.hosts,
          token: token.token,
          tokenExpiresAt: token.expiresAt.toISOString(),
          ...(tofu !== undefined ? { reauthSecret: tofu.secret } : {}),
          instanceId: identity.instanceId,
        };
      } catch (err) {
        undoAdmit();
        throw err;
      }
    } finally {
      tofu?.release();
    }
  }

  private async groupFiles(namespace: string, name: string) {
    const { kube, config } = this.d;
    const read = <T>(what: string, p: Promise<T>) => p.catch((err: unknown) => { throw kubeRefusal(what, err); });
    const [group, mesh, root, clusterID] = await Promise.all([
      read(`reading WorkloadGroup ${namespace}/${name}`, kube.getWorkloadGroup(namespace, name)) as Promise<WorkloadGroup>,
      read(`reading ConfigMap ${config.istioNamespace}/istio`, kube.getConfigMap(config.istioNamespace, 'istio')),
      read(`reading ConfigMap ${namespace}/istio-ca-root-cert`, kube.getConfigMap(namespace, 'istio-ca-root-cert')),
      config.clusterID !== undefined ? Promise.resolve(config.clusterID) : read(`reading ConfigMap ${config.istioNamespace}/istio-sidecar-injector (set clusterID in the config to skip it)`, this.clusterIdFromInjector()),
    ]);
    const rootCertPem = root.data?.['root-cert.pem'];
    if (rootCertPem === undefined || rootCertPem === '') {
      throw new OnboardRefusal('ONBOARD_KUBERNETES_REFUSED', `ConfigMap ${namespace}/istio-ca-root-cert has no root-cert.pem`, 'istiod writes it into every namespace; is istiod running and does it watch this namespace?');
    }
    const last = this.built.get(group);
    if (last !== undefined && last.mesh === mesh && last.root === root && last.clusterID === clusterID) return last.bundle;
    try {
      const bundle = buildBundle({ group, meshConfig: mesh.data?.mesh ?? '', rootCertPem, clusterID, hosts: config.hosts });
      this.built.set(group, { mesh, root, clusterID, bundle });
      return bundle;
    } catch (err) {
      throw new OnboardRefusal('ONBOARD_KUBERNETES_REFUSED', `the mesh config or WorkloadGroup ${namespace}/${name} could not be read: ${(err as Error).message}`, 'fix the ConfigMap istio (key mesh) or the WorkloadGroup\'s proxy.istio.io/config annotation', { cause: err });
    }
  }

  /** istioctl's default cluster ID: values.global.multiCluster.clusterName of istio-sidecar-injector. */
  private async clusterIdFromInjector(): Promise<string> {
    const cm = await this.d.kube.getConfigMap(this.d.config.istioNamespace, 'istio-sidecar-injector');
    try {
      const values = JSON.parse(cm.data?.values ?? '{}') as { global?: { multiCluster?: { clusterName?: unknown } } };
      const name = values.global?.multiCluster?.clusterName;
      return typeof name === 'string' ? name : '';
    } catch {
      return '';
    }
  }

  private async token(namespace: string, serviceAccount: string): Promise<{ token: string; expiresAt: Date }> {
    try {
      const t = await this.d.kube.createToken(namespace, serviceAccount, ['istio-ca'], this.d.config.tokenLifetimeSeconds);
      this.d.metrics.tokenRequests.inc({ result: 'ok' });
      return t;
    } catch (err) {
      this.d.metrics.tokenRequests.inc({ result: 'refused' });
      throw kubeRefusal(`the TokenRequest for ServiceAccount ${namespace}/${serviceAccount}`, err);
    }
  }
}
