/**
 * What a platform verifier is (ONBOARD-SPEC.md "Verifier interface"): the service hands it the
 * request's `attestation` as received (unknown: the verifier narrows it) and a context, and gets
 * back the verified identity, or an `OnboardRefusal` thrown with the code that says why.
 *
 * The server owns what happens around a verifier: the nonce's validity and single use (checked
 * before verify is called), the replay cache keyed on `replayKey` (kept until `notAfter`, or for
 * good), AWS trust-on-first-use, policies, the TokenRequest. A verifier owns signature, trust
 * anchors, freshness of the artefact itself, audience and the nonce echo inside the artefact.
 */
import type { OnboardProvider } from '../../onboard/protocol.js';

/** The `trust` section of the server's config, validated; file paths as written in the config. */
export interface TrustConfig {
  readonly aws?: {
    /** PEM files of the AWS signing certificates (per region; rsa2048 and/or the legacy one). */
    readonly certificates: readonly string[];
  };
  readonly gcp?: {
    /** A local JWKS file (tests, air-gapped); when set, jwksUrl is not fetched. */
    readonly jwksFile?: string;
    /** Google's JWKS (https://www.googleapis.com/oauth2/v3/certs). */
    readonly jwksUrl?: string;
    /** The `iss` a token must carry (https://accounts.google.com). */
    readonly issuer: string;
    /** The longest a token may live, exp - iat, in seconds (Google's are 3600). */
    readonly maxAgeSeconds: number;
  };
  readonly azure?: {
    /** PEM files of the roots the attested document's signer must chain to. */
    readonly roots: readonly string[];
    /** The signer's SAN must be one of these or a subdomain of one (metadata.azure.com, ...). */
    readonly sanSuffixes: readonly string[];
    /** Hosts the signer's AIA "CA Issuers" URL may name, to fetch a missing intermediate (www.microsoft.com); empty or absent: never fetched. */
    readonly aiaHosts?: readonly string[];
  };
}

/** A one-time join token's record, as the service found (and consumed) it. */
export interface JoinTokenRecord {
  readonly group: { readonly namespace: string; readonly name: string };
  readonly expiresAt: Date;
  /** The Secret's name (for the audit record; never the token). */
  readonly id: string;
}

/** Where join tokens live (Secrets in joinTokenNamespace); the server implements it. */
export interface JoinTokenStore {
  /**
   * Finds the token whose SHA-256 (lowercase hex) is `tokenSha256` and consumes it (deletes its
   * Secret with a uid precondition, so two concurrent uses cannot both win). Resolves undefined
   * when there is none (unknown or already used). An expired token is consumed too and returned:
   * the verifier compares `expiresAt` with ctx.now and refuses it.
   * Rejects with OnboardRefusal ONBOARD_KUBERNETES_REFUSED when the API refuses.
   */
  consume(tokenSha256: string): Promise<JoinTokenRecord | undefined>;
}

export interface VerifyContext {
  /** The service's clock for this request (injected in tests). */
  readonly now: Date;
  /** The request's nonce, already checked by the server as issued, unexpired and unused. */
  readonly nonce: string;
  /** The service's configured audience (GCP's `aud` must equal it). */
  readonly audience: string;
  readonly trust: TrustConfig;
  /** Allowed clock difference, in seconds, for exp/iat/nbf checks (config clockSkew). */
  readonly clockSkewSeconds: number;
  /** Present for the join-token verifier. */
  readonly joinTokens?: JoinTokenStore;
}

export interface VerifiedIdentity {
  readonly provider: OnboardProvider;
  /** The identity the ledger and the policy VM counts key on (AWS instanceId, GCP instance_id, Azure vmId, join token's Secret name). */
  readonly instanceId: string;
  /** AWS accountId, GCP project_id, Azure subscriptionId; join-token: the token's group as NS/NAME. */
  readonly account: string;
  readonly region?: string;
  readonly zone?: string;
  /** The signed fields policies match on (see ONBOARD-SPEC.md). Never a secret. */
  readonly attributes: Readonly<Record<string, string>>;
  /** What must not be accepted twice (GCP: SHA-256 of the token's signed header.payload; Azure: of the signed document; AWS: accountId/region/instanceId for TOFU). */
  readonly replayKey: string;
  /** Until when the replay key must be remembered (the artefact's expiry); absent: for good. */
  readonly notAfter?: Date;
  /** AWS: the document's pendingTime (TOFU: a newer one may re-onboard without the reauthSecret). */
  readonly pendingTime?: Date;
}

export interface Verifier {
  readonly provider: OnboardProvider;
  /** Resolves the verified identity, or rejects with an OnboardRefusal (any other error is ONBOARD_INTERNAL). */
  verify(attestation: unknown, ctx: VerifyContext): Promise<VerifiedIdentity>;
}
