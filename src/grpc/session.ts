/**
 * A client HTTP/2 connection for gRPC calls (client.ts): TLS (ALPN h2, which grpc-go requires) or
 * plaintext, the HTTP/2 window the peer may fill before vmlet reads, TCP_NODELAY, keepalive pings.
 * It connects in the background; a failure reaches the calls on it as UNAVAILABLE. Callers close it.
 */
import * as http2 from 'node:http2';
import type * as tls from 'node:tls';
import { keepPinging } from './keepalive.js';

export interface SessionOptions {
  /** host:port. */
  readonly address: string;
  /** TLS options (ca, cert, key, servername, checkServerIdentity); undefined: plaintext. */
  readonly tls: tls.ConnectionOptions | undefined;
  /** HTTP/2 window (stream and connection); default: HTTP/2's 64 KiB. */
  readonly windowBytes?: number;
  /** Ping this often; an unanswered ping closes the connection after keepaliveTimeoutMs. Default: no pings. */
  readonly keepaliveMs?: number;
  readonly keepaliveTimeoutMs?: number;
  /** Who answers, for the keepalive failure ("istiod"). */
  readonly peer: string;
}

/** Opens a session; it connects in the background and fails its streams if it cannot. */
export function connectSession(opts: SessionOptions): http2.ClientHttp2Session {
  const secure = opts.tls !== undefined;
  const window = opts.windowBytes;
  // With https, node:http2 connects through tls.connect with these options and ALPN h2.
  const session = http2.connect(`${secure ? 'https' : 'http'}://${opts.address}`, {
    ...opts.tls,
    settings: { ...(window !== undefined ? { initialWindowSize: window } : {}), enablePush: false },
    // Node's per-session memory cap (10 MB) only hurts a client of large messages (xDS).
    maxSessionMemory: Number.MAX_SAFE_INTEGER,
  });
  session.on('error', () => undefined); // reported to each stream, which owns the status
  session.once('connect', (s: http2.ClientHttp2Session, socket) => {
    // Go servers set TCP_NODELAY; so does grpc-js. Without it a small request waits for Nagle.
    (socket as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
    // A call may have ended the session (its deadline, a close) between the handshake and this
    // event; setLocalWindowSize would then throw out of an event handler and end the process
    // (bench/fleet.mjs: 50 agents starting on a loaded istiod).
    if (window !== undefined && !s.destroyed) s.setLocalWindowSize(window);
  });
  if (opts.keepaliveMs !== undefined) {
    keepPinging(session, opts.keepaliveMs, opts.keepaliveTimeoutMs ?? 20_000, `${opts.peer} did not answer a keepalive ping`);
  }
  return session;
}
