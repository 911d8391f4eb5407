/**
 * Istio's CA service (istio.v1.auth.IstioCertificateService), embedded: the bundle cannot read
 * .proto files at run time. Field numbers from Istio's security/v1alpha1/ca.proto:
 *   IstioCertificateRequest  { csr = 1 (string); validity_duration = 3 (int64 seconds);
 *                              metadata = 4 (google.protobuf.Struct) }   field 2 is never sent.
 *   IstioCertificateResponse { cert_chain = 1 (repeated string) }
 * Only the parts of google.protobuf.Struct/Value vmlet uses are declared (string values); other
 * Value kinds are skipped as unknown fields on decode.
 */
import protobuf from 'protobufjs/light.js';

const root = protobuf.Root.fromJSON(({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Struct: { fields: { fields: { keyType: 'string', type: 'Value', id: 1 } } },
            Value: {
              oneofs: { kind: { oneof: ['numberValue', 'stringValue', 'boolValue'] } },
              fields: { numberValue: { type: 'double', id: 2 }, stringValue: { type: 'string', id: 3 }, boolValue: { type: 'bool', id: 4 } },
            },
          },
        },
      },
    },
    istio: {
      nested: {
        v1: {
          nested: {
            auth: {
              nested: {
                IstioCertificateRequest: {
                  fields: {
                    csr: { type: 'string', id: 1 },
                    validityDuration: { type: 'int64', id: 3 },
                    metadata: { type: 'google.protobuf.Struct', id: 4 },
                  },
                },
                IstioCertificateResponse: { fields: { certChain: { rule: 'repeated', type: 'string', id: 1 } } },
              },
            },
          },
        },
      },
    },
  },
}) as unknown as protobuf.INamespace);

const RequestType = root.lookupType('istio.v1.auth.IstioCertificateRequest');
const ResponseType = root.lookupType('istio.v1.auth.IstioCertificateResponse');

export const CA_SERVICE_NAME = 'istio.v1.auth.IstioCertificateService';
export const CREATE_CERTIFICATE_PATH = `/${CA_SERVICE_NAME}/CreateCertificate`;

export interface CertificateRequest {
  readonly csr: string;
  /** Requested TTL in whole seconds. */
  readonly validityDuration: number;
  /** Struct of string values; the agent always sends CertSigner. */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface CertificateResponse {
  readonly certChain: readonly string[];
}

export function encodeRequest(req: CertificateRequest): Buffer {
  const fields: Record<string, { stringValue: string }> = {};
  for (const [k, v] of Object.entries(req.metadata)) fields[k] = { stringValue: v };
  const msg = RequestType.fromObject({ csr: req.csr, validityDuration: String(Math.trunc(req.validityDuration)), metadata: { fields } });
  return Buffer.from(RequestType.encode(msg).finish());
}

export function decodeRequest(buf: Buffer): CertificateRequest {
  const o = RequestType.toObject(RequestType.decode(buf), { longs: Number, defaults: true }) as {
    csr: string;
    validityDuration: number;
    metadata?: { fields?: Record<string, { stringValue?: string }> };
  };
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.metadata?.fields ?? {})) if (typeof v.stringValue === 'string') metadata[k] = v.stringValue;
  return { csr: o.csr, validityDuration: o.validityDuration, metadata };
}

export function encodeResponse(res: CertificateResponse): Buffer {
  return Buffer.from(ResponseType.encode(ResponseType.fromObject({ certChain: [...res.certChain] })).finish());
}

export function decodeResponse(buf: Buffer): CertificateResponse {
  const o = ResponseType.toObject(ResponseType.decode(buf), { defaults: true }) as { certChain: string[] };
  return { certChain: o.certChain };
}
