/**
 * Error codes of traffic capture (iptables rules).
 */
import { registerErrors, type ErrorCatalog } from '../errors.js';

export const CAPTURE_ERRORS = {
  VMLET_CAPTURE_NOT_ROOT: { summary: 'Installing or removing capture rules needs root (CAP_NET_ADMIN); run as root or set capture.enabled=false.', badInput: true },
  VMLET_CAPTURE_NO_BACKEND: { summary: 'No usable iptables backend (iptables-nft or iptables-legacy with -save and -restore) was found; install iptables.' },
  VMLET_CAPTURE_RESTORE_FAILED: { summary: 'iptables-restore rejected the capture payload (nothing was changed for that family); the log carries its stderr.', retryable: true },
  VMLET_CAPTURE_VERIFY_FAILED: { summary: 'After applying, the installed rules differ from the plan (another tool changed them at the same time?).', retryable: true },
  VMLET_CAPTURE_STATE_UNREADABLE: { summary: 'The capture state file in general.stateDir exists but is not valid; it is ignored and vmlet chains are recognised by name.' },
} as const satisfies ErrorCatalog;

registerErrors(CAPTURE_ERRORS);
