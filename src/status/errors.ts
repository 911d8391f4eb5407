/**
 * Error codes of the local status server and `vmlet status`.
 */
import { defineErrors } from '../errors.js';

export const STATUS_ERRORS = defineErrors({
  badInput: {
    VMLET_STATUS_NON_LOOPBACK: 'general.statusAddress is not loopback and general.allowNonLoopback is not set.',
  },
  retryable: {
    VMLET_STATUS_LISTEN_FAILED: 'The status server could not listen on general.statusAddress:statusPort (in use? another vmlet?).',
    VMLET_STATUS_UNREACHABLE: '`vmlet status` could not reach the status server: is `vmlet run` running, on this port?',
  },
});
