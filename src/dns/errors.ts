/** Error codes of the DNS proxy (src/dns). */
import { registerErrors, type ErrorCatalog } from '../errors.js';

export const DNS_ERRORS = {
  VMLET_DNS_LISTEN_FAILED: { summary: 'The DNS proxy could not listen on dns.address:dns.port (UDP or TCP), usually because another resolver (pilot-agent?) holds it.' },
  VMLET_DNS_TABLE_INVALID: { summary: "istiod's NameTable did not decode; it was NACKed and the last good table is still answering." },
  VMLET_DNS_RESOLVED_UNAVAILABLE: { summary: 'dns.mode resolved was chosen but systemd-resolved routing could not be set up; use dns.mode capture or off, or start systemd-resolved.' },
  VMLET_DNS_AGENT_UNREACHABLE: { summary: '`vmlet dns lookup` reached neither the running agent (status server) nor its DNS proxy; is vmlet running with DNS on?' },
} as const satisfies ErrorCatalog;

registerErrors(DNS_ERRORS);
