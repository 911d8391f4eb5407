/**
 * Error codes of the configuration loader. Every problem the loader finds carries one of these
 * codes; `vmlet validate` and `vmlet run` print them all at once and exit 2 (bad input).
 */
import { registerErrors, type ErrorCatalog } from '../errors.js';

export const CONFIG_ERRORS = {
  VMLET_CONFIG_INVALID: { summary: 'The configuration has problems (each is listed with its own code); nothing was changed.', badInput: true },
  VMLET_CONFIG_FILE_MISSING: { summary: 'A configuration or Istio VM file that was asked for does not exist.', badInput: true },
  VMLET_CONFIG_FILE_UNREADABLE: { summary: 'A configuration or Istio VM file exists but cannot be read (permissions, a directory, I/O).', badInput: true },
  VMLET_CONFIG_YAML_SYNTAX: { summary: 'config.yaml or mesh.yaml is not valid YAML, or is not a mapping.', badInput: true },
  VMLET_CONFIG_UNKNOWN_KEY: { summary: 'config.yaml has a section or key vmlet does not know (often a typo).', badInput: true },
  VMLET_CONFIG_BAD_VALUE: { summary: 'A value has the wrong type or is out of range (port, duration, host:port, enum, path).', badInput: true },
  VMLET_CONFIG_CONFLICT: { summary: 'Two options contradict each other.', badInput: true },
  VMLET_CLUSTER_ENV_SYNTAX: { summary: 'cluster.env has a line that is not KEY=value with shell quoting istioctl emits.', badInput: true },
  VMLET_HOSTS_SYNTAX: { summary: 'The Istio hosts file has a line that is not `IP name...`.', badInput: true },
  VMLET_ROOT_CERT_INVALID: { summary: 'root-cert.pem is not PEM, does not parse, or is not a CA certificate.', badInput: true },
  VMLET_TOKEN_FILE_EMPTY: { summary: 'The istio-token file is empty.', badInput: true },
  VMLET_CONFIG_SECRET_READABLE: { summary: 'config.yaml holds a secret and others than its owner can read it (a warning: vmlet still starts).', badInput: true },
} as const satisfies ErrorCatalog;

export type ConfigErrorCode = keyof typeof CONFIG_ERRORS;

registerErrors(CONFIG_ERRORS);
