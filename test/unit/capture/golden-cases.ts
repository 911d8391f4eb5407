/**
 * The option sets the builder's golden files pin (test/golden/capture/<name>.golden). Each file is
 * what `vmlet capture plan` prints on a clean host: the IPv4 payload, then the IPv6 one.
 */
import { baseOptions, type CaptureOptions } from '../../../src/capture/options.js';

/** cluster.env as istioctl writes it (reference §2.4): inbound *, excludes, all outbound, DNS, uid 998. */
const istioctl: Partial<CaptureOptions> = {
  inboundPorts: '*',
  localExcludePorts: [22, 15090, 15021, 15020],
  serviceCidrs: '*',
  dnsCapture: true,
  dnsServers: ['127.0.0.53'],
  proxyUids: [998],
  proxyGids: [998],
};

export const GOLDEN_CASES: Record<string, CaptureOptions> = {
  // Safety defaults off: must capture exactly what istio-iptables captures for §2.4's inputs.
  'istio-equivalent': baseOptions({ ...istioctl, sshExempt: false, metadataExempt: false }),
  // The same inputs with vmlet's defaults: metadata and root → istiod exempt (22 is already excluded).
  'vm-defaults': baseOptions({ ...istioctl, istiod: [{ ip: '10.0.0.10', port: 15012 }] }),
  'empty': baseOptions(),
  'inbound-ports-list': baseOptions({ inboundPorts: [32000, 31000] }),
  'inbound-ports-list-ssh-dropped': baseOptions({ inboundPorts: [22, 8080] }),
  'inbound-ports-list-ssh-captured': baseOptions({ inboundPorts: [22, 8080], sshExempt: false }),
  'inbound-wildcard-ssh-added': baseOptions({ inboundPorts: '*', localExcludePorts: [15020] }),
  'outbound-ports': baseOptions({ outboundPorts: [32000, 31000] }),
  'service-cidrs': baseOptions({ serviceCidrs: ['10.0.0.0/8', '9.9.1.1/16'] }),
  'exclude-cidrs-dual-stack': baseOptions({ ipv6: true, serviceCidrs: '*', excludeCidrs: ['1.1.0.0/16', '2001:DB8::/32', '10.1.2.3'] }),
  'uid-gid-lists': baseOptions({ serviceCidrs: '*', proxyUids: [3, 4], proxyGids: [1, 2] }),
  'local-outbound-ports-exclude': baseOptions({ serviceCidrs: '*', localOutboundPortsExclude: [5432, 6379] }),
  'dns-dual-stack': baseOptions({ ipv6: true, serviceCidrs: '*', dnsCapture: true, dnsServers: ['127.0.0.53', '::127.0.0.53'], proxyUids: [3, 4], proxyGids: [1, 2] }),
  'dns-without-servers': baseOptions({ serviceCidrs: '*', dnsCapture: true, dnsServers: [] }),
  'loopback-service-cidr': baseOptions({ serviceCidrs: ['127.1.2.3/32'] }),
  'istiod-dual-stack': baseOptions({ ipv6: true, serviceCidrs: '*', istiod: [{ ip: '10.0.0.10', port: 15012 }, { ip: 'fd00::10', port: 15012 }] }),
  'metadata-not-exempt': baseOptions({ serviceCidrs: '*', metadataExempt: false }),
};
