/**
 * The exchange service's client: `POST /v1/challenge` for a nonce, then `POST /v1/onboard` with
 * the attestation, over HTTPS verified against onboarding.caFile. Every way it can fail becomes
 * one VmletError whose message says what happened, the service's own reason for a refusal, and
 * what to do: a refusal's ONBOARD_* code maps to a VMLET_ONBOARD_* code (refusalError), transport
 * failures split into unreachable and TLS. Nothing secret is ever put in a message.
 */
import { Agent } from 'node:https';
import { VmletError } from '../../errors.js';
import {
  CHALLENGE_PATH, NONCE_PATTERN, ONBOARD_PATH, parseRefusalBody,
  type ChallengeResponse, type OnboardBundle, type OnboardRefusalBody, type OnboardRequest,
} from '../protocol.js';
import { errorCode, send } from './http.js';
import { joinUrl } from './metadata.js';
import type { OnboardErrorCode } from '../errors.js';
import '../errors.js';

export interface ServiceOptions {
  /** onboarding.url. */
  readonly url: string;
  /** The PEM text of onboarding.caFile; undefined: the system's CAs. */
  readonly ca?: string;
  /** onboarding.caFile's path, for messages. */
  readonly caFile?: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Now, for the clock-skew message. */
  readonly now?: () => number;
  /** One connection for the challenge and the onboarding (keepAliveAgent()); default: one each. */
  readonly agent?: Agent;
}

/**
 * An agent that keeps ONE TLS connection to the service for the challenge and the onboarding that
 * follows: a fleet booting at once then costs the service one handshake per VM, not two (bench/
 * onboard-fleet.mjs: 43 vs 66 onboardings/s at 20 concurrent). Destroy it when done.
 */
export function keepAliveAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1 });
}

/** Node's codes for a certificate the CA file does not vouch for, a wrong name, or a date outside it. */
const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|HOSTNAME_MISMATCH|EPROTO)/;

