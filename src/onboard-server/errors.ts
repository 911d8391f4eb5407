/**
 * The exchange service's own failures (`vmlet onboard-server`), as opposed to the refusals it
 * answers VMs with (ONBOARD_* in src/onboard/protocol.ts): these end the command.
 */
import { defineErrors } from '../errors.js';

export const ONBOARD_SERVER_ERRORS = defineErrors({
  badInput: {
    VMLET_ONBOARD_SERVER_CONFIG_INVALID: 'The onboard-server configuration file is unreadable or wrong (the message names file, key and line); nothing was started.',
    VMLET_ONBOARD_SERVER_STATE_INVALID: 'The onboard-server stateFile exists but is not a ledger this version wrote; move it away (its nonces, replay cache, TOFU records and VM counts are then lost).',
    VMLET_ONBOARD_KUBECONFIG_INVALID: 'The kubeconfig (or the in-cluster service account files) the onboard-server uses is missing or incomplete.',
  },
  retryable: {
    VMLET_ONBOARD_KUBE_FAILED: "A Kubernetes API call of `vmlet onboard-server join-token create` failed (unreachable, or refused: the message has the apiserver's reason).",
  },
  other: {
    VMLET_ONBOARD_SERVER_LISTEN_FAILED: 'The onboard-server could not listen on `listen` or `metricsListen` (port in use, or not allowed).',
  },
});
