// What the proxy reads of Envoy's requests (type_url, response_nonce, SotW version_info and a
// NACK's error_detail message), from requests encoded with Envoy's own discovery protos.
import { describe, expect, it } from 'vitest';
import { requestHead } from '../../../src/xds/wire.js';
import { envoyRoot } from '../../helpers/envoy-protos.js';

const LDS = 'type.googleapis.com/envoy.config.listener.v3.Listener';
const encode = (type: string, o: Record<string, unknown>) => {
  const T = envoyRoot().lookupType(`envoy.service.discovery.v3.${type}`);
  return Buffer.from(T.encode(T.fromObject(o)).finish());
};

describe('requestHead', () => {
  it('SotW NACK: the last accepted version, the nonce answered and the error message; resource names skipped', () => {
    const msg = encode('DiscoveryRequest', {
      version_info: 'v1', type_url: LDS, response_nonce: 'n-2', resource_names: ['a', 'b'],
      node: { id: 'sidecar~1.2.3.4~x.y~y.svc.cluster.local' },
      error_detail: { code: 13, message: 'Error adding/updating listener(s) x: bad' },
    });
    expect(requestHead('sotw', msg)).toEqual({ typeUrl: LDS, nonce: 'n-2', version: 'v1', error: 'Error adding/updating listener(s) x: bad' });
  });

  it('SotW ACK and first request: no error; the first has no nonce', () => {
    expect(requestHead('sotw', encode('DiscoveryRequest', { version_info: 'v2', type_url: LDS, response_nonce: 'n-3' }))).toEqual({ typeUrl: LDS, nonce: 'n-3', version: 'v2' });
    expect(requestHead('sotw', encode('DiscoveryRequest', { type_url: LDS, node: { id: 'n' } }))).toEqual({ typeUrl: LDS, nonce: '', version: '' });
  });

  it('delta: nonce from field 6, error from field 7, no version', () => {
    const msg = encode('DeltaDiscoveryRequest', {
      type_url: LDS, response_nonce: 'd-1', resource_names_subscribe: ['*'],
      initial_resource_versions: { a: '1' }, error_detail: { code: 3, message: 'nope' },
    });
    expect(requestHead('delta', msg)).toEqual({ typeUrl: LDS, nonce: 'd-1', version: '', error: 'nope' });
  });

  it('a NACK whose status has no message still counts as one', () => {
    const msg = encode('DeltaDiscoveryRequest', { type_url: LDS, response_nonce: 'd-2', error_detail: { code: 13 } });
    expect(requestHead('delta', msg).error).toBe('');
  });
});
