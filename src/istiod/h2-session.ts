/**
 * The HTTP/2 connection to istiod every gRPC call of vmlet's goes through (the CA's
 * CreateCertificate, the xDS proxy's streams): src/grpc's session with istiod's settings, a
 * 16 MiB window and keepalive pings. TLS is the connector's (connector.ts).
 */
import type * as http2 from 'node:http2';
import type * as tls from 'node:tls';
import { connectSession } from '../grpc/session.js';

/**
 * The HTTP/2 window (stream and connection) istiod may fill before vmlet reads. At the 64 KiB
 * default every 64 KiB of a large response waits a round trip for a WINDOW_UPDATE (a 10 MB CDS
 * over a 1 ms link: ~160 ms of stalls); Envoy, talking to istiod directly, uses 256 MiB. vmlet
 * reads at once, so the window does not add memory (bench/xds: 10 MB p50 added ~19 -> ~12 ms).
 */
export const ISTIOD_WINDOW_BYTES = 16 << 20;

export interface Http2SessionOptions {
  /** host:port of istiod. */
  readonly address: string;
  /** TLS options (ca, cert, key, servername); undefined: plaintext (tests and benchmarks only). */
  readonly tls: tls.ConnectionOptions | undefined;
  /** Ping istiod this often; an unanswered ping closes the connection after timeoutMs. */
  readonly keepaliveMs: number;
  readonly keepaliveTimeoutMs: number;
}

/** Opens a session to istiod; it connects in the background and fails its streams if it cannot. Callers close it. */
export function openHttp2Session(opts: Http2SessionOptions): http2.ClientHttp2Session {
  return connectSession({ ...opts, windowBytes: ISTIOD_WINDOW_BYTES, peer: 'istiod' });
}
