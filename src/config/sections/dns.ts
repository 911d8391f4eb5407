import { isIP } from 'node:net';
import { defineSection, f, type SectionProblem } from '../field.js';
import { isLoopbackAddress } from './general.js';

/**
 * `IP`, `IP:port` or `[IPv6]:port`: an upstream resolver. Names are refused: resolving the
 * resolver would need a resolver.
 */
export function parseUpstream(s: string): { address: string; port: number } | undefined {
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(s);
  if (v6) return isIP(v6[1] as string) === 6 ? withPort(v6[1] as string, v6[2]) : undefined;
  if (isIP(s) !== 0) return { address: s, port: 53 };
  const v4 = /^([0-9.]+):(\d+)$/.exec(s);
  return v4 && isIP(v4[1] as string) === 4 ? withPort(v4[1] as string, v4[2]) : undefined;
}

function withPort(address: string, port: string | undefined): { address: string; port: number } | undefined {
  const n = port === undefined ? 53 : Number(port);
  return n >= 1 && n <= 65535 ? { address, port: n } : undefined;
}

/** The local DNS proxy (owner: dns). On only when DNS capture is asked for, as pilot-agent's. */
/** pilot-agent's DNS proxy port, the one Istio's capture rules redirect port 53 to: dns.port's default. */
export const DNS_PROXY_PORT = 15053;

export const dnsSection = defineSection('dns', "The local DNS proxy (mesh names from istiod's name table, the rest forwarded)", {
  mode: f.enumOf(['auto', 'capture', 'resolved', 'off'] as const, {
    doc: 'How queries reach the proxy when capture.dnsCapture (ISTIO_META_DNS_CAPTURE) asks for DNS: capture (iptables redirects port 53 of the resolv.conf nameservers, as Istio), resolved (systemd-resolved sends only mesh domains; port 53 is left alone), auto (resolved when /etc/resolv.conf names the 127.0.0.53 stub and systemd-resolved runs, else capture), or off (no DNS proxy).',
    default: 'auto',
    defaultReason: "Istio's capture where it is safe; on systemd-resolved hosts, routing domains keep the host's own DNS working when vmlet is down",
    env: ['VMLET_DNS_MODE'],
  }),
  address: f.string({
    doc: 'Loopback address the DNS proxy listens on (UDP and TCP).',
    default: '127.0.0.1',
    defaultReason: "pilot-agent's DNS_PROXY_ADDR (localhost:15053)",
    env: ['VMLET_DNS_ADDRESS'],
  }),
  port: f.port({
    doc: 'Port the DNS proxy listens on (UDP and TCP); capture redirects port 53 here. 0 picks a free port (tests; not with mode capture).',
    default: DNS_PROXY_PORT,
    defaultReason: "pilot-agent's DNS port, which Istio's capture rules redirect to",
    env: ['VMLET_DNS_PORT'],
  }),
  upstreams: f.stringList({
    doc: 'Resolvers for names not in the mesh (IP, IP:port or [IPv6]:port). Empty: the nameservers of /etc/resolv.conf, or of /run/systemd/resolve/resolv.conf when resolv.conf names the 127.0.0.53 stub.',
    default: [],
    env: ['VMLET_DNS_UPSTREAMS'],
  }),
  queryTimeout: f.duration({
    doc: 'How long one upstream query may take before the next upstream is tried; when all fail the client gets SERVFAIL (ms).',
    default: 5_000,
    defaultReason: "pilot-agent's DNS_FORWARD_TIMEOUT",
    env: ['VMLET_DNS_QUERY_TIMEOUT', 'DNS_FORWARD_TIMEOUT'],
    clusterEnv: ['DNS_FORWARD_TIMEOUT'],
  }),
}, {
  check(v) {
    const out: SectionProblem[] = [];
    if (!isLoopbackAddress(v.address)) {
      out.push({ key: 'address', message: `${JSON.stringify(v.address)} is not a loopback IP address`, hint: 'use 127.0.0.1 (the DNS proxy answers only this host)' });
    }
    const bad = v.upstreams.filter((u) => parseUpstream(u) === undefined);
    if (bad.length > 0) {
      out.push({ key: 'upstreams', message: `${bad.map((u) => JSON.stringify(u)).join(', ')} ${bad.length > 1 ? 'are not' : 'is not'} IP, IP:port or [IPv6]:port`, hint: 'give resolver IP addresses, e.g. 10.0.0.2 or 10.0.0.2:5353 (names cannot be resolved before DNS works)' });
    }
    if (v.queryTimeout <= 0) out.push({ key: 'queryTimeout', message: 'must be longer than 0', hint: 'use e.g. 5s' });
    if (v.port === 0 && v.mode === 'capture') {
      out.push({ key: 'port', message: '0 (a free port) cannot be used with mode capture: the capture rules need a fixed port', hint: `use ${DNS_PROXY_PORT}, or another fixed port` });
    }
    return out;
  },
});
