/**
 * Error codes of the workload identity (token pre-flight, istiod's CA, the certificate store).
 */
import { registerErrors, type ErrorCatalog } from '../errors.js';

export const IDENTITY_ERRORS = {
  VMLET_TOKEN_MISSING: { summary: 'No valid certificate and no istio-token file: vmlet cannot authenticate to istiod.', badInput: true },
  VMLET_TOKEN_MALFORMED: { summary: 'The istio-token is not a JWT (three base64url parts with a JSON payload).', badInput: true },
  VMLET_TOKEN_EXPIRED: { summary: 'The istio-token has expired: mint a new one (kubectl create token) or re-run istioctl.', badInput: true },
  VMLET_TOKEN_NOT_YET_VALID: { summary: "The istio-token's nbf is in the future (clock skew?).", badInput: true },
  VMLET_TOKEN_WRONG_AUDIENCE: { summary: "The istio-token's aud does not contain identity.tokenAudience (istio-ca).", badInput: true },
  VMLET_TOKEN_WRONG_SUBJECT: { summary: "The istio-token's sub is not system:serviceaccount:<ns>:<sa> for the configured namespace and service account.", badInput: true },
  VMLET_CA_UNAVAILABLE: { summary: "istiod's CA could not be reached or did not answer in time (retried with backoff).", retryable: true },
  VMLET_CA_TLS: { summary: "TLS to istiod failed: root-cert.pem does not match istiod's certificate, or the server name is wrong.", retryable: true },
  VMLET_CA_UNAUTHENTICATED: { summary: 'istiod rejected the credentials (token not accepted, client certificate not trusted).', retryable: true },
  VMLET_CA_REJECTED: { summary: 'istiod rejected the certificate request (INVALID_ARGUMENT: bad CSR or TTL above its maximum).', retryable: true },
  VMLET_CA_BAD_CHAIN: { summary: "istiod's answer is not a usable chain (one element, unparsable leaf, or a leaf not for our key).", retryable: true },
  VMLET_IDENTITY_STORE_UNWRITABLE: { summary: 'The identity store directory cannot be created or written (permissions, read-only, full disk).', retryable: true },
} as const satisfies ErrorCatalog;

registerErrors(IDENTITY_ERRORS);
