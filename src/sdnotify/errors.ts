/**
 * Error codes of systemd notification.
 */
import { defineErrors } from '../errors.js';

export const SDNOTIFY_ERRORS = defineErrors({
  retryable: {
    VMLET_SDNOTIFY_FAILED: 'systemd-notify could not deliver a message to the service manager (see the log for its output).',
  },
  other: {
    VMLET_SDNOTIFY_UNAVAILABLE: 'NOTIFY_SOCKET is set but the systemd-notify program was not found (install systemd, or check PATH).',
  },
});
