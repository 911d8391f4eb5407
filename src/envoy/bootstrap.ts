/**
 * The Envoy bootstrap, as a pure function of its inputs (no I/O): Istio's envoy_bootstrap.json
 * reduced to what a VM sidecar needs. Envoy's ADS goes to vmlet's xDS proxy over a Unix socket,
 * certificates come from vmlet's SDS server over another, and the health listener forwards
 * /healthz/ready to vmlet's status server, so readiness probes ask vmlet (which asks Envoy).
 * Every bootstrap this can produce is checked against Envoy's own v3 protos in the tests.
 */

/** Who this proxy is to istiod; computed by the xds capability (node id, cluster, metadata). */
export interface EnvoyNode {
  readonly id: string;
  readonly cluster: string;
  /** Istio's node metadata with istiod's wire types (StringBool "true"/"false", INSTANCE_IPS a comma string, ...). */
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly locality?: { readonly region?: string; readonly zone?: string; readonly subZone?: string };
}

export interface BootstrapOptions {
  readonly adminPort: number;
  /** Envoy's health listener (15021). */
  readonly statusPort: number;
  /** Envoy's Prometheus listener (15090). */
  readonly prometheusPort: number;
  readonly xdsSocket: string;
  readonly sdsSocket: string;
  /** DELTA_GRPC when true, GRPC (state of the world) when false. */
  readonly deltaXds: boolean;
  /** vmlet's status server, which answers /healthz/ready. */
  readonly vmletStatus: { readonly address: string; readonly port: number };
  /** Adds downstream_cx_active to the stats kept, for the drain that waits for zero connections. */
  readonly exitOnZeroActiveConnections: boolean;
  /** Binds the Prometheus listener to loopback (proxyMetadata METRICS_LOCALHOST_ACCESS_ONLY). */
  readonly metricsLocalhostOnly: boolean;
}

const HTTP_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
const TYPE = 'type.googleapis.com/';

/** true when every address in INSTANCE_IPS is IPv6 (Istio then uses ::1 and --local-address-ip-version v6). */
export function isIpv6Only(metadata: Readonly<Record<string, unknown>>): boolean {
  const ips = typeof metadata.INSTANCE_IPS === 'string' ? metadata.INSTANCE_IPS.split(',').map((s) => s.trim()).filter(Boolean) : [];
  return ips.length > 0 && ips.every((ip) => ip.includes(':'));
}

function socketAddress(address: string, port: number) {
  return { socket_address: { protocol: 'TCP', address, port_value: port } };
}

function staticCluster(name: string, address: object, connectTimeout: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    type: 'STATIC',
    connect_timeout: connectTimeout,
    lb_policy: 'ROUND_ROBIN',
    load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address } }] }] },
    ...extra,
  };
}

function http2Options(extra: Record<string, unknown> = {}) {
  return {
    typed_extension_protocol_options: {
      [HTTP_OPTIONS]: { '@type': TYPE + HTTP_OPTIONS, ...extra, explicit_http_config: { http2_protocol_options: {} } },
    },
  };
}

