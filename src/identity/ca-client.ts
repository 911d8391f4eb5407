/**
 * One CreateCertificate call to istiod's CA through the istiod connector, with istiod's answers
 * mapped to vmlet codes: UNAUTHENTICATED, INVALID_ARGUMENT, TLS failures (root mismatch) and
 * unreachability each get their own code and a message that says what to do.
 */
import * as grpc from '@grpc/grpc-js';
import { VmletError } from '../errors.js';
import type { IstiodConnector } from '../istiod/types.js';
import { CaServiceClient, type CertificateResponse } from '../proto/ca-service.js';
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

export async function createCertificate(connector: IstiodConnector, call: CsrCall): Promise<CertificateResponse> {
  const client = connector.client(CaServiceClient, 'ca');
  try {
    const md = await connector.metadata('ca');
    return await new Promise<CertificateResponse>((resolve, reject) => {
      client.createCertificate(
        { csr: call.csrPem, validityDuration: call.ttlSeconds, metadata: { CertSigner: call.certSigner } },
        md,
        { deadline: Date.now() + call.timeoutMs },
        (err, res) => (err ? reject(err) : resolve(res!)),
      );
    });
  } catch (err) {
    throw mapError(err as grpc.ServiceError, call);
  } finally {
    client.close();
  }
}

function mapError(err: grpc.ServiceError, call: CsrCall): VmletError {
  const details = { address: call.address, grpcCode: err.code, auth: call.auth };
  const text = `${err.details ?? err.message}`;
  if (err.code === grpc.status.UNAUTHENTICATED) {
    const fix = call.auth === 'certificate'
      ? 'the client certificate was not accepted (istiod rotated its root?); vmlet falls back to the token when one is valid'
      : 'istiod did not accept the istio-token: check it was minted for this cluster (ClusterID) with audience istio-ca, and that istiod can review tokens';
    return new VmletError('VMLET_CA_UNAUTHENTICATED', `istiod at ${call.address} refused the certificate request (${text}): ${fix}`, { cause: err, details });
  }
  if (err.code === grpc.status.INVALID_ARGUMENT) {
    return new VmletError('VMLET_CA_REJECTED', `istiod at ${call.address} rejected the certificate request (${text}): check identity.certTtl against istiod's MAX_WORKLOAD_CERT_TTL`, { cause: err, details });
  }
  if (/certificate|self.signed|altnames|SSL|TLS|handshake/i.test(text)) {
    return new VmletError(
      'VMLET_CA_TLS',
      `TLS to istiod at ${call.address} failed (${text}): root-cert.pem must be the mesh root that signed istiod's certificate, and istiod.serverName must be a name in it`,
      { cause: err, details },
    );
  }
  return new VmletError('VMLET_CA_UNAVAILABLE', `istiod's CA at ${call.address} did not answer (${grpc.status[err.code] ?? err.code}: ${text}); retrying`, { cause: err, details });
}
