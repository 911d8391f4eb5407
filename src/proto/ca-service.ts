/**
 * Istio's CA service (istio.v1.auth.IstioCertificateService, proto/istio/ca.proto): its one
 * method's path and the request and response, encoded by the static protobufjs code generated
 * from that file. Field numbers from Istio's security/v1alpha1/ca.proto:
 *   IstioCertificateRequest  { csr = 1 (string); validity_duration = 3 (int64 seconds);
 *                              metadata = 4 (google.protobuf.Struct) }   field 2 is never sent.
 *   IstioCertificateResponse { cert_chain = 1 (repeated string) }
 * Only string values of the metadata Struct are read; other kinds are skipped.
 */
import { istio } from '../../proto/generated/messages.js';

const { IstioCertificateRequest: Request, IstioCertificateResponse: Response } = istio.v1.auth;

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
  return Buffer.from(Request.encode({ csr: req.csr, validity_duration: Math.trunc(req.validityDuration), metadata: { fields } }).finish());
}

export function decodeRequest(buf: Buffer): CertificateRequest {
  const m = Request.decode(buf);
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.metadata?.fields ?? {})) if (typeof v.stringValue === 'string') metadata[k] = v.stringValue;
  // int64 is a Long when the `long` package is reachable, else a number.
  return { csr: m.csr ?? '', validityDuration: Number(m.validity_duration?.toString() ?? 0), metadata };
}

export function encodeResponse(res: CertificateResponse): Buffer {
  return Buffer.from(Response.encode({ cert_chain: [...res.certChain] }).finish());
}

export function decodeResponse(buf: Buffer): CertificateResponse {
  return { certChain: Response.decode(buf).cert_chain ?? [] };
}
