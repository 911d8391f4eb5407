/**
 * The one way to reach istiod (CA and xDS share :15012). Owned by src/istiod.
 */
import type * as http2 from 'node:http2';
import type { Metadata } from '../grpc/metadata.js';

export type IstiodTarget = 'ca' | 'xds';

/** The client certificate the connector may present (a WorkloadIdentity is one). */
export interface ClientCertificate {
  readonly certChainPem: string;
  readonly keyPem: string;
  /** Trust anchors that came with it: a root rotated through a renewal is trusted for istiod too. */
  readonly rootPem: string;
  readonly notBefore: number;
  readonly notAfter: number;
}

/**
 * What the connector needs from identity, and nothing more (src/identity implements it; the
 * connector never imports identity): the current certificate and the bootstrap token.
 */
export interface ClientCredentials {
  /** The current certificate, or undefined before the first one. */
  current(): ClientCertificate | undefined;
  /** The istio-token, re-read on every call; undefined when the file is absent or empty. */
  bearerToken(): string | undefined;
}

export interface IstiodConnector {
  /**
   * A new HTTP/2 connection to istiod for src/grpc's calls, with TLS verified against the
   * configured root and server name, keepalive, and the current workload certificate as client
   * certificate when it is valid (none when missing or expired). A new one after a rotation
   * presents the new certificate; callers close it (a call that owns its session does).
   */
  session(target: IstiodTarget): http2.ClientHttp2Session;
  /**
   * Per-call metadata: `authorization: Bearer <token>` (the token file re-read on every call;
   * omitted when the file is absent), `clusterid`, and the configured extra headers.
   */
  metadata(target: IstiodTarget): Promise<Metadata>;
}
