/**
 * The onboarding wire protocol, shared by the VM side (src/onboard/agent) and the exchange
 * service (src/onboard-server): the request and response bodies, the refusal codes with their
 * HTTP statuses, and the error a refusal travels in. The contract is /work/wt/ONBOARD-SPEC.md
 * ("Wire protocol"); docs/onboard-server.md documents it for operators.
 *
 * No imports on purpose: the agent loads this file, and nothing of the server may come with it.
 */

/** The paths the service answers (POST, JSON bodies both ways). */
export const CHALLENGE_PATH = '/v1/challenge';
export const ONBOARD_PATH = '/v1/onboard';

export const ONBOARD_PROVIDERS = ['aws', 'gcp', 'azure', 'join-token'] as const;
export type OnboardProvider = (typeof ONBOARD_PROVIDERS)[number];

export function isOnboardProvider(value: unknown): value is OnboardProvider {
  return typeof value === 'string' && (ONBOARD_PROVIDERS as readonly string[]).includes(value);
}

/** A nonce is 32 characters of [A-Za-z0-9] (Azure's attested document takes up to 32 alphanumerics). */
export const NONCE_PATTERN = /^[A-Za-z0-9]{32}$/;
/** How long a nonce stays usable, once (5 minutes). */
export const NONCE_LIFETIME_MS = 5 * 60_000;

/** `POST /v1/challenge` body `{}` answers this. */
export interface ChallengeResponse {
  /** 32 alphanumerics, usable once within its lifetime. */
  readonly nonce: string;
  /** RFC 3339. */
  readonly expiresAt: string;
}

/** AWS: the instance identity document exactly as IMDS served it, and its signature(s). */
export interface AwsAttestation {
  /** The document's exact text (the signature covers these bytes). */
  readonly document: string;
  /** base64 PKCS#7 from /latest/dynamic/instance-identity/rsa2048 (preferred). */
  readonly rsa2048?: string;
  /** base64 from /latest/dynamic/instance-identity/signature (fallback). */
  readonly signature?: string;
  /** The secret the first onboarding of this instance returned, when the VM kept one. */
  readonly reauthSecret?: string;
}

/** GCP: the instance identity JWT (format=full, audience = the service's configured audience). */
export interface GcpAttestation {
  readonly token: string;
}

/** Azure: the attested document's `signature` field (base64 DER PKCS#7), fetched with our nonce. */
export interface AzureAttestation {
  readonly signature: string;
}

/** On-premises: the one-time join token an operator created with `vmlet onboard-server join-token create`. */
export interface JoinTokenAttestation {
  readonly token: string;
}

export interface OnboardInstance {
  /** For the audit record only; never used for a decision (the VM says it, nothing signs it). */
  readonly hostname?: string;
}

interface OnboardRequestBase {
  /** From `POST /v1/challenge`. */
  readonly nonce: string;
  readonly instance?: OnboardInstance;
}

/** `POST /v1/onboard` body. */
export type OnboardRequest =
  | (OnboardRequestBase & { readonly provider: 'aws'; readonly attestation: AwsAttestation })
  | (OnboardRequestBase & { readonly provider: 'gcp'; readonly attestation: GcpAttestation })
  | (OnboardRequestBase & { readonly provider: 'azure'; readonly attestation: AzureAttestation })
  | (OnboardRequestBase & { readonly provider: 'join-token'; readonly attestation: JoinTokenAttestation });

/** The 200 answer to `POST /v1/onboard`: the files `istioctl x workload entry configure` writes, plus the token. */
export interface OnboardBundle {
  readonly group: { readonly namespace: string; readonly name: string };
  readonly serviceAccount: string;
  /** cluster.env's text. */
  readonly clusterEnv: string;
  /** mesh.yaml's text (`defaultConfig:` only, as istioctl writes it). */
  readonly meshYaml: string;
  /** root-cert.pem's text. */
  readonly rootCertPem: string;
  /** The hosts file's text (`<ip> istiod.<ns>.svc` lines). */
  readonly hosts: string;
  /** The ServiceAccount token (audience istio-ca). Secret: never logged. */
  readonly token: string;
  /** RFC 3339, as the apiserver returned it (it may shorten the requested lifetime). */
  readonly tokenExpiresAt: string;
  /** AWS only: keep it (0600) and send it on every later onboarding of this instance. Secret. */
  readonly reauthSecret?: string;
  /** The verified instance identity the service keyed this onboarding on. */
  readonly instanceId: string;
}

/** Every refusal, with the HTTP status the service answers it with. */
export const ONBOARD_REFUSALS = {
  /** The body is not an onboard request (not JSON, a field missing or of the wrong type). */
  ONBOARD_BAD_REQUEST: 400,
  /** Signature invalid, forged, re-signed or not from a trusted key/root. */
  ONBOARD_ATTESTATION_INVALID: 401,
  /** Expired or not yet valid (the reason gives both clocks: think clock skew). */
  ONBOARD_ATTESTATION_EXPIRED: 401,
  /** The GCP token's audience is not this service's. */
  ONBOARD_AUDIENCE_MISMATCH: 401,
  /** Unknown, used or expired nonce. */
  ONBOARD_NONCE_INVALID: 401,
  /** The attestation was presented before (or an AWS document without the instance's reauthSecret). */
  ONBOARD_REPLAY: 401,
  /** No policy allows this identity (deny by default). */
  ONBOARD_NO_POLICY: 403,
  /** The matching policy has onboarded its maxVMs already. */
  ONBOARD_POLICY_LIMIT: 403,
  /** Unknown, used or expired join token. */
  ONBOARD_JOIN_TOKEN_INVALID: 401,
  /** The Kubernetes API refused the TokenRequest or a read (its message is in the reason). */
  ONBOARD_KUBERNETES_REFUSED: 502,
  /** A bug or an unexpected failure in the service. */
  ONBOARD_INTERNAL: 500,
} as const;

export type OnboardRefusalCode = keyof typeof ONBOARD_REFUSALS;

export function isOnboardRefusalCode(value: unknown): value is OnboardRefusalCode {
  return typeof value === 'string' && Object.hasOwn(ONBOARD_REFUSALS, value);
}

/** The body of every non-200 answer. Never carries a token or a key. */
export interface OnboardRefusalBody {
  readonly code: OnboardRefusalCode;
  /** What was refused and why, for a person. */
  readonly reason: string;
  /** What to do about it, for a person. */
  readonly fix: string;
}

/**
 * A refusal: thrown by the service's verifiers, policies and Kubernetes client and answered as
 * `{code, reason, fix}` with the code's status; the agent rebuilds it from that body.
 */
export class OnboardRefusal extends Error {
  override readonly name = 'OnboardRefusal';
  readonly code: OnboardRefusalCode;
  readonly reason: string;
  readonly fix: string;

  constructor(code: OnboardRefusalCode, reason: string, fix: string, options?: { cause?: unknown }) {
    super(`${code}: ${reason}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.reason = reason;
    this.fix = fix;
  }

  get status(): number {
    return ONBOARD_REFUSALS[this.code];
  }

  toBody(): OnboardRefusalBody {
    return { code: this.code, reason: this.reason, fix: this.fix };
  }
}

/** Reads a refusal body (the agent side); undefined when it is not one. */
export function parseRefusalBody(value: unknown): OnboardRefusalBody | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (!isOnboardRefusalCode(v.code) || typeof v.reason !== 'string' || typeof v.fix !== 'string') return undefined;
  return { code: v.code, reason: v.reason, fix: v.fix };
}
