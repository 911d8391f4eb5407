import { isIP } from 'node:net';
import { defineSection, f, type SectionProblem } from '../field.js';

/** A port list that may also be `*` (ISTIO_INBOUND_PORTS, ISTIO_SERVICE_CIDR use `*` for "all"). */
function isPort(s: string): boolean {
  return /^\d+$/.test(s) && Number(s) >= 1 && Number(s) <= 65535;
}

/** `a.b.c.d[/n]` or an IPv6 address with an optional prefix length. */
export function isCidr(s: string): boolean {
  const [addr, len, ...rest] = s.split('/');
  if (rest.length > 0 || addr === undefined) return false;
  const fam = isIP(addr);
  if (fam === 0) return false;
  if (len === undefined) return true;
  return /^\d+$/.test(len) && Number(len) <= (fam === 4 ? 32 : 128);
}

/** iptables traffic capture (owner: capture). Keys mirror what istio-start.sh passes to istio-iptables. */
export const captureSection = defineSection('capture', 'iptables traffic capture (REDIRECT mode, Istio chain names)', {
  enabled: f.bool({
    doc: 'Install the capture rules at start (needs root). false: Envoy runs without capture.',
    default: true,
    env: ['VMLET_CAPTURE_ENABLED'],
  }),
  customIptables: f.bool({
    doc: 'The operator manages iptables; vmlet installs no capture rules (as istio-start.sh skips istio-iptables).',
    default: false,
    env: ['ISTIO_CUSTOM_IP_TABLES'],
    clusterEnv: ['ISTIO_CUSTOM_IP_TABLES'],
  }),
  inboundPorts: f.stringList({
    doc: 'Inbound TCP ports redirected to 15006: a comma list, or `*` for all. Empty: no inbound capture.',
    default: [],
    env: ['ISTIO_INBOUND_PORTS'],
    clusterEnv: ['ISTIO_INBOUND_PORTS'],
  }),
  localExcludePorts: f.intList({
    doc: 'Inbound ports never captured when inboundPorts is `*`.',
    default: [],
    env: ['ISTIO_LOCAL_EXCLUDE_PORTS'],
    clusterEnv: ['ISTIO_LOCAL_EXCLUDE_PORTS'],
  }),
  serviceCidr: f.stringList({
    doc: 'Outbound destinations redirected to 15001: CIDRs, or `*` for all. Empty: no outbound capture.',
    default: [],
    env: ['ISTIO_SERVICE_CIDR'],
    clusterEnv: ['ISTIO_SERVICE_CIDR'],
  }),
  serviceExcludeCidr: f.stringList({
    doc: 'Outbound destinations (CIDRs, IPv4 and IPv6 mixed) never captured.',
    default: [],
    env: ['ISTIO_SERVICE_EXCLUDE_CIDR'],
    clusterEnv: ['ISTIO_SERVICE_EXCLUDE_CIDR'],
  }),
  outboundPorts: f.intList({
    doc: 'Outbound TCP destination ports always redirected to 15001.',
    default: [],
    env: ['ISTIO_OUTBOUND_PORTS'],
    clusterEnv: ['ISTIO_OUTBOUND_PORTS'],
  }),
  localOutboundPortsExclude: f.intList({
    doc: 'Outbound destination ports (TCP and UDP) never captured.',
    default: [],
    env: ['ISTIO_LOCAL_OUTBOUND_PORTS_EXCLUDE'],
    clusterEnv: ['ISTIO_LOCAL_OUTBOUND_PORTS_EXCLUDE'],
  }),
  dnsCapture: f.bool({
    doc: 'Redirect DNS (port 53) to the resolv.conf nameservers to the DNS proxy (dns.port).',
    default: false,
    env: ['ISTIO_META_DNS_CAPTURE', 'REDIRECT_DNS'],
    clusterEnv: ['ISTIO_META_DNS_CAPTURE', 'REDIRECT_DNS'],
  }),
  interceptionMode: f.string({
    doc: 'Inbound interception mode. Only REDIRECT is supported; TPROXY is refused.',
    default: 'REDIRECT',
    defaultReason: 'TPROXY needs policy routing and Envoy as root; vmlet does not implement it',
    env: ['ISTIO_INBOUND_INTERCEPTION_MODE'],
    clusterEnv: ['ISTIO_INBOUND_INTERCEPTION_MODE'],
  }),
  proxyUser: f.string({
    doc: "User whose uid (and, unless proxyGid is set, the same number as gid) is exempt from capture. Empty: envoy.runAsUser.",
    env: ['ENVOY_USER'],
    clusterEnv: ['ENVOY_USER'],
  }),
  proxyUid: f.stringList({
    doc: 'Uids exempt from capture (comma list). Default: the uid of proxyUser, else 1337.',
    env: ['PROXY_UID'],
    clusterEnv: ['PROXY_UID'],
  }),
  proxyGid: f.stringList({
    doc: 'Gids exempt from capture (comma list). Default: the proxy uid numbers, as istio-iptables does.',
    env: ['PROXY_GID'],
    clusterEnv: ['PROXY_GID'],
  }),
  ipv6: f.enumOf(['auto', 'true', 'false'] as const, {
    doc: 'IPv6 rules: auto (when the host has a global IPv6 address), true, or false.',
    default: 'auto',
    env: ['VMLET_CAPTURE_IPV6', 'ISTIO_DUAL_STACK'],
    clusterEnv: ['ISTIO_DUAL_STACK'],
  }),
  backend: f.enumOf(['auto', 'nft', 'legacy'] as const, {
    doc: 'iptables backend: auto (the one already holding rules, else nft), nft or legacy.',
    default: 'auto',
    env: ['VMLET_CAPTURE_BACKEND', 'FORCE_IPTABLES_BINARY'],
  }),
  keepOnRestart: f.bool({
    doc: 'Keep the rules when vmlet stops on a signal, so a restart opens no bypass window (captured traffic fails while vmlet is down).',
    default: false,
    defaultReason: 'an explicit stop leaves a working host; a crash always keeps the rules (fail closed)',
    env: ['VMLET_CAPTURE_KEEP_ON_RESTART'],
  }),
  repairInterval: f.duration({
    doc: 'How often the installed rules are checked and repaired after drift (iptables -F, a firewall reload) (ms).',
    default: 30_000,
    env: ['VMLET_CAPTURE_REPAIR_INTERVAL'],
  }),
  failurePolicy: f.enumOf(['fail-closed', 'fail-open'] as const, {
    doc: 'When Envoy has not been ready for failOpenGrace: fail-closed keeps capture (connections fail), fail-open lifts outbound capture until Envoy is ready again.',
    default: 'fail-closed',
    defaultReason: "Istio's behaviour: traffic never bypasses the mesh's policy and mTLS",
    env: ['VMLET_CAPTURE_FAILURE_POLICY'],
  }),
  failOpenGrace: f.duration({
    doc: 'With failurePolicy fail-open: how long Envoy may be unready (also at start) before outbound capture is lifted (ms).',
    default: 60_000,
    env: ['VMLET_CAPTURE_FAIL_OPEN_GRACE'],
  }),
  sshExempt: f.bool({
    doc: 'Inbound SSH (port 22) is never captured, whatever inboundPorts says.',
    default: true,
    defaultReason: 'safety: a broken sidecar must not lock operators out',
    env: ['VMLET_CAPTURE_SSH_EXEMPT'],
  }),
  metadataExempt: f.bool({
    doc: 'Outbound traffic to the cloud metadata addresses (169.254.169.254, fd00:ec2::254) is never captured.',
    default: true,
    defaultReason: 'safety: instance credentials and boot scripts must keep working without Envoy',
    env: ['VMLET_CAPTURE_METADATA_EXEMPT'],
  }),
  istiodExempt: f.bool({
    doc: "vmlet's own (root) TCP traffic to istiod's address is never captured.",
    default: true,
    defaultReason: 'vmlet fetches certificates before Envoy runs; capturing it would deadlock the start',
    env: ['VMLET_CAPTURE_ISTIOD_EXEMPT'],
  }),
}, {
  check(v) {
    const out: SectionProblem[] = [];
    const mode = v.interceptionMode.trim().toUpperCase();
    if (mode === 'TPROXY') {
      out.push({ key: 'interceptionMode', message: 'TPROXY interception is not supported by vmlet', hint: 'remove ISTIO_INBOUND_INTERCEPTION_MODE=TPROXY (REDIRECT keeps the same capture; only the source address seen by the app differs)' });
    }
    const badPorts = v.inboundPorts.filter((p) => p !== '*' && !isPort(p));
    if (badPorts.length > 0 || (v.inboundPorts.includes('*') && v.inboundPorts.length > 1)) {
      out.push({ key: 'inboundPorts', message: `${JSON.stringify(v.inboundPorts.join(','))} is not "*" or a list of ports 1..65535`, hint: 'use "*" or e.g. 8080,9090' });
    }
    const badCidr = v.serviceCidr.filter((c) => c !== '*' && !isCidr(c));
    if (badCidr.length > 0 || (v.serviceCidr.includes('*') && v.serviceCidr.length > 1)) {
      out.push({ key: 'serviceCidr', message: `${JSON.stringify(v.serviceCidr.join(','))} is not "*" or a list of CIDRs`, hint: 'use "*" or e.g. 10.0.0.0/8,fd00::/8' });
    }
    const badEx = v.serviceExcludeCidr.filter((c) => !isCidr(c));
    if (badEx.length > 0) {
      out.push({ key: 'serviceExcludeCidr', message: `${badEx.map((c) => JSON.stringify(c)).join(', ')} ${badEx.length > 1 ? 'are not CIDRs' : 'is not a CIDR'} ("*" is not allowed here)`, hint: 'use CIDRs such as 10.0.0.0/8 or 2001:db8::/32' });
    }
    for (const key of ['proxyUid', 'proxyGid'] as const) {
      const list = v[key];
      if (list !== undefined && list.some((x) => !/^\d+$/.test(x))) {
        out.push({ key, message: `${JSON.stringify(list.join(','))} is not a list of numeric ids`, hint: 'use numbers, e.g. 998 or 998,999' });
      }
    }
    return out;
  },
});
