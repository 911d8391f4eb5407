/** Error codes of the DNS proxy (src/dns). */
import { defineErrors } from '../errors.js';

export const DNS_ERRORS = defineErrors({
  other: {
    VMLET_DNS_LISTEN_FAILED: 'The DNS proxy could not listen on dns.address:dns.port (UDP or TCP), usually because another resolver (pilot-agent?) holds it.',
    VMLET_DNS_TABLE_INVALID: "istiod's NameTable did not decode; it was NACKed and the last good table is still answering.",
    VMLET_DNS_RESOLVED_UNAVAILABLE: 'dns.mode resolved was chosen but systemd-resolved routing could not be set up; use dns.mode capture or off, or start systemd-resolved.',
    VMLET_DNS_AGENT_UNREACHABLE: '`vmlet dns lookup` reached neither the running agent (status server) nor its DNS proxy; is vmlet running with DNS on?',
  },
});
