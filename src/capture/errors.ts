/**
 * Error codes of traffic capture (iptables rules).
 */
import { defineErrors } from '../errors.js';

export const CAPTURE_ERRORS = defineErrors({
  badInput: {
    VMLET_CAPTURE_NOT_ROOT: 'Installing or removing capture rules needs root (CAP_NET_ADMIN); run as root or set capture.enabled=false.',
  },
  retryable: {
    VMLET_CAPTURE_RESTORE_FAILED: 'iptables-restore rejected the capture payload (nothing was changed for that family); the log carries its stderr.',
    VMLET_CAPTURE_VERIFY_FAILED: 'After applying, the installed rules differ from the plan (another tool changed them at the same time?).',
  },
  other: {
    VMLET_CAPTURE_NO_BACKEND: 'No usable iptables backend (iptables-nft or iptables-legacy with -save and -restore) was found; install iptables.',
    VMLET_CAPTURE_STATE_UNREADABLE: 'The capture state file in general.stateDir exists but is not valid; it is ignored and vmlet chains are recognised by name.',
  },
});
