// `vmlet proxy-config` tables from Envoy's admin JSON: the Istio config a cluster or route came
// from (istiod's filter_metadata.istio.config path) and Envoy addresses (socket or pipe).
import { describe, expect, it } from 'vitest';
import { clusterRows, endpointRows, listenerRows, routeRows } from '../../../src/cli/envoy-config-tables.js';

const ADMIN = 'type.googleapis.com/envoy.admin.v3.';
const istio = (path: string) => ({ filter_metadata: { istio: { config: path } } });
const dump = (kind: string, body: object) => ({ configs: [{ '@type': `${ADMIN}${kind}`, ...body }] });

describe('proxy-config tables', () => {
  it('names the DestinationRule of a cluster and the VirtualService of a route as name.namespace', () => {
    const clusters = clusterRows(dump('ClustersConfigDump', { dynamic_active_clusters: [
      { cluster: { name: 'outbound|80|v1|reviews.default.svc.cluster.local', type: 'EDS', metadata: istio('/apis/networking.istio.io/v1/namespaces/default/destination-rule/reviews-dr') } },
      { cluster: { name: 'BlackHoleCluster', type: 'STATIC', metadata: istio('/apis/networking.istio.io/v1/namespaces/default/virtual-service/not-a-dr') } },
    ] }));
    expect(clusters.map((r) => [r['SERVICE FQDN'], r['DESTINATION RULE'], r.SUBSET])).toEqual([
      ['BlackHoleCluster', '-', '-'],
      ['reviews.default.svc.cluster.local', 'reviews-dr.default', 'v1'],
    ]);
    const routes = routeRows(dump('RoutesConfigDump', { dynamic_route_configs: [{ route_config: { name: '80', virtual_hosts: [
      { name: 'reviews:80', domains: ['reviews', 'reviews.default'], routes: [{ match: { prefix: '/' }, metadata: istio('/apis/networking.istio.io/v1/namespaces/bookinfo/virtual-service/reviews-vs') }] },
      { name: 'other:80', domains: ['other'], routes: [{ match: { path: '/x' }, metadata: istio('/apis/networking.istio.io/v1/namespaces/bookinfo/destination-rule/not-a-vs') }] },
    ] } }] }));
    expect(routes.map((r) => [r['VHOST NAME'], r.DOMAINS, r.MATCH, r['VIRTUAL SERVICE']])).toEqual([
      ['reviews:80', 'reviews +1 more...', '/*', 'reviews-vs.bookinfo'],
      ['other:80', 'other', '/x', '-'],
    ]);
  });

  it('reads socket and pipe addresses of listeners and endpoints', () => {
    const listeners = listenerRows(dump('ListenersConfigDump', { static_listeners: [
      { listener: { name: 'virtualInbound', address: { socket_address: { address: '0.0.0.0', port_value: 15006 } } } },
      { listener: { name: 'uds', address: { pipe: { path: '/run/x.sock' } } } },
    ] }));
    expect(listeners.map((r) => [r.NAME, r.ADDRESS, r.PORT, r.STATE])).toEqual([['virtualInbound', '0.0.0.0', '15006', 'STATIC'], ['uds', '/run/x.sock', '-', 'STATIC']]);
    const endpoints = endpointRows({ cluster_statuses: [{ name: 'c', host_statuses: [
      { address: { socket_address: { address: '10.0.0.7', port_value: 9080 } }, health_status: { eds_health_status: 'HEALTHY' } },
      { address: { pipe: { path: '/etc/istio/proxy/XDS' } }, health_status: { failed_outlier_check: true } },
    ] }] });
    expect(endpoints.map((r) => [r.ENDPOINT, r.STATUS, r['OUTLIER CHECK']])).toEqual([['10.0.0.7:9080', 'HEALTHY', 'OK'], ['unix:///etc/istio/proxy/XDS', 'HEALTHY', 'FAILED']]);
  });
});
