// What the proxy reads of istiod's responses (type_url, nonce, version, how many resources, the
// first resource's bytes), from messages encoded with Envoy's own discovery protos.
import { describe, expect, it } from 'vitest';
import { responseHead } from '../../../src/xds/wire.js';
import { envoyRoot } from '../../helpers/envoy-protos.js';

const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const NDS = 'type.googleapis.com/istio.networking.nds.v1.NameTable';
const bytes = (s: string) => Buffer.from(s);

describe('responseHead', () => {
  it('SotW: reads the head, counts every resource and keeps only the first one\'s bytes', () => {
    const T = envoyRoot().lookupType('envoy.service.discovery.v3.DiscoveryResponse');
    const msg = Buffer.from(T.encode(T.fromObject({
      version_info: '2026-11-25T10:00:00Z/7', type_url: NDS, nonce: 'n-1',
      resources: [{ type_url: NDS, value: bytes('first') }, { type_url: NDS, value: bytes('second') }, { type_url: NDS, value: bytes('third') }],
    })).finish());
    const head = responseHead('sotw', msg);
    expect(head).toMatchObject({ typeUrl: NDS, nonce: 'n-1', version: '2026-11-25T10:00:00Z/7', resources: 3 });
    const first = envoyRoot().lookupType('google.protobuf.Any').decode(head.firstResource!) as unknown as { value: Uint8Array };
    expect(Buffer.from(first.value).toString()).toBe('first');
  });

  it('delta: reads system_version_info as the version and counts the Resource entries', () => {
    const T = envoyRoot().lookupType('envoy.service.discovery.v3.DeltaDiscoveryResponse');
    const msg = Buffer.from(T.encode(T.fromObject({
      system_version_info: 'v9', type_url: CDS, nonce: 'n-2',
      resources: [{ name: 'a', version: '1' }, { name: 'b', version: '1' }],
      removed_resources: ['c'],
    })).finish());
    expect(responseHead('delta', msg)).toMatchObject({ typeUrl: CDS, nonce: 'n-2', version: 'v9', resources: 2 });
  });

  it('no resources: no first resource', () => {
    const T = envoyRoot().lookupType('envoy.service.discovery.v3.DiscoveryResponse');
    const head = responseHead('sotw', Buffer.from(T.encode(T.fromObject({ type_url: NDS, nonce: 'n-3' })).finish()));
    expect(head.resources).toBe(0);
    expect(head.firstResource).toBeUndefined();
  });
});
