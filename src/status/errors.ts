/**
 * Error codes of the local status server and `vmlet status`.
 */
import { registerErrors, type ErrorCatalog } from '../errors.js';

export const STATUS_ERRORS = {
  VMLET_STATUS_LISTEN_FAILED: { summary: 'The status server could not listen on general.statusAddress:statusPort (in use? another vmlet?).', retryable: true },
  VMLET_STATUS_NON_LOOPBACK: { summary: 'general.statusAddress is not loopback and general.allowNonLoopback is not set.', badInput: true },
  VMLET_STATUS_UNREACHABLE: { summary: '`vmlet status` could not reach the status server: is `vmlet run` running, on this port?', retryable: true },
} as const satisfies ErrorCatalog;

registerErrors(STATUS_ERRORS);
