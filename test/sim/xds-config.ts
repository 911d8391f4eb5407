/**
 * A small mesh configuration for the istiod simulator (a TEST DOUBLE) to push: what istiod sends
 * a VM that calls one service, in Envoy's own types (encoded with Envoy's protos): an EDS cluster
 * `outbound|80||echo.bar.svc.cluster.local`, its endpoints, an outbound listener `0.0.0.0_80`
 * whose HTTP connection manager takes its routes from RDS `80`, and that route configuration.
 * Enough for the FAKE Envoy to subscribe as Envoy does (CDS → EDS → LDS → RDS) and for
 * `vmlet proxy-config` to have rows to show.
 */
import { envoyRoot } from '../helpers/envoy-protos.js';

export interface SimResource {
  readonly name: string;
  /** The encoded message (an Any's value). */
  readonly value: Buffer;
}

export type SimXdsConfig = Readonly<Record<string, readonly SimResource[]>>;

const URL = 'type.googleapis.com/';
export const SIM_TYPES = {
  cluster: `${URL}envoy.config.cluster.v3.Cluster`,
  endpoint: `${URL}envoy.config.endpoint.v3.ClusterLoadAssignment`,
  listener: `${URL}envoy.config.listener.v3.Listener`,
  route: `${URL}envoy.config.route.v3.RouteConfiguration`,
} as const;

const SERVICE = 'outbound|80||echo.bar.svc.cluster.local';

function encode(typeName: string, obj: Record<string, unknown>): Buffer {
  const t = envoyRoot().lookupType(typeName);
  return Buffer.from(t.encode(t.fromObject(obj)).finish());
}

export function sampleXdsConfig(): SimXdsConfig {
  const hcm = encode('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', {
    stat_prefix: 'outbound_0.0.0.0_80',
    rds: { route_config_name: '80', config_source: { ads: {}, resource_api_version: 'V3' } },
    http_filters: [{ name: 'envoy.filters.http.router', typed_config: { type_url: `${URL}envoy.extensions.filters.http.router.v3.Router`, value: Buffer.alloc(0) } }],
  });
  return {
    [SIM_TYPES.cluster]: [{
      name: SERVICE,
      value: encode('envoy.config.cluster.v3.Cluster', {
        name: SERVICE, type: 'EDS', connect_timeout: { seconds: 10 },
        eds_cluster_config: { service_name: SERVICE, eds_config: { ads: {}, resource_api_version: 'V3' } },
      }),
    }],
    [SIM_TYPES.endpoint]: [{
      name: SERVICE,
      value: encode('envoy.config.endpoint.v3.ClusterLoadAssignment', {
        cluster_name: SERVICE,
        endpoints: [{ locality: { region: 'r1', zone: 'z1' }, lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.44.0.5', port_value: 8080 } } }, health_status: 'HEALTHY', load_balancing_weight: { value: 1 } }] }],
      }),
    }],
    [SIM_TYPES.listener]: [{
      name: '0.0.0.0_80',
      value: encode('envoy.config.listener.v3.Listener', {
        name: '0.0.0.0_80',
        address: { socket_address: { address: '0.0.0.0', port_value: 80 } },
        filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: { type_url: `${URL}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`, value: hcm } }] }],
        traffic_direction: 'OUTBOUND',
      }),
    }],
    [SIM_TYPES.route]: [{
      name: '80',
      value: encode('envoy.config.route.v3.RouteConfiguration', {
        name: '80',
        virtual_hosts: [{ name: 'echo.bar.svc.cluster.local:80', domains: ['echo.bar.svc.cluster.local', 'echo'], routes: [{ name: 'default', match: { prefix: '/' }, route: { cluster: SERVICE } }] }],
      }),
    }],
  };
}
