/**
 * Error codes of the Envoy sidecar (bootstrap, supervisor, admin API, drain).
 */
import { registerErrors, type ErrorCatalog } from '../errors.js';

export const ENVOY_ERRORS = {
  VMLET_ENVOY_USER_UNKNOWN: { summary: 'envoy.runAsUser names a user that does not exist on this host (create istio-proxy, or set envoy.runAsUser).', badInput: true },
  VMLET_ENVOY_USER_SWITCH: { summary: "vmlet is not root, so it cannot start Envoy as envoy.runAsUser; run vmlet as root (the systemd unit does) or set envoy.runAsUser to '' to keep vmlet's own user.", badInput: true },
  VMLET_ENVOY_START_FAILED: { summary: 'Envoy could not be started (binary missing or not executable at envoy.binaryPath, or the bootstrap could not be written).', retryable: true },
  VMLET_ENVOY_EXITED: { summary: 'Envoy exited while it should have been running; vmlet restarts it with backoff (see its log lines, component envoy).', retryable: true },
  VMLET_ENVOY_ADMIN_FAILED: { summary: "A call to Envoy's admin API (127.0.0.1:envoy.adminPort) failed or answered with an error.", retryable: true },
  VMLET_ENVOY_VERSION_MISMATCH: { summary: "`envoy --version` does not match ISTIO_VERSION in the node metadata (a warning: istiod generates config for ISTIO_VERSION)." },
} as const satisfies ErrorCatalog;

registerErrors(ENVOY_ERRORS);
