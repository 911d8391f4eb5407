import { describe, expect, it } from 'vitest';
import { buildNode, checkNodeMetadata } from '../../../src/xds/node-metadata.js';
import { testConfig } from '../../helpers/test-config.js';

const host = { hostname: 'vm1.example.internal', addresses: ['10.0.0.5', '192.168.1.9'] };

describe('node metadata built from istioctl files', () => {
  const node = buildNode(testConfig(), host);

  it('has the node id of a VM sidecar with the routable address first', () => {
    expect(node.id).toBe('sidecar~10.0.0.5~vm1.bar~bar.svc.cluster.local');
    expect(node.cluster).toBe('vm-app.bar');
  });

  it("names Envoy's status and Prometheus ports as the envoy section has them (Istio's 15021, 15090 by default)", () => {
    expect([node.metadata['ENVOY_STATUS_PORT'], node.metadata['ENVOY_PROMETHEUS_PORT']]).toEqual([15021, 15090]);
    const moved = buildNode(testConfig({ envoy: { statusPort: 15121, prometheusPort: 15190 } }), host).metadata;
    expect([moved['ENVOY_STATUS_PORT'], moved['ENVOY_PROMETHEUS_PORT']]).toEqual([15121, 15190]);
  });

  it('encodes every key with the JSON type istiod parses', () => {
    const m = node.metadata;
    expect(m['INSTANCE_IPS']).toBe('10.0.0.5,192.168.1.9');
    expect(m['DNS_CAPTURE']).toBe('true');
    // As istiod's PodPortList writes it back, `protocol` present even when unset.
    expect(m['POD_PORTS']).toBe('[{"name":"http","containerPort":8080,"protocol":""}]');
    expect(m['LABELS']).toEqual({ app: 'vm-app', 'service.istio.io/canonical-name': 'vm-app', 'service.istio.io/canonical-revision': 'latest' });
    expect(m['AUTO_REGISTER_GROUP']).toBe('vm-app');
    expect(m['NAMESPACE']).toBe('bar');
    expect(m['SERVICE_ACCOUNT']).toBe('vm-sa');
    expect(m['CLUSTER_ID']).toBe('Kubernetes');
    expect(m['NETWORK']).toBe('vm-network');
    expect(m['MESH_ID']).toBe('mesh1');
    expect((m['PROXY_CONFIG'] as Record<string, unknown>)['readinessProbe']).toEqual({ httpGet: { path: '/ready', port: 8080 }, initialDelaySeconds: 1, periodSeconds: 5, timeoutSeconds: 1 });
    expect(checkNodeMetadata(m)).toEqual([]);
  });

  it('adds what pilot-agent adds: the labels at the top level too, peer discovery, the SDS socket name, deprecation logs off', () => {
    const m = node.metadata;
    expect(m['app']).toBe('vm-app');
    expect(m['service.istio.io/canonical-name']).toBe('vm-app');
    expect(m['STATIC_LABELS']).toEqual(m['LABELS']);
    expect(m['METADATA_DISCOVERY']).toBe('false');
    expect(m['WORKLOAD_IDENTITY_SOCKET_FILE']).toBe('socket');
    expect(m['ENVOY_SKIP_DEPRECATED_LOGS']).toBe('true');
    const base = testConfig();
    const withEnv = (extra: Record<string, string>) => ({ ...base, istio: { ...base.istio, clusterEnv: { ...base.istio.clusterEnv, ...extra } } });
    const ambient = buildNode(withEnv({ ENVOY_SKIP_DEPRECATED_LOGS: 'false', ISTIO_META_ENABLE_HBONE: 'true' }), host).metadata;
    expect(ambient['METADATA_DISCOVERY']).toBe('true');
    expect(ambient['ENVOY_SKIP_DEPRECATED_LOGS']).toBeUndefined();
    const explicit = buildNode(withEnv({ PEER_METADATA_DISCOVERY: 'false', ISTIO_META_ENABLE_HBONE: 'true' }), host).metadata;
    expect(explicit['METADATA_DISCOVERY']).toBe('false');
  });

  it('sends the effective ProxyConfig (Istio\'s defaults, vmlet\'s own paths and ports), the xDS server name, no interception mode of its own', () => {
    const pc = node.metadata['PROXY_CONFIG'] as Record<string, unknown>;
    expect(pc).toMatchObject({
      serviceCluster: 'vm-app.bar', drainDuration: '45s', terminationDrainDuration: '5s', proxyAdminPort: 15000, statusPort: 15020,
      controlPlaneAuthPolicy: 'MUTUAL_TLS', statNameLength: 189, binaryPath: '/usr/local/bin/envoy',
      discoveryAddress: 'istiod.istio-system.svc:15012', meshId: 'mesh1',
    });
    expect(node.metadata['PILOT_SAN']).toEqual(['istiod.istio-system.svc']);
    expect(node.metadata['INTERCEPTION_MODE']).toBeUndefined();
    expect(buildNode(testConfig({ envoy: { adminPort: 15100 } }), host).metadata['PROXY_CONFIG']).toMatchObject({ proxyAdminPort: 15100 });
  });

  it('puts a configured address before detected ones without duplicates', () => {
    const n = buildNode(testConfig({ node: { instanceIps: '192.168.1.9' } }), host);
    expect(n.metadata['INSTANCE_IPS']).toBe('192.168.1.9,10.0.0.5');
    expect(n.id.split('~')[1]).toBe('192.168.1.9');
  });

  it('refuses to invent an address', () => {
    expect(() => buildNode(testConfig(), { hostname: 'vm1', addresses: [] })).toThrow(/no instance IP/);
  });
});

describe('the metadata checker rejects what istiod rejects', () => {
  it.each([
    [{ DNS_CAPTURE: true }, /DNS_CAPTURE.*StringBool/],
    [{ INSTANCE_IPS: ['10.0.0.5'] }, /INSTANCE_IPS.*string/],
    [{ POD_PORTS: [{ containerPort: 1 }] }, /POD_PORTS.*string/],
    [{ LABELS: { app: 1 } }, /LABELS.app/],
    [{ PROXY_CONFIG: 'x' }, /PROXY_CONFIG/],
  ])('%j', (meta, why) => {
    expect(checkNodeMetadata(meta).join('\n')).toMatch(why);
  });
});
