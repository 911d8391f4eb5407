// Found by the property tests (test/unit/properties): protobuf's RangeError and "invalid wire
// type" errors escaped the xDS head readers (inside socket handlers: an uncaught exception), the
// SDS request decoder and the CA answer decoder (reported as "istiod unreachable").
import { describe, expect, it } from 'vitest';
import { decodeCertificateResponse } from '../../../src/identity/ca-client.js';
import { decodeRequest } from '../../../src/sds/codec.js';
import { requestHead, responseHead } from '../../../src/xds/wire.js';

const TRUNCATED = Uint8Array.from([0x12]); // field 2, length-delimited, length missing
const WIRE_TYPE_6 = Uint8Array.from([0x0e]);

describe('undecodable messages are VmletErrors with their capability code', () => {
  it.each([['truncated', TRUNCATED], ['wire type 6', WIRE_TYPE_6]])('%s', (_name, bytes) => {
    for (const flavor of ['sotw', 'delta'] as const) {
      expect(() => responseHead(flavor, bytes)).toThrow(expect.objectContaining({ code: 'VMLET_XDS_MALFORMED' }));
      expect(() => requestHead(flavor, bytes)).toThrow(expect.objectContaining({ code: 'VMLET_XDS_MALFORMED' }));
    }
    expect(() => decodeRequest(bytes)).toThrow(expect.objectContaining({ code: 'VMLET_SDS_BAD_REQUEST' }));
    expect(() => decodeCertificateResponse(bytes)).toThrow(expect.objectContaining({ code: 'VMLET_CA_BAD_CHAIN', message: expect.stringMatching(/does not decode as an IstioCertificateResponse/) }));
  });
});
