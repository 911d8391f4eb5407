/**
 * The one way to reach istiod (CA and xDS share :15012). Owned by src/istiod.
 */
import type * as http2 from 'node:http2';
import type { Metadata } from '../grpc/metadata.js';

export type IstiodTarget = 'ca' | 'xds';

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
