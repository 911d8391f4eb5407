/**
 * vmlet's side of zero-touch onboarding (docs/onboarding.md): collect the platform attestation
 * from the cloud's metadata service (or the join token), exchange it at `vmlet onboard-server`
 * for the group's Istio VM files and token, and write them where istioctl's would go. Owns: the
 * collectors, the service client, the bundle writer, the decision and the retry loop `vmlet run`
 * uses. Must not touch: anything of src/onboard-server (the VM only forwards what the metadata
 * service hands out; verifying PKCS#7 or JWTs is the service's job), nor the identity store.
 */
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../config/schema.js';
import { DEFAULT_METADATA_URLS } from '../../config/sections/onboarding.js';
import { isBadInput, isVmletError, VmletError } from '../../errors.js';
import { Backoff } from '../../lifecycle/backoff.js';
import { LogSampler, type Logger } from '../../log.js';
import type { StatusBoard } from '../../status/types.js';
import type { OnboardRequest } from '../protocol.js';
import { keepAliveAgent, requestBundle, requestChallenge, type ServiceOptions } from './client.js';
import { collectAws } from './collect-aws.js';
import { collectAzure } from './collect-azure.js';
import { collectGcp } from './collect-gcp.js';
import { collectJoinToken } from './collect-join-token.js';
import type { MetadataOptions } from './metadata.js';
import { readCaFile } from './ca-file.js';
import { bundleTargets, ReauthSecretStore, removeUsedJoinToken, writeBundle } from './write-bundle.js';
import '../errors.js';

export { decideOnboarding, type OnboardingDecision } from './decide.js';

export interface OnboardContext {
  readonly config: Config;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}

export interface OnboardResult {
  readonly group: string;
  readonly serviceAccount: string;
  readonly instanceId: string;
  readonly tokenExpiresAt: string;
  /** Files written (none for a dry run). */
  readonly files: readonly string[];
  readonly dryRun: boolean;
}

/**
 * One onboarding: challenge, attestation, exchange, files. `dryRun` stops after the attestation
 * was collected and the service answered the challenge (nothing is sent for a token, nothing is
 * written, no join token is spent). Throws the VmletError that says what failed.
 */
export async function onboardOnce(ctx: OnboardContext, opts: { dryRun?: boolean } = {}): Promise<OnboardResult> {
  const o = ctx.config.onboarding;
  if (o.provider === 'none') throw new VmletError('VMLET_CONFIG_BAD_VALUE', 'onboarding.provider is none: set it to aws, gcp, azure or join-token (docs/onboarding.md)', { details: { key: 'onboarding.provider' } });
  const service: ServiceOptions = {
    url: o.url, timeoutMs: o.timeout,
    ...(o.caFile === undefined ? {} : { caFile: o.caFile }),
    ...((ca) => (ca === undefined ? {} : { ca }))(readCaFile(o.caFile)),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(ctx.now ? { now: ctx.now } : {}),
    agent: keepAliveAgent(),
  };
  try {
    return await onboardWith(ctx, service, opts);
  } finally {
    service.agent?.destroy();
  }
}

