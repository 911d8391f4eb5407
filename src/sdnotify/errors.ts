/**
 * Error codes of systemd notification.
 */
import { registerErrors, type ErrorCatalog } from '../errors.js';

export const SDNOTIFY_ERRORS = {
  VMLET_SDNOTIFY_UNAVAILABLE: { summary: 'NOTIFY_SOCKET is set but the systemd-notify program was not found (install systemd, or check PATH).' },
  VMLET_SDNOTIFY_FAILED: { summary: 'systemd-notify could not deliver a message to the service manager (see the log for its output).', retryable: true },
} as const satisfies ErrorCatalog;

registerErrors(SDNOTIFY_ERRORS);
