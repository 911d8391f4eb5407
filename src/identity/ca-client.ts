/**
 * One CreateCertificate call to istiod's CA through the istiod connector (a session of its own,
 * closed when the call ends, so a renewed client certificate is presented on the next), with
 * istiod's answers mapped to vmlet codes: UNAUTHENTICATED, INVALID_ARGUMENT, TLS failures (root
 * mismatch, wrong name) and unreachability each get their own code and a message that says what to do.
 */
import { VmletError } from '../errors.js';
import { unaryCall } from '../grpc/client.js';
import { GrpcError, Status, statusName } from '../grpc/status.js';
import type { IstiodConnector } from '../istiod/types.js';
import { CREATE_CERTIFICATE_PATH, decodeResponse, encodeRequest, type CertificateResponse } from '../proto/ca-service.js';
import './errors.js';

export interface CsrCall {
  readonly csrPem: string;
  readonly ttlSeconds: number;
  readonly certSigner: string;
  readonly timeoutMs: number;
  /** For messages: the address dialled and how we authenticated. */
  readonly address: string;
  readonly auth: 'certificate' | 'token';
}

/**
 * istiod's CreateCertificate answer: bytes that are not an IstioCertificateResponse are
 * VMLET_CA_BAD_CHAIN (istiod answered, with something unusable), not the decoder's RangeError,
 * which the manager would report as "istiod unreachable".
 */
export function decodeCertificateResponse(bytes: Uint8Array): CertificateResponse {
  try {
    return decodeResponse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    throw new VmletError('VMLET_CA_BAD_CHAIN', `istiod's certificate chain is unusable: its answer does not decode as an IstioCertificateResponse (${(err as Error).message})`, { cause: err });
  }
}

export async function createCertificate(connector: IstiodConnector, call: CsrCall): Promise<CertificateResponse> {
  try {
    const metadata = await connector.metadata('ca');
    const request = encodeRequest({ csr: call.csrPem, validityDuration: call.ttlSeconds, metadata: { CertSigner: call.certSigner } });
    const response = await unaryCall(connector.session('ca'), CREATE_CERTIFICATE_PATH, request, { metadata, timeoutMs: call.timeoutMs, peer: 'istiod' });
    return decodeCertificateResponse(response);
  } catch (err) {
    if (err instanceof GrpcError) throw mapError(err, call);
    throw err;
  }
}

/** Node's codes for a TLS handshake that failed (OpenSSL's verify errors, Node's name check). */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|UNABLE_TO_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|HOSTNAME_MISMATCH$)/;

function isTlsFailure(err: GrpcError): boolean {
  const cause = err.cause as { code?: unknown } | undefined;
  if (typeof cause?.code === 'string' && TLS_CODE.test(cause.code)) return true;
  return /certificate|self.signed|altnames|SSL|TLS|handshake/i.test(err.details);
}

function mapError(err: GrpcError, call: CsrCall): VmletError {
  const details = { address: call.address, grpcCode: err.code, auth: call.auth };
  const text = err.details;
  if (err.code === Status.UNAUTHENTICATED) {
    const fix = call.auth === 'certificate'
      ? 'the client certificate was not accepted (istiod rotated its root?); vmlet falls back to the token when one is valid'
      : 'istiod did not accept the istio-token: check it was minted for this cluster (ClusterID) with audience istio-ca, and that istiod can review tokens';
    return new VmletError('VMLET_CA_UNAUTHENTICATED', `istiod at ${call.address} refused the certificate request (${text}): ${fix}`, { cause: err, details });
  }
  if (err.code === Status.INVALID_ARGUMENT) {
    return new VmletError('VMLET_CA_REJECTED', `istiod at ${call.address} rejected the certificate request (${text}): check identity.certTtl against istiod's MAX_WORKLOAD_CERT_TTL`, { cause: err, details });
  }
  if (isTlsFailure(err)) {
    return new VmletError(
      'VMLET_CA_TLS',
      `TLS to istiod at ${call.address} failed (${text}): root-cert.pem must be the mesh root that signed istiod's certificate, and istiod.serverName must be a name in it`,
      { cause: err, details },
    );
  }
  return new VmletError('VMLET_CA_UNAVAILABLE', `istiod's CA at ${call.address} did not answer (${statusName(err.code)}: ${text}); retrying`, { cause: err, details });
}
