/**
 * Error codes of the configuration loader. Every problem the loader finds carries one of these
 * codes; `vmlet validate` and `vmlet run` print them all at once and exit 2 (bad input).
 */
import { defineErrors } from '../errors.js';

export const CONFIG_ERRORS = defineErrors({
  badInput: {
    VMLET_CONFIG_INVALID: 'The configuration has problems (each is listed with its own code); nothing was changed.',
    VMLET_CONFIG_FILE_MISSING: 'A configuration or Istio VM file that was asked for does not exist.',
    VMLET_CONFIG_FILE_UNREADABLE: 'A configuration or Istio VM file exists but cannot be read (permissions, a directory, I/O).',
    VMLET_CONFIG_YAML_SYNTAX: 'config.yaml or mesh.yaml is not valid YAML, or is not a mapping.',
    VMLET_CONFIG_UNKNOWN_KEY: 'config.yaml has a section or key vmlet does not know (often a typo).',
    VMLET_CONFIG_BAD_VALUE: 'A value has the wrong type or is out of range (port, duration, host:port, enum, path).',
    VMLET_CONFIG_CONFLICT: 'Two options contradict each other.',
    VMLET_CLUSTER_ENV_SYNTAX: 'cluster.env has a line that is not KEY=value with shell quoting istioctl emits.',
    VMLET_HOSTS_SYNTAX: 'The Istio hosts file has a line that is not `IP name...`.',
    VMLET_ROOT_CERT_INVALID: 'root-cert.pem is not PEM, does not parse, or is not a CA certificate.',
    VMLET_TOKEN_FILE_EMPTY: 'The istio-token file is empty.',
    VMLET_CONFIG_SECRET_READABLE: 'config.yaml holds a secret and others than its owner can read it (a warning: vmlet still starts).',
  },
});

export type ConfigErrorCode = keyof typeof CONFIG_ERRORS;
