import { describe, expect, it } from 'vitest';
import { buildBootstrap, isIpv6Only, type BootstrapOptions, type EnvoyNode } from '../../../src/envoy/bootstrap.js';
import { parseStrict } from '../../helpers/envoy-protos.js';

/** Sample metadata with istiod's wire types (the real one comes from src/xds/node-metadata.ts). */
const metadata = (ips: string) => ({
  ISTIO_VERSION: '1.24.2',
  NAMESPACE: 'bar',
  SERVICE_ACCOUNT: 'vm-sa',
  INSTANCE_IPS: ips,
  DNS_CAPTURE: 'true',
  EXIT_ON_ZERO_ACTIVE_CONNECTIONS: 'false',
  POD_PORTS: JSON.stringify([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]),
  LABELS: { app: 'vm', 'service.istio.io/canonical-name': 'vm' },
  PROXY_CONFIG: { discoveryAddress: 'istiod.istio-system.svc:15012', readinessProbe: { httpGet: { path: '/ready', port: 8080 } } },
  WORKLOAD_NAME: 'vm',
  AUTO_REGISTER_GROUP: 'vm',
});

const node = (ips = '10.0.0.5', locality?: EnvoyNode['locality']): EnvoyNode => ({
  id: `sidecar~${ips.split(',')[0]}~vm1.bar~bar.svc.cluster.local`,
  cluster: 'vm.bar',
  metadata: metadata(ips),
  ...(locality ? { locality } : {}),
});

const base: BootstrapOptions = {
  adminPort: 15000,
  statusPort: 15021,
  prometheusPort: 15090,
  xdsSocket: '/etc/istio/proxy/XDS',
  sdsSocket: '/var/run/secrets/workload-spiffe-uds/socket',
  deltaXds: true,
  vmletStatus: { address: '127.0.0.1', port: 15020 },
  exitOnZeroActiveConnections: false,
  metricsLocalhostOnly: false,
};

const combos: [string, EnvoyNode, BootstrapOptions][] = [];
for (const deltaXds of [true, false]) {
  for (const exitOnZeroActiveConnections of [true, false]) {
    for (const metricsLocalhostOnly of [true, false]) {
      for (const [ipName, ips] of [['v4', '10.0.0.5'], ['v6', 'fd00::5,fd00::6'], ['dual', '10.0.0.5,fd00::5']] as const) {
        for (const loc of [undefined, { region: 'eu', zone: 'eu-1', subZone: 'rack7' }]) {
          combos.push([
            `delta=${deltaXds} exitOnZero=${exitOnZeroActiveConnections} metricsLocal=${metricsLocalhostOnly} ${ipName} locality=${loc !== undefined}`,
            node(ips, loc),
            { ...base, deltaXds, exitOnZeroActiveConnections, metricsLocalhostOnly },
          ]);
        }
      }
    }
  }
}

describe('bootstrap', () => {
  it('the default parses strictly under envoy.config.bootstrap.v3.Bootstrap', () => {
    expect(() => parseStrict('envoy.config.bootstrap.v3.Bootstrap', buildBootstrap(node(), base))).not.toThrow();
  });

  it('the default matches the reviewed golden file', async () => {
    await expect(`${JSON.stringify(buildBootstrap(node(), base), null, 2)}\n`).toMatchFileSnapshot('../../golden/envoy-bootstrap-default.json');
  });

  it.each(combos)('%s parses strictly', (_name, n, o) => {
    const json = JSON.parse(JSON.stringify(buildBootstrap(n, o)));
    expect(() => parseStrict('envoy.config.bootstrap.v3.Bootstrap', json)).not.toThrow();
  });

  it('the strict parser rejects an unknown field and a wrong Any (so the checks above mean something)', () => {
    const b = buildBootstrap(node(), base) as { admin: Record<string, unknown>; static_resources: { clusters: Record<string, unknown>[] } };
    expect(() => parseStrict('envoy.config.bootstrap.v3.Bootstrap', { ...b, admin: { ...b.admin, adress: 1 } })).toThrow(/admin\.adress: unknown field/);
    const bad = structuredClone(b);
    (bad.static_resources.clusters[2] as { connect_timeout: unknown }).connect_timeout = 1;
    expect(() => parseStrict('envoy.config.bootstrap.v3.Bootstrap', bad)).toThrow(/connect_timeout: Duration/);
  });

  it('points Envoy at vmlet: admin on loopback, xds-grpc and sds-grpc on their sockets over HTTP/2, 15021 to the status server', () => {
    const b = buildBootstrap(node(), base) as any;
    expect(b.admin.address.socket_address).toEqual({ protocol: 'TCP', address: '127.0.0.1', port_value: 15000 });
    const clusters = Object.fromEntries(b.static_resources.clusters.map((c: any) => [c.name, c]));
    expect(clusters['xds-grpc'].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address).toEqual({ pipe: { path: '/etc/istio/proxy/XDS' } });
    expect(clusters['sds-grpc'].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address).toEqual({ pipe: { path: '/var/run/secrets/workload-spiffe-uds/socket' } });
    for (const name of ['xds-grpc', 'sds-grpc']) {
      expect(clusters[name].typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'].explicit_http_config).toEqual({ http2_protocol_options: {} });
    }
    expect(clusters.agent.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value).toBe(15020);
    expect(b.dynamic_resources.ads_config.api_type).toBe('DELTA_GRPC');
    expect(buildBootstrap(node(), { ...base, deltaXds: false }).dynamic_resources).toMatchObject({ ads_config: { api_type: 'GRPC' } });
    const names = b.static_resources.listeners.map((l: any) => l.name);
    expect(names).toEqual(['0.0.0.0_15090', '0.0.0.0_15021']);
    const ready = b.static_resources.listeners[1].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[0];
    expect(ready).toEqual({ match: { prefix: '/healthz/ready' }, route: { cluster: 'agent' } });
    expect(b.node).toMatchObject({ id: 'sidecar~10.0.0.5~vm1.bar~bar.svc.cluster.local', cluster: 'vm.bar' });
    expect(b.node.metadata.INSTANCE_IPS).toBe('10.0.0.5');
  });

  it('IPv6-only nodes get ::1 and ::; dual stack stays IPv4', () => {
    expect(isIpv6Only({ INSTANCE_IPS: 'fd00::5' })).toBe(true);
    expect(isIpv6Only({ INSTANCE_IPS: '10.0.0.5,fd00::5' })).toBe(false);
    const b = buildBootstrap(node('fd00::5'), base) as any;
    expect(b.admin.address.socket_address.address).toBe('::1');
    expect(b.static_resources.listeners[1].address.socket_address.address).toBe('::');
  });

  it('keeps downstream_cx_active only when the drain waits for zero connections', () => {
    const patterns = (o: BootstrapOptions) => JSON.stringify((buildBootstrap(node(), o) as any).stats_config);
    expect(patterns({ ...base, exitOnZeroActiveConnections: true })).toContain('downstream_cx_active');
    expect(patterns(base)).not.toContain('downstream_cx_active');
  });
});