async function onboardWith(ctx: OnboardContext, service: ServiceOptions, opts: { dryRun?: boolean }): Promise<OnboardResult> {
  const o = ctx.config.onboarding;
  if (o.provider === 'none') throw new Error('unreachable: onboardOnce refuses provider none');
  const metadata = (provider: 'aws' | 'gcp' | 'azure'): MetadataOptions => ({
    baseUrl: o.metadataUrl !== '' ? o.metadataUrl : DEFAULT_METADATA_URLS[provider], timeoutMs: o.timeout,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  // A join token is read (and its mode checked) before anything goes on the wire.
  const joinToken = o.provider === 'join-token' ? collectJoinToken(o.joinTokenFile) : undefined;
  const reauth = new ReauthSecretStore(ctx.config.general.stateDir);
  const { nonce } = await requestChallenge(service);
  const instance = { hostname: hostname() };
  let request: OnboardRequest;
  switch (o.provider) {
    case 'aws': request = { provider: 'aws', nonce, instance, attestation: await collectAws(metadata('aws'), reauth.load()) }; break;
    case 'gcp': request = { provider: 'gcp', nonce, instance, attestation: await collectGcp(metadata('gcp'), o.audience !== '' ? o.audience : o.url) }; break;
    case 'azure': request = { provider: 'azure', nonce, instance, attestation: await collectAzure(metadata('azure'), nonce) }; break;
    case 'join-token': request = { provider: 'join-token', nonce, instance, attestation: joinToken! }; break;
  }
  if (opts.dryRun === true) return { group: '', serviceAccount: '', instanceId: '', tokenExpiresAt: '', files: [], dryRun: true };
  const bundle = await requestBundle(service, request);
  // The secret first: a bundle on disk without it would make the next onboarding a replay.
  if (o.provider === 'aws' && bundle.reauthSecret !== undefined) reauth.save(bundle.reauthSecret);
  const files = writeBundle(bundle, bundleTargets(ctx.config.istio.dir, o.hostsFile));
  if (o.provider === 'join-token') removeUsedJoinToken(o.joinTokenFile);
  return {
    group: `${bundle.group.namespace}/${bundle.group.name}`, serviceAccount: bundle.serviceAccount,
    instanceId: bundle.instanceId, tokenExpiresAt: bundle.tokenExpiresAt, files, dryRun: false,
  };
}

export interface OnboardLoopOptions extends OnboardContext {
  readonly logger: Logger;
  /** `onboarding` component: starting while trying, degraded with the last error while waiting, ok at the end. */
  readonly status: StatusBoard;
  /** Tests: deterministic jitter. */
  readonly random?: () => number;
}

/**
 * Onboards until it succeeds (resolves 'onboarded') or `signal` aborts ('stopped'). A failure the
 * service or the cloud may stop causing (a policy added, a clock synced, the service back) is
 * retried with the named backoff `onboarding` (onboarding.retryInitial doubling to retryMax,
 * ±20 % jitter), each wait shown in the status line with its cause; a local configuration error
 * (caFile, join token file) is thrown: it ends `vmlet run` with exit 2 and its code.
 */
export async function onboardUntilDone(opts: OnboardLoopOptions): Promise<'onboarded' | 'stopped'> {
  const o = opts.config.onboarding;
  // Retry logs: the first five, then one in ten, and always when the cause changes (house style).
  const sampler = new LogSampler();
  let lastCode: string | undefined;
  const backoff = new Backoff({ name: 'onboarding', base: o.retryInitial, factor: 2, cap: o.retryMax, jitter: 0.2, resetAfter: Number.MAX_SAFE_INTEGER }, opts.random);
  for (let attempt = 1; ; attempt += 1) {
    if (opts.signal?.aborted) return 'stopped';
    opts.status.set('onboarding', 'starting', `attempt ${attempt}: ${o.provider} identity to ${o.url}`);
    try {
      const r = await onboardOnce(opts);
      opts.status.set('onboarding', 'ok', `onboarded into ${r.group} as ${r.serviceAccount} (${o.provider}, instance ${r.instanceId}); token valid until ${r.tokenExpiresAt}`);
      opts.logger.info({ provider: o.provider, group: r.group, serviceAccount: r.serviceAccount, instanceId: r.instanceId, attempt, files: r.files }, `onboarded into ${r.group} as ${r.serviceAccount}`);
      return 'onboarded';
    } catch (err) {
      if (opts.signal?.aborted) return 'stopped';
      const code = isVmletError(err) ? err.code : 'VMLET_INTERNAL';
      const message = err instanceof Error ? err.message : String(err);
      if (isBadInput(err) || !isVmletError(err)) {
        opts.status.set('onboarding', 'failed', `${message} [${code}]`);
        throw err;
      }
      const delay = backoff.next();
      // The code first: STATUS= keeps 200 characters of the line, and the code is what to look up.
      opts.status.set('onboarding', 'degraded', `${code} (attempt ${attempt}, retry in ${Math.max(1, Math.round(delay / 1000))}s): ${message}`);
      if (code !== lastCode) sampler.reset();
      lastCode = code;
      const { log, suppressed } = sampler.shouldLog();
      if (log) opts.logger.warn({ code, attempt, retryInMs: delay, backoff: 'onboarding', suppressed }, `onboarding attempt ${attempt} failed, retrying in ${delay} ms: ${message} [${code}]`);
      try {
        await sleep(delay, undefined, opts.signal ? { signal: opts.signal } : {});
      } catch {
        return 'stopped';
      }
    }
  }
}
