// The comparator the real-istiod tier holds vmlet's bootstrap against pilot-agent's with
// (test/helpers/bootstrap-compare.ts), and docs/bootstrap.md's table it reads: a change in any
// compared part is found, relative socket paths resolve as istio.service runs pilot-agent, and
// istiod's metadata keys are read from its Go structs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootstrapFor } from '../../../src/envoy/sidecar.js';
import { buildNode } from '../../../src/xds/node-metadata.js';
import { bootstrapView, covers, diffViews, documentedPaths, metadataKeysFromGo } from '../../helpers/bootstrap-compare.js';
import { testConfig } from '../../helpers/test-config.js';

const config = testConfig();
const base = () => JSON.parse(JSON.stringify(bootstrapFor(config, buildNode(config, { hostname: 'vm1', addresses: ['10.0.0.5'] })))) as Record<string, any>;
const diff = (change: (b: Record<string, any>) => void, cwd = '/') => {
  const b = base();
  change(b);
  return diffViews(bootstrapView(base(), ['NAMESPACE', 'DNS_CAPTURE']), bootstrapView(b, ['NAMESPACE', 'DNS_CAPTURE'], cwd)).map((d) => d.path);
};

describe('bootstrap comparator', () => {
  it('finds nothing between equal bootstraps', () => {
    expect(diff(() => {})).toEqual([]);
  });

  it.each([
    ['node.cluster', (b: any) => { b.node.cluster = 'other'; }],
    ['node.metadata.DNS_CAPTURE', (b: any) => { b.node.metadata.DNS_CAPTURE = true; }],
    ['node.metadata.app', (b: any) => { delete b.node.metadata.app; }],
    ['node.metadata.PROXY_CONFIG.statusPort', (b: any) => { b.node.metadata.PROXY_CONFIG.statusPort = 1; }],
    ['static_resources.clusters.xds-grpc.endpoint', (b: any) => { b.static_resources.clusters[3].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.pipe.path = '/x'; }],
    ['static_resources.clusters.sds-grpc.protocol', (b: any) => { delete b.static_resources.clusters[2].typed_extension_protocol_options; }],
    ['static_resources.listeners.0.0.0.0_15021.routes', (b: any) => { b.static_resources.listeners[1].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[0].match.prefix = '/'; }],
    ['dynamic_resources.ads_config.api_type', (b: any) => { b.dynamic_resources.ads_config.api_type = 'GRPC'; }],
    ['dynamic_resources.cds_config.initial_fetch_timeout', (b: any) => { b.dynamic_resources.cds_config.initial_fetch_timeout = '15s'; }],
  ])('finds a change of %s', (path, change) => {
    expect(diff(change)).toEqual([path]);
  });

  it('compares objects whatever the order of their keys (Go writes maps sorted)', () => {
    expect(diff((b) => { b.node.metadata.PROXY_CONFIG = Object.fromEntries(Object.entries(b.node.metadata.PROXY_CONFIG).reverse()); })).toEqual([]);
  });

  it('takes a relative socket path from the working directory given', () => {
    const relative = (b: any) => { b.static_resources.clusters[3].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.pipe.path = './etc/istio/proxy/XDS'; };
    expect(diff(relative, '/')).toEqual([]);
    expect(diff(relative, '/srv')).toEqual(['static_resources.clusters.xds-grpc.endpoint']);
  });

  it('reads the json names of istiod\'s metadata structs, skipping `-`', () => {
    const go = 'type BootstrapNodeMetadata struct {\n\tNodeMetadata\n\tInstanceName string `json:"NAME,omitempty"`\n\tX string `json:"-"`\n}\n\ntype NodeMetadata struct {\n\tNamespace string `json:"NAMESPACE,omitempty"`\n}\n';
    expect(metadataKeysFromGo(go)).toEqual(['NAME', 'NAMESPACE']);
  });

  it('reads docs/bootstrap.md\'s table of differences', () => {
    const rows = documentedPaths(readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'bootstrap.md'), 'utf8'), '## Differences from pilot-agent');
    expect(rows).toContain('node.locality');
    expect(rows.every((r) => /^(node|static_resources|dynamic_resources|admin)\./.test(r) || r === 'node.locality')).toBe(true);
    expect(covers('node.metadata.PROXY_CONFIG.*', 'node.metadata.PROXY_CONFIG.configPath')).toBe(true);
    expect(covers('node.metadata.PROXY_CONFIG', 'node.metadata.PROXY_CONFIG.configPath')).toBe(false);
  });
});
