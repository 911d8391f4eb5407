/**
 * A plain HTTP/2 connection to istiod, for the xDS proxy, which speaks gRPC's framing itself so
 * that istiod's responses reach Envoy as the bytes the socket delivered, framed once and never
 * decoded (src/xds/upstream.ts); grpc-js's client keeps a chain of objects per message, most of a
 * busy proxy's garbage. Same transport settings as the grpc-js channels (connector.ts): TLS with
 * the given root, server name and client certificate, ALPN h2 (grpc-go refuses TLS without it),
 * a 16 MiB window, keepalive pings.
 */
import * as http2 from 'node:http2';
import type * as tls from 'node:tls';
import { keepPinging } from '../http2-keepalive.js';

/** The HTTP/2 window (stream and connection) istiod may fill before vmlet reads (connector.ts). */
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

/** Opens a session; it connects in the background and fails its streams if it cannot. Callers close it. */
export function openHttp2Session(opts: Http2SessionOptions): http2.ClientHttp2Session {
  const secure = opts.tls !== undefined;
  // With https, node:http2 connects through tls.connect with these options and ALPN h2.
  const session = http2.connect(`${secure ? 'https' : 'http'}://${opts.address}`, {
    ...opts.tls,
    settings: { initialWindowSize: ISTIOD_WINDOW_BYTES, enablePush: false },
    // Node's per-session memory cap (10 MB) only hurts a proxy relaying large messages.
    maxSessionMemory: Number.MAX_SAFE_INTEGER,
  });
  session.on('error', () => undefined); // reported to each stream, which owns the status
  session.once('connect', (s: http2.ClientHttp2Session, socket) => {
    // istiod (Go) sets TCP_NODELAY; so does grpc-js. Without it a small request waits for Nagle.
    (socket as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
    s.setLocalWindowSize(ISTIOD_WINDOW_BYTES);
  });
  keepPinging(session, opts.keepaliveMs, opts.keepaliveTimeoutMs, 'istiod did not answer a keepalive ping');
  return session;
}
