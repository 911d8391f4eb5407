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

  it('encodes every key with the JSON type istiod parses', () => {
    const m = node.metadata;
    expect(m['INSTANCE_IPS']).toBe('10.0.0.5,192.168.1.9');
    expect(m['DNS_CAPTURE']).toBe('true');
    expect(m['POD_PORTS']).toBe('[{"name":"http","containerPort":8080}]');
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
