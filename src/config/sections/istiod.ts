import { defineSection, f, type SectionProblem } from '../field.js';

/** How vmlet reaches istiod: addresses, TLS root and server name, headers (owner: identity). */
export const istiodSection = defineSection('istiod', 'How vmlet reaches istiod: addresses, TLS root and server name, headers', {
  caAddress: f.hostport({
    doc: "istiod's CA endpoint (host:port); the TLS root is the Istio root-cert.pem.",
    default: 'istiod.istio-system.svc:15012',
    defaultReason: "ProxyConfig discoveryAddress default; istio-start.sh's CA_ADDR",
    env: ['CA_ADDR'],
    clusterEnv: ['CA_ADDR'],
    mesh: 'defaultConfig.discoveryAddress',
  }),
  serverName: f.string({
    doc: "TLS server name checked in istiod's certificate (and sent as SNI). Empty: the host of caAddress, or istiod.istio-system.svc when that host contains localhost. Set it when dialling an IP.",
    default: '',
    defaultReason: "pilot-agent's rule (a localhost host becomes istiod.istio-system.svc)",
    env: ['VMLET_ISTIOD_SERVER_NAME'],
  }),
  clusterId: f.string({
    doc: 'Sent as the ClusterID header; istiod picks the cluster that reviews the token by it.',
    default: 'Kubernetes',
    defaultReason: "istiod's own default cluster ID",
    env: ['ISTIO_META_CLUSTER_ID'],
    clusterEnv: ['ISTIO_META_CLUSTER_ID'],
  }),
  extraHeaders: f.stringMap({
    doc: 'Extra gRPC headers on every call to istiod (pilot-agent: CA_HEADER_<NAME>), as a JSON object or YAML map.',
    default: {},
    env: ['VMLET_ISTIOD_HEADERS'],
  }),
  keepaliveInterval: f.duration({
    doc: 'HTTP/2 keepalive ping interval on the istiod connection (ms); istiod sends GOAWAY below 15s.',
    default: 30_000,
    defaultReason: "pilot-agent's GRPC_KEEPALIVE_INTERVAL",
    env: ['GRPC_KEEPALIVE_INTERVAL'],
  }),
  keepaliveTimeout: f.duration({
    doc: 'How long a keepalive ping may go unanswered before the connection is dropped (ms).',
    default: 10_000,
    defaultReason: "pilot-agent's GRPC_KEEPALIVE_TIMEOUT",
    env: ['GRPC_KEEPALIVE_TIMEOUT'],
  }),
  requestTimeout: f.duration({
    doc: 'Deadline of one certificate request to istiod (ms). A request that ran out of time is retried with twice the deadline, up to 8 times this, until istiod answers.',
    default: 10_000,
    defaultReason: 'an answer takes milliseconds; doubling after a timeout keeps an overloaded istiod (a fleet starting, a reconnect storm) from being asked again before it can answer',
    env: ['VMLET_CA_REQUEST_TIMEOUT'],
  }),
}, {
  check(v): SectionProblem[] {
    const problems: SectionProblem[] = [];
    if (v.keepaliveInterval < 30_000) {
      problems.push({
        key: 'keepaliveInterval',
        message: `keepaliveInterval (${v.keepaliveInterval} ms) is below 30s`,
        hint: 'istiod answers pings faster than every 15s with GOAWAY (too_many_pings); use 30s or more',
      });
    }
    return problems;
  },
});
