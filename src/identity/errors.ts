/**
 * Error codes of the workload identity (token pre-flight, istiod's CA, the certificate store).
 */
import { defineErrors } from '../errors.js';

export const IDENTITY_ERRORS = defineErrors({
  badInput: {
    VMLET_TOKEN_MISSING: 'No valid certificate and no istio-token file: vmlet cannot authenticate to istiod.',
    VMLET_TOKEN_MALFORMED: 'The istio-token is not a JWT (three base64url parts with a JSON payload).',
    VMLET_TOKEN_EXPIRED: 'The istio-token has expired: mint a new one (kubectl create token) or re-run istioctl.',
    VMLET_TOKEN_NOT_YET_VALID: "The istio-token's nbf is in the future (clock skew?).",
    VMLET_TOKEN_WRONG_AUDIENCE: "The istio-token's aud does not contain identity.tokenAudience (istio-ca).",
    VMLET_TOKEN_WRONG_SUBJECT: "The istio-token's sub is not system:serviceaccount:<ns>:<sa> for the configured namespace and service account.",
  },
  retryable: {
    VMLET_CA_UNAVAILABLE: "istiod's CA could not be reached or did not answer in time (retried with backoff).",
    VMLET_CA_TLS: "TLS to istiod failed: root-cert.pem does not match istiod's certificate, or the server name is wrong.",
    VMLET_CA_UNAUTHENTICATED: 'istiod rejected the credentials (token not accepted, client certificate not trusted).',
    VMLET_CA_REJECTED: 'istiod rejected the certificate request (INVALID_ARGUMENT: bad CSR or TTL above its maximum).',
    VMLET_CA_BAD_CHAIN: "istiod's answer is not a usable chain (one element, unparsable leaf, or a leaf not for our key).",
    VMLET_IDENTITY_STORE_UNWRITABLE: 'The identity store directory cannot be created or written (permissions, read-only, full disk).',
  },
});
