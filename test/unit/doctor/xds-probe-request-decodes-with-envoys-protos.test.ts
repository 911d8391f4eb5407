// doctor's ADS probe encodes its DiscoveryRequest with the generated static code; Envoy's own
// discovery.proto must read back the node (id, cluster and every metadata kind: string, number,
// bool, null, list, nested struct) and the type URL istiod answers for.
import { describe, expect, it } from 'vitest';
import { encodeDiscoveryRequest } from '../../../src/doctor/xds-probe.js';
import type { NodeInfo } from '../../../src/xds/node-metadata.js';
import { envoyRoot } from '../../helpers/envoy-protos.js';

// protobufjs's own google/protobuf/struct.proto names Value's fields in camelCase.
type Value = { nullValue?: unknown; numberValue?: number; stringValue?: string; boolValue?: boolean; structValue?: Struct; listValue?: { values?: Value[] } };
type Struct = { fields?: Record<string, Value> };

function fromValue(v: Value): unknown {
  if (v.structValue !== undefined) return fromStruct(v.structValue);
  if (v.listValue !== undefined) return (v.listValue.values ?? []).map(fromValue);
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.numberValue !== undefined) return v.numberValue;
  if (v.boolValue !== undefined) return v.boolValue;
  return null;
}
const fromStruct = (s: Struct): Record<string, unknown> => Object.fromEntries(Object.entries(s.fields ?? {}).map(([k, v]) => [k, fromValue(v)]));

describe("doctor's ADS probe request", () => {
  it('carries the node and its metadata as Envoy reads them', () => {
    const metadata = { NAMESPACE: 'ns1', LABELS: { app: 'vm', version: 'v1' }, ISTIO_VERSION: '1.28', INTERCEPTION_MODE: 'REDIRECT', PORTS: [8080, 'http'], AUTO: true, NONE: null, ZERO: 0 };
    const node = { id: 'sidecar~10.0.0.2~vm1.ns1~ns1.svc.cluster.local', cluster: 'vm.ns1', metadata } as unknown as NodeInfo;
    const type = envoyRoot().lookupType('envoy.service.discovery.v3.DiscoveryRequest');
    const msg = type.toObject(type.decode(encodeDiscoveryRequest(node)), { oneofs: false }) as { node: { id: string; cluster: string; metadata: Struct }; type_url: string };
    expect(msg.type_url).toBe('type.googleapis.com/envoy.config.cluster.v3.Cluster');
    expect(msg.node.id).toBe(node.id);
    expect(msg.node.cluster).toBe('vm.ns1');
    expect(fromStruct(msg.node.metadata)).toEqual(metadata);
  });
});
