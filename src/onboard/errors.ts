/**
 * Error codes of vmlet's side of onboarding (src/onboard/agent): the metadata service, the
 * exchange service's answers (each ONBOARD_* refusal mapped to one code an operator acts on),
 * and writing the bundle. Local configuration problems are bad input (exit 2); everything the
 * service or the cloud decides is retried with backoff by `vmlet run`, since an operator can fix
 * it on the other side (add a policy, raise a limit, sync a clock) without touching the VM.
 */
import { defineErrors } from '../errors.js';

export const ONBOARD_ERRORS = defineErrors({
  badInput: {
    VMLET_ONBOARD_JOIN_TOKEN_MISSING: 'onboarding.provider is join-token and onboarding.joinTokenFile does not exist, cannot be read, or is empty.',
    VMLET_ONBOARD_JOIN_TOKEN_PERMISSIONS: 'onboarding.joinTokenFile can be read by others than its owner (a join token is a secret: chmod 0600).',
    VMLET_ONBOARD_CA_FILE: 'onboarding.caFile cannot be read or holds no PEM certificate.',
  },
  retryable: {
    VMLET_ONBOARD_METADATA_UNREACHABLE: "The cloud metadata service did not answer (IMDSv2 hop limit in a container, IMDS disabled, a proxy, not on that cloud).",
    VMLET_ONBOARD_METADATA_REFUSED: 'The cloud metadata service answered with an error or an unusable document (GCP: no service account attached; AWS: IMDS token refused).',
    VMLET_ONBOARD_SERVICE_UNREACHABLE: 'The exchange service at onboarding.url could not be reached or did not answer in onboarding.timeout.',
    VMLET_ONBOARD_TLS: "TLS to the exchange service failed: its certificate is not signed by onboarding.caFile, does not name the URL's host, or is outside its validity (clock?).",
    VMLET_ONBOARD_POLICY_REFUSED: "No onboarding policy allows this VM, or the matching policy's VM limit is reached (the service's reason says which).",
    VMLET_ONBOARD_CLOCK_SKEW: "The service found the attestation expired or not yet valid: this VM's clock or the service's is off.",
    VMLET_ONBOARD_REPLAY: 'The service saw this attestation before (AWS: the instance was onboarded and its reauth secret is lost).',
    VMLET_ONBOARD_NONCE_INVALID: "The service did not accept the challenge nonce (expired, used, or the service restarted): retried with a new one.",
    VMLET_ONBOARD_AUDIENCE_MISMATCH: "The identity token's audience is not the service's (onboarding.audience vs the service's audience).",
    VMLET_ONBOARD_ATTESTATION_REFUSED: "The service could not verify the platform attestation (signature, trust anchors, wrong cloud account shape).",
    VMLET_ONBOARD_JOIN_TOKEN_REFUSED: 'The service refused the join token: unknown, already used or expired (create a new one).',
    VMLET_ONBOARD_KUBERNETES_REFUSED: "Kubernetes refused the service's TokenRequest or reads (RBAC, missing ServiceAccount or WorkloadGroup).",
    VMLET_ONBOARD_SERVICE_ERROR: 'The exchange service failed (internal error, bad request, or an answer that is not its protocol).',
    VMLET_ONBOARD_BAD_BUNDLE: 'The exchange service answered 200 with a bundle that lacks a file or a token.',
    VMLET_ONBOARD_WRITE_FAILED: 'The bundle could not be written where the Istio VM files go (permissions, read-only, full disk).',
  },
});

export type OnboardErrorCode = keyof typeof ONBOARD_ERRORS;