async function post(opts: ServiceOptions, path: string, body: unknown): Promise<{ status: number; body: string; url: string }> {
  const url = joinUrl(opts.url, path);
  try {
    const answer = await send({
      method: 'POST', url, body: JSON.stringify(body), timeoutMs: opts.timeoutMs,
      headers: { accept: 'application/json' },
      ...(opts.ca === undefined ? {} : { ca: opts.ca }),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.agent ? { agent: opts.agent } : {}),
    });
    return { ...answer, url };
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    const code = errorCode(err);
    if (TLS_CODES.test(code)) {
      const dates = /CERT_HAS_EXPIRED|CERT_NOT_YET_VALID/.test(code) ? ` (this VM's clock reads ${new Date((opts.now ?? Date.now)()).toISOString()}: if it is wrong, sync it)` : '';
      throw new VmletError('VMLET_ONBOARD_TLS',
        `TLS to the exchange service ${url} failed: ${code}${dates}; onboarding.caFile (${opts.caFile ?? "unset: the system's CAs"}) must hold the CA that signed the service's certificate, and the certificate must name the host in onboarding.url`,
        { cause: err, details: { url } });
    }
    throw new VmletError('VMLET_ONBOARD_SERVICE_UNREACHABLE',
      `the exchange service ${url} could not be reached: ${code}; check onboarding.url, name resolution and firewalls from this VM, and that the vmlet-onboard service is running`,
      { cause: err, details: { url } });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One line, bounded: the service's text goes into logs and STATUS=. */
function clean(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 400 ? `${t.slice(0, 399)}…` : t;
}

const REFUSAL_TO_CODE: Readonly<Record<OnboardRefusalBody['code'], { code: OnboardErrorCode; what: string }>> = {
  ONBOARD_NO_POLICY: { code: 'VMLET_ONBOARD_POLICY_REFUSED', what: 'no onboarding policy allows this VM' },
  ONBOARD_POLICY_LIMIT: { code: 'VMLET_ONBOARD_POLICY_REFUSED', what: "the matching policy's VM limit is reached" },
  ONBOARD_ATTESTATION_EXPIRED: { code: 'VMLET_ONBOARD_CLOCK_SKEW', what: 'the attestation is expired or not yet valid (clock skew?)' },
  ONBOARD_REPLAY: { code: 'VMLET_ONBOARD_REPLAY', what: 'the service saw this attestation before (replay)' },
  ONBOARD_NONCE_INVALID: { code: 'VMLET_ONBOARD_NONCE_INVALID', what: 'the challenge nonce was not accepted' },
  ONBOARD_AUDIENCE_MISMATCH: { code: 'VMLET_ONBOARD_AUDIENCE_MISMATCH', what: "the identity token's audience is not the service's" },
  ONBOARD_ATTESTATION_INVALID: { code: 'VMLET_ONBOARD_ATTESTATION_REFUSED', what: 'the platform attestation did not verify' },
  ONBOARD_JOIN_TOKEN_INVALID: { code: 'VMLET_ONBOARD_JOIN_TOKEN_REFUSED', what: 'the join token was refused (unknown, used or expired)' },
  ONBOARD_KUBERNETES_REFUSED: { code: 'VMLET_ONBOARD_KUBERNETES_REFUSED', what: 'Kubernetes refused the service' },
  ONBOARD_BAD_REQUEST: { code: 'VMLET_ONBOARD_SERVICE_ERROR', what: 'the service did not understand the request (vmlet and vmlet-onboard versions?)' },
  ONBOARD_INTERNAL: { code: 'VMLET_ONBOARD_SERVICE_ERROR', what: 'the service failed' },
};

/** What the VM's side adds to the service's fix, per code. */
const LOCAL_FIX: Partial<Record<OnboardErrorCode, (o: ServiceOptions) => string>> = {
  VMLET_ONBOARD_CLOCK_SKEW: (o) => `this VM's clock reads ${new Date((o.now ?? Date.now)()).toISOString()}: sync it (chrony, systemd-timesyncd) and the service's`,
  VMLET_ONBOARD_AUDIENCE_MISMATCH: () => "set onboarding.audience to the service's configured audience (or leave it empty for onboarding.url)",
  VMLET_ONBOARD_JOIN_TOKEN_REFUSED: () => 'write a new join token into onboarding.joinTokenFile; vmlet retries by itself',
};

/** The VmletError for a refusal body (exported for tests and `vmlet onboard`). */
export function refusalError(refusal: OnboardRefusalBody, status: number, url: string, opts: ServiceOptions): VmletError {
  const map = REFUSAL_TO_CODE[refusal.code];
  const local = LOCAL_FIX[map.code]?.(opts);
  const fix = [clean(refusal.fix), local].filter((s) => s !== undefined && s !== '').join('; ');
  return new VmletError(map.code,
    `onboarding refused by ${url}: ${map.what}: ${clean(refusal.reason)} [${refusal.code}, HTTP ${status}]; fix: ${fix || 'see docs/onboarding.md'}`,
    { details: { url, status, refusal: refusal.code } });
}

function answerError(answer: { status: number; body: string; url: string }, opts: ServiceOptions): VmletError {
  const refusal = parseRefusalBody(parseJson(answer.body));
  if (refusal !== undefined) return refusalError(refusal, answer.status, answer.url, opts);
  return new VmletError('VMLET_ONBOARD_SERVICE_ERROR',
    `the exchange service ${answer.url} answered HTTP ${answer.status} without an onboarding refusal (${clean(answer.body.slice(0, 200)) || 'empty body'}); is onboarding.url the vmlet-onboard service (not a proxy or another server)?`,
    { details: { url: answer.url, status: answer.status } });
}

/** `POST /v1/challenge`: a fresh nonce. */
export async function requestChallenge(opts: ServiceOptions): Promise<ChallengeResponse> {
  const answer = await post(opts, CHALLENGE_PATH, {});
  if (answer.status !== 200) throw answerError(answer, opts);
  const body = parseJson(answer.body) as Partial<ChallengeResponse> | undefined;
  if (typeof body?.nonce !== 'string' || !NONCE_PATTERN.test(body.nonce)) {
    throw new VmletError('VMLET_ONBOARD_SERVICE_ERROR', `the exchange service ${answer.url} answered the challenge without a 32-character nonce; is onboarding.url the vmlet-onboard service?`, { details: { url: answer.url } });
  }
  return { nonce: body.nonce, expiresAt: typeof body.expiresAt === 'string' ? body.expiresAt : '' };
}

const BUNDLE_TEXT_FIELDS = ['serviceAccount', 'clusterEnv', 'meshYaml', 'rootCertPem', 'hosts', 'token', 'tokenExpiresAt', 'instanceId'] as const;

/** `POST /v1/onboard`: the bundle, checked for shape (every file and the token present). */
export async function requestBundle(opts: ServiceOptions, request: OnboardRequest): Promise<OnboardBundle> {
  const answer = await post(opts, ONBOARD_PATH, request);
  if (answer.status !== 200) throw answerError(answer, opts);
  const body = parseJson(answer.body) as Record<string, unknown> | undefined;
  const group = body?.group as Record<string, unknown> | undefined;
  const missing = [
    ...BUNDLE_TEXT_FIELDS.filter((k) => typeof body?.[k] !== 'string' || (k !== 'hosts' && body[k] === '')),
    ...(typeof group?.namespace === 'string' && group.namespace !== '' ? [] : ['group.namespace']),
    ...(typeof group?.name === 'string' && group.name !== '' ? [] : ['group.name']),
    ...(body?.reauthSecret === undefined || typeof body.reauthSecret === 'string' ? [] : ['reauthSecret']),
  ];
  if (body === undefined || missing.length > 0) {
    throw new VmletError('VMLET_ONBOARD_BAD_BUNDLE',
      `the exchange service ${answer.url} answered 200 with a bundle lacking ${body === undefined ? 'everything (not JSON)' : missing.join(', ')}; check the service's version and its log for this instance`,
      { details: { url: answer.url, missing } });
  }
  return body as unknown as OnboardBundle;
}
