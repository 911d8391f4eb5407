// The bundle as `istioctl x workload entry configure` writes it (facts from Istio's
// istioctl/pkg/workload/workload.go); the e2e tier compares with the real istioctl's files.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildBundle, goJson, shellQuote } from '../../../src/onboard-server/bundle.js';
import type { WorkloadGroup } from '../../../src/onboard-server/kube.js';

const MESH = `trustDomain: example.org
defaultConfig:
  discoveryAddress: istiod.istio-system.svc:15012
  meshId: mesh1
  proxyMetadata:
    FROM_MESH: "1"
    OVERRIDDEN: mesh
`;

const WG: WorkloadGroup = {
  metadata: { name: 'web-vms', namespace: 'web', annotations: { 'proxy.istio.io/config': 'proxyMetadata: {OVERRIDDEN: group}\nstatusPort: 15099\n' } },
  spec: {
    metadata: { labels: { app: 'web', version: 'v2' } },
    template: { serviceAccount: 'web-sa', network: 'vm-net', ports: { https: 8443, http: 8080 } },
    probe: { httpGet: { port: 8080, path: '/ready' } },
  },
};

function env(text: string): Record<string, string> {
  return Object.fromEntries(text.trimEnd().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

describe('bundle builder', () => {
  const b = buildBundle({ group: WG, meshConfig: MESH, rootCertPem: 'ROOT\n', clusterID: 'cluster1', hosts: '10.0.0.5 istiod.istio-system.svc\n' });

  it('mesh.yaml: defaultConfig only, overlaid by the group annotation, probe and proxyMetadata added', () => {
    const dc = (parse(b.meshYaml) as { defaultConfig: Record<string, unknown> }).defaultConfig;
    expect(Object.keys(parse(b.meshYaml) as object)).toEqual(['defaultConfig']);
    expect(dc.discoveryAddress).toBe('istiod.istio-system.svc:15012');
    expect(dc.statusPort).toBe(15099);
    expect(dc.readinessProbe).toEqual({ httpGet: { port: 8080, path: '/ready' } });
    expect(dc.proxyMetadata).toEqual({
      FROM_MESH: '1',
      OVERRIDDEN: 'group',
      CANONICAL_SERVICE: 'web',
      CANONICAL_REVISION: 'v2',
      POD_NAMESPACE: 'web',
      SERVICE_ACCOUNT: 'web-sa',
      TRUST_DOMAIN: 'example.org',
      ISTIO_META_CLUSTER_ID: 'cluster1',
      ISTIO_META_MESH_ID: 'mesh1',
      ISTIO_META_NETWORK: 'vm-net',
      ISTIO_META_POD_PORTS: '[{"name":"http","containerPort":8080,"protocol":""},{"name":"https","containerPort":8443,"protocol":""}]',
      ISTIO_META_WORKLOAD_NAME: 'web-vms',
      ISTIO_METAJSON_LABELS: '{"app":"web","service.istio.io/canonical-name":"web","service.istio.io/canonical-revision":"v2","version":"v2"}',
      ISTIO_META_DNS_CAPTURE: 'true',
      ISTIO_META_AUTO_REGISTER_GROUP: 'web-vms',
    });
  });

  it('mesh.yaml: probe fields at their zero value are left out, as istioctl\'s proto3 JSON leaves them (found by the e2e comparison)', () => {
    const probe = { initialDelaySeconds: 0, periodSeconds: 1, httpGet: { port: 8080, path: '/ready', host: '' }, failureThreshold: 0 };
    const zero = buildBundle({ group: { ...WG, spec: { ...WG.spec, probe } }, meshConfig: MESH, rootCertPem: 'ROOT\n', clusterID: 'c', hosts: '' });
    const dc = (parse(zero.meshYaml) as { defaultConfig: Record<string, unknown> }).defaultConfig;
    expect(dc.readinessProbe).toEqual({ periodSeconds: 1, httpGet: { port: 8080, path: '/ready' } });
  });

  it('cluster.env: proxyMetadata plus the group overrides, sorted, quoted as Istio quotes', () => {
    const e = env(b.clusterEnv);
    expect(b.clusterEnv.endsWith('\n')).toBe(true);
    expect(Object.keys(e)).toEqual([...Object.keys(e)].sort());
    expect(e.ISTIO_INBOUND_PORTS).toBe("'8080,8443'");
    expect(e.ISTIO_NAMESPACE).toBe("'web'");
    expect(e.ISTIO_SERVICE).toBe("'web-vms.web'");
    expect(e.ISTIO_SERVICE_CIDR).toBe("'*'");
    expect(e.ISTIO_LOCAL_EXCLUDE_PORTS).toBe("'22,15090,15021,15099'");
    expect(e.SERVICE_ACCOUNT).toBe("'web-sa'");
    expect(e.ISTIO_META_CLUSTER_ID).toBe("'cluster1'");
    expect(e.FROM_MESH).toBe("'1'");
    expect(e.ISTIO_METAJSON_LABELS).toBe(`'{"app":"web","service.istio.io/canonical-name":"web","service.istio.io/canonical-revision":"v2","version":"v2"}'`);
    expect(b.rootCertPem).toBe('ROOT\n');
    expect(b.hosts).toBe('10.0.0.5 istiod.istio-system.svc\n');
    expect(b.serviceAccount).toBe('web-sa');
  });

  it('defaults: no ports -> all inbound, status port 15020 excluded, SA default, no probe, revision latest, name from the group', () => {
    const bare = buildBundle({ group: { metadata: { name: 'g', namespace: 'n' }, spec: {} }, meshConfig: '', rootCertPem: 'R', clusterID: '', hosts: '' });
    const e = env(bare.clusterEnv);
    expect(e.ISTIO_INBOUND_PORTS).toBe("'*'");
    expect(e.ISTIO_LOCAL_EXCLUDE_PORTS).toBe("'22,15090,15021,15020'");
    expect(e.SERVICE_ACCOUNT).toBe("'default'");
    expect(e.TRUST_DOMAIN).toBe("''");
    expect(e.CANONICAL_SERVICE).toBe("'g'");
    expect(e.CANONICAL_REVISION).toBe("'latest'");
    expect(e.ISTIO_META_POD_PORTS).toBeUndefined();
    expect((parse(bare.meshYaml) as { defaultConfig: Record<string, unknown> }).defaultConfig.readinessProbe).toBeUndefined();
  });

  it("shellQuote is Istio's: its class [^\\\\w@%+=:,./-] leaves only backslash, w and those marks unquoted", () => {
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('www')).toBe('www');
    expect(shellQuote('a/b')).toBe("'a/b'");
    expect(shellQuote("it's")).toBe(`'it'"'"'s'`);
    expect(shellQuote('/-.,:=+%@')).toBe('/-.,:=+%@');
  });

  it("goJson escapes as Go's encoding/json and sorts keys", () => {
    expect(goJson({ b: '<&>', a: '1' })).toBe('{"a":"1","b":"\\u003c\\u0026\\u003e"}');
  });
});
