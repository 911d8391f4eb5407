/**
 * Platform attestation verifiers of the exchange service (server only: the VM agent never loads
 * this folder). Each turns a request's `attestation` into a VerifiedIdentity or throws an
 * OnboardRefusal; what each checks, and the trust anchors an operator configures, are in
 * docs/onboard-verification.md. They own signatures, trust anchors, the artefact's own freshness,
 * audience and nonce echo; nonce issuance, replay cache, TOFU and policies are the server's.
 */
import type { OnboardProvider } from '../../onboard/protocol.js';
import { createAwsVerifier } from './aws.js';
import { createAzureVerifier } from './azure.js';
import { createGcpVerifier, type GcpVerifierOptions } from './gcp.js';
import { createJoinTokenVerifier } from './join-token.js';
import type { Verifier } from './types.js';

export { createAwsVerifier, createAzureVerifier, createGcpVerifier, createJoinTokenVerifier, type GcpVerifierOptions };
export { checkJoinTokenRecord, joinTokenMatches, joinTokenSha256 } from './join-token.js';
export type * from './types.js';

/** One verifier per provider; keep the result for the service's life (the GCP one caches Google's keys). */
export function createVerifiers(opts: { gcp?: GcpVerifierOptions } = {}): Readonly<Record<OnboardProvider, Verifier>> {
  return Object.freeze({
    aws: createAwsVerifier(),
    gcp: createGcpVerifier(opts.gcp),
    azure: createAzureVerifier(),
    'join-token': createJoinTokenVerifier(),
  });
}
