/**
 * The one way to reach istiod (CA and xDS share :15012). Owned by src/istiod.
 */
import type * as http2 from 'node:http2';
import type * as grpc from '@grpc/grpc-js';

export type IstiodTarget = 'ca' | 'xds';

export interface IstiodConnector {
  /**
   * A grpc-js client for `target` with TLS verified against the configured root, the configured
   * server name, keepalive, and the current workload certificate as client certificate when it
   * is valid (none when missing or expired). Call it again after a rotation to get a client that
   * presents the new certificate; callers close clients they no longer use.
   */
  client<C extends grpc.Client>(
    ctor: new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ClientOptions) => C,
    target: IstiodTarget,
  ): C;
  /**
   * An HTTP/2 connection to istiod with the same TLS root, server name and client-certificate
   * rule as client(), for a caller that speaks gRPC's framing itself (the xDS proxy: bytes in,
   * bytes out). A new one after a rotation presents the new certificate; callers close it.
   */
  session(target: IstiodTarget): http2.ClientHttp2Session;
  /**
   * Per-call metadata: `authorization: Bearer <token>` (the token file re-read on every call;
   * omitted when the file is absent), `ClusterID`, and the configured extra headers.
   */
  metadata(target: IstiodTarget): Promise<grpc.Metadata>;
}
