/**
 * Property tests for the messages vmlet reads off the wire: xDS requests (Envoy) and responses
 * (istiod) through the proxy's head readers, Envoy's SDS requests, and istiod's CreateCertificate
 * answer. For any bytes up to 4 KB and mutations of valid encodings, each decoder returns or
 * throws a VmletError with its documented code; a RangeError from protobuf inside a socket
 * handler would have been an uncaught exception (vmlet exits).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isVmletError } from '../../../src/errors.js';
import { decodeCertificateResponse } from '../../../src/identity/ca-client.js';
import { encodeResponse as encodeCaResponse } from '../../../src/proto/ca-service.js';
import { decodeRequest as decodeSdsRequest, encodeRequest as encodeSdsRequest, encodeResponse as encodeSdsResponse, encodeSecret } from '../../../src/sds/codec.js';
import { encodeAck, encodeHealth, encodeSubscribe, requestHead, resourceValue, responseHead, TYPE, type XdsFlavor } from '../../../src/xds/wire.js';
import { bytesInput, RUNS } from '../../helpers/mutate.js';

function expectOnly(code: string, fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(isVmletError(err), `not a VmletError: ${String(err)}`).toBe(true);
    expect((err as { code: string }).code).toBe(code);
  }
}

const flavor = fc.constantFrom<XdsFlavor>('sotw', 'delta');
const secret = encodeSecret('default', { kind: 'root', rootPem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' });
// A SotW DiscoveryResponse (SDS uses the same message) and requests as the proxy writes them.
const RESPONSE = encodeSdsResponse('v1', 'n1', [secret, secret]);
const REQUESTS = (['sotw', 'delta'] as const).flatMap((f) => [
  encodeAck(f, { typeUrl: TYPE.nameTable, nonce: 'n', version: 'v', resources: 1 }, 'bad table'),
  encodeHealth(f, false, 'HTTP probe failed'),
  encodeSubscribe(f, TYPE.listener),
]);

describe('xDS messages survive any bytes', { timeout: 60_000 }, () => {
  it("requests from Envoy: a head or VMLET_XDS_MALFORMED", () => {
    fc.assert(fc.property(flavor, bytesInput(...REQUESTS), (f, bytes) => {
      expectOnly('VMLET_XDS_MALFORMED', () => requestHead(f, bytes));
    }), RUNS);
  });

  it("responses from istiod: a head (and its first resource's value) or VMLET_XDS_MALFORMED", () => {
    fc.assert(fc.property(flavor, bytesInput(RESPONSE), (f, bytes) => {
      expectOnly('VMLET_XDS_MALFORMED', () => {
        const head = responseHead(f, bytes);
        expect(head.resources).toBeGreaterThanOrEqual(head.firstResource ? 1 : 0);
        if (head.firstResource) resourceValue(f, head.firstResource);
      });
    }), RUNS);
  });
});

describe('SDS requests and CA answers survive any bytes', { timeout: 60_000 }, () => {
  const sdsRequests = [
    encodeSdsRequest({ nodeId: 'sidecar~10.0.0.1~vm.ns~ns.svc.cluster.local', resourceNames: ['default'], typeUrl: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret' }),
    encodeSdsRequest({ resourceNames: ['ROOTCA'], responseNonce: 'n', versionInfo: 'v', errorDetail: { code: 13, message: 'bad' } }),
  ];
  it("Envoy's SDS request: a request or VMLET_SDS_BAD_REQUEST", () => {
    fc.assert(fc.property(bytesInput(...sdsRequests), (bytes) => {
      expectOnly('VMLET_SDS_BAD_REQUEST', () => {
        const r = decodeSdsRequest(bytes);
        expect(Array.isArray(r.resourceNames)).toBe(true);
      });
    }), RUNS);
  });

  it("istiod's CreateCertificate answer: a chain of strings or VMLET_CA_BAD_CHAIN", () => {
    const answer = encodeCaResponse({ certChain: ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', '-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n'] });
    fc.assert(fc.property(bytesInput(answer), (bytes) => {
      expectOnly('VMLET_CA_BAD_CHAIN', () => {
        const r = decodeCertificateResponse(bytes);
        for (const c of r.certChain) expect(typeof c).toBe('string');
      });
    }), RUNS);
  });
});
