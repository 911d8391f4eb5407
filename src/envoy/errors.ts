/**
 * Error codes of the Envoy sidecar (bootstrap, supervisor, admin API, drain).
 */
import { defineErrors } from '../errors.js';

export const ENVOY_ERRORS = defineErrors({
  badInput: {
    VMLET_ENVOY_USER_UNKNOWN: 'envoy.runAsUser names a user that does not exist on this host (create istio-proxy, or set envoy.runAsUser).',
    VMLET_ENVOY_USER_SWITCH: "vmlet is not root, so it cannot start Envoy as envoy.runAsUser; run vmlet as root (the systemd unit does) or set envoy.runAsUser to '' to keep vmlet's own user.",
  },
  retryable: {
    VMLET_ENVOY_START_FAILED: 'Envoy could not be started (binary missing or not executable at envoy.binaryPath, or the bootstrap could not be written).',
    VMLET_ENVOY_EXITED: 'Envoy exited while it should have been running; vmlet restarts it with backoff (see its log lines, component envoy).',
    VMLET_ENVOY_ADMIN_FAILED: "A call to Envoy's admin API (127.0.0.1:envoy.adminPort) failed or answered with an error.",
  },
  other: {
    VMLET_ENVOY_VERSION_MISMATCH: "`envoy --version` does not match ISTIO_VERSION in the node metadata (a warning: istiod generates config for ISTIO_VERSION).",
  },
});