function routeListener(name: string, address: object, statPrefix: string, prefix: string, cluster: string) {
  return {
    name,
    address,
    ignore_global_conn_limit: true,
    bypass_overload_manager: true,
    filter_chains: [{
      filters: [{
        name: 'envoy.filters.network.http_connection_manager',
        typed_config: {
          '@type': `${TYPE}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
          codec_type: 'AUTO',
          stat_prefix: statPrefix,
          route_config: { virtual_hosts: [{ name: 'backend', domains: ['*'], routes: [{ match: { prefix }, route: { cluster } }] }] },
          http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': `${TYPE}envoy.extensions.filters.http.router.v3.Router` } }],
        },
      }],
    }],
  };
}

function statsConfig(exitOnZero: boolean) {
  const prefixes = ['reporter=', 'component', 'istio', 'cluster_manager', 'listener_manager', 'server', 'cluster.xds-grpc', 'cluster.sds-grpc', 'wasm'];
  const suffixes = ['rbac.allowed', 'rbac.denied', 'shadow_allowed', 'shadow_denied', ...(exitOnZero ? ['downstream_cx_active'] : [])];
  return {
    use_all_default_tags: false,
    stats_matcher: { inclusion_list: { patterns: [...prefixes.map((prefix) => ({ prefix })), ...suffixes.map((suffix) => ({ suffix }))] } },
  };
}

/** The bootstrap as a plain JSON object (proto3 JSON, field names as in Envoy's protos). */
export function buildBootstrap(node: EnvoyNode, o: BootstrapOptions): Record<string, unknown> {
  const v6 = isIpv6Only(node.metadata);
  const loopback = v6 ? '::1' : '127.0.0.1';
  const any = v6 ? '::' : '0.0.0.0';
  const metricsBind = o.metricsLocalhostOnly ? loopback : any;
  const ads = { ads: {}, initial_fetch_timeout: '0s', resource_api_version: 'V3' };
  const locality = node.locality && {
    ...(node.locality.region ? { region: node.locality.region } : {}),
    ...(node.locality.zone ? { zone: node.locality.zone } : {}),
    ...(node.locality.subZone ? { sub_zone: node.locality.subZone } : {}),
  };
  const breakers = (priority: string) => ({ priority, max_connections: 100000, max_pending_requests: 100000, max_requests: 100000 });
  return {
    node: { id: node.id, cluster: node.cluster, ...(locality ? { locality } : {}), metadata: node.metadata },
    layered_runtime: {
      layers: [
        { name: 'global config', static_layer: { 're2.max_program_size.error_level': 32768, 'envoy.reloadable_features.http_reject_path_with_fragment': false } },
        { name: 'admin', admin_layer: {} },
      ],
    },
    bootstrap_extensions: [{
      name: 'envoy.bootstrap.internal_listener',
      typed_config: { '@type': `${TYPE}envoy.extensions.bootstrap.internal_listener.v3.InternalListener`, buffer_size_kb: 64 },
    }],
    stats_config: statsConfig(o.exitOnZeroActiveConnections),
    admin: {
      access_log: [{ name: 'envoy.access_loggers.file', typed_config: { '@type': `${TYPE}envoy.extensions.access_loggers.file.v3.FileAccessLog`, path: '/dev/null' } }],
      profile_path: '/var/lib/istio/data/envoy.prof',
      address: socketAddress(loopback, o.adminPort),
    },
    dynamic_resources: {
      lds_config: ads,
      cds_config: ads,
      ads_config: {
        api_type: o.deltaXds ? 'DELTA_GRPC' : 'GRPC',
        set_node_on_first_message_only: true,
        transport_api_version: 'V3',
        grpc_services: [{ envoy_grpc: { cluster_name: 'xds-grpc' } }],
      },
    },
    static_resources: {
      clusters: [
        staticCluster('prometheus_stats', socketAddress(loopback, o.adminPort), '0.250s'),
        staticCluster('agent', socketAddress(o.vmletStatus.address, o.vmletStatus.port), '0.250s'),
        staticCluster('sds-grpc', { pipe: { path: o.sdsSocket } }, '1s', http2Options()),
        staticCluster('xds-grpc', { pipe: { path: o.xdsSocket } }, '1s', {
          circuit_breakers: { thresholds: [breakers('DEFAULT'), breakers('HIGH')] },
          upstream_connection_options: { tcp_keepalive: { keepalive_time: 300 } },
          ...http2Options({ common_http_protocol_options: { max_requests_per_connection: 1 } }),
        }),
      ],
      listeners: [
        routeListener(`${metricsBind}_${o.prometheusPort}`, socketAddress(metricsBind, o.prometheusPort), 'stats', '/stats/prometheus', 'prometheus_stats'),
        routeListener(`${any}_${o.statusPort}`, socketAddress(any, o.statusPort), 'agent', '/healthz/ready', 'agent'),
      ],
    },
  };
}
