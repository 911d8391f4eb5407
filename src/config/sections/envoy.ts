import { defineSection, f, type SectionProblem } from '../field.js';

/** The Envoy binary, arguments, bootstrap, restarts and drain (owner: envoy). */
export const envoySection = defineSection('envoy', 'The Envoy binary, arguments, bootstrap, restarts and drain', {
  enabled: f.bool({
    doc: 'Start and supervise Envoy and its SDS server (false: Envoy is managed elsewhere, or a test without one).',
    default: true,
    env: ['VMLET_ENVOY_ENABLED'],
  }),
  binaryPath: f.path({
    doc: 'The Envoy executable vmlet starts.',
    default: '/usr/local/bin/envoy',
    defaultReason: "Istio's ProxyConfig binaryPath default, where istio-sidecar.deb installs Envoy",
    env: ['VMLET_ENVOY_BINARY'],
    mesh: 'defaultConfig.binaryPath',
  }),
  configDir: f.path({
    doc: 'Directory the bootstrap (envoy-rev.json) is written to, created 0700 if absent.',
    default: '/etc/istio/proxy',
    defaultReason: "Istio's ProxyConfig configPath on a VM (istio-start.sh runs from /)",
    env: ['VMLET_ENVOY_CONFIG_DIR'],
  }),
  runAsUser: f.string({
    doc: 'User (and its primary group) Envoy runs as; capture exempts its uid. Empty: keep vmlet\'s own user.',
    default: 'istio-proxy',
    defaultReason: 'the user istio-sidecar.deb creates and istio-iptables exempts (uid 1337 in containers)',
    env: ['VMLET_ENVOY_USER'],
  }),
  adminPort: f.port({
    doc: "Envoy's admin API port, bound on 127.0.0.1.",
    default: 15000,
    defaultReason: "Istio's proxyAdminPort",
    env: ['VMLET_ENVOY_ADMIN_PORT'],
    mesh: 'defaultConfig.proxyAdminPort',
  }),
  statusPort: f.port({
    doc: "Envoy's health listener port; /healthz/ready there is forwarded to vmlet's status server.",
    default: 15021,
    // Not mesh.yaml's defaultConfig.statusPort: in Istio that is pilot-agent's own status port
    // (15020, general.statusPort here); Envoy's comes only from ENVOY_STATUS_PORT.
    defaultReason: "pilot-agent's ENVOY_STATUS_PORT",
    env: ['ENVOY_STATUS_PORT'],
    clusterEnv: ['ENVOY_STATUS_PORT'],
  }),
  prometheusPort: f.port({
    doc: "Envoy's Prometheus listener port (/stats/prometheus).",
    default: 15090,
    env: ['ENVOY_PROMETHEUS_PORT'],
    clusterEnv: ['ENVOY_PROMETHEUS_PORT'],
  }),
  deltaXds: f.bool({
    doc: 'ADS uses the incremental (DELTA_GRPC) protocol; false selects state of the world (GRPC).',
    default: true,
    defaultReason: "Istio's ISTIO_DELTA_XDS default",
    env: ['ISTIO_DELTA_XDS'],
    clusterEnv: ['ISTIO_DELTA_XDS'],
  }),
  drainTime: f.duration({
    doc: "Envoy's --drain-time-s: how long Envoy itself spreads a drain (ms, whole seconds are passed).",
    default: 45_000,
    defaultReason: "Istio's ProxyConfig drainDuration",
    env: ['VMLET_ENVOY_DRAIN_TIME'],
    mesh: 'defaultConfig.drainDuration',
  }),
  exitOnZeroActiveConnections: f.bool({
    doc: 'On stop, after minimumDrainDuration, wait until no downstream connection is active (at most general.drainGrace).',
    default: false,
    env: ['EXIT_ON_ZERO_ACTIVE_CONNECTIONS'],
    clusterEnv: ['EXIT_ON_ZERO_ACTIVE_CONNECTIONS'],
  }),
  minimumDrainDuration: f.duration({
    doc: 'With exitOnZeroActiveConnections: the least time a drain waits before checking connections (ms).',
    default: 5_000,
    env: ['MINIMUM_DRAIN_DURATION'],
    clusterEnv: ['MINIMUM_DRAIN_DURATION'],
  }),
  killTimeout: f.duration({
    doc: 'After SIGTERM, how long Envoy may take to exit before it gets SIGKILL (ms).',
    default: 3_000,
    defaultReason: 'Envoy exits on SIGTERM in well under a second once drained; the bound keeps a hung Envoy from holding the stop',
    env: ['VMLET_ENVOY_KILL_TIMEOUT'],
  }),
  concurrency: f.int({
    doc: "Envoy worker threads (--concurrency); 0 lets Envoy use every CPU (the flag is omitted).",
    default: 0,
    min: 0,
    max: 1024,
    env: ['VMLET_ENVOY_CONCURRENCY'],
    mesh: 'defaultConfig.concurrency',
  }),
  logLevel: f.enumOf(['trace', 'debug', 'info', 'warning', 'error', 'critical', 'off'] as const, {
    doc: "Envoy's log level (-l).",
    default: 'warning',
    defaultReason: "pilot-agent's --proxyLogLevel default",
    env: ['VMLET_ENVOY_LOG_LEVEL'],
  }),
  componentLogLevel: f.string({
    doc: "Envoy's --component-log-level (e.g. misc:error,upstream:info); empty: not passed.",
    default: '',
    env: ['VMLET_ENVOY_COMPONENT_LOG_LEVEL'],
  }),
  fileFlushInterval: f.duration({
    doc: "Envoy's --file-flush-interval-msec (ms).",
    default: 1_000,
    defaultReason: "Istio's ProxyConfig fileFlushInterval",
    env: ['VMLET_ENVOY_FILE_FLUSH_INTERVAL'],
  }),
}, {
  check(v) {
    const out: SectionProblem[] = [];
    // vmlet calls the admin API (readiness, drain, config dump) and cannot learn a port Envoy picks.
    if (v.adminPort === 0) out.push({ key: 'adminPort', message: 'adminPort 0 would let Envoy pick a port vmlet cannot know, and vmlet calls the admin API (readiness, drain, proxy-config)', hint: 'set a fixed free port (Istio uses 15000)' });
    const ports = [['adminPort', v.adminPort], ['statusPort', v.statusPort], ['prometheusPort', v.prometheusPort]] as const;
    for (const [i, [key, port]] of ports.entries()) {
      const clash = ports.slice(0, i).find(([, p]) => p === port && port !== 0);
      if (clash) out.push({ key, message: `${key} ${port} is the same as ${clash[0]}`, hint: 'give each Envoy listener its own port' });
    }
    return out;
  },
});
