/**
 * A gRPC server on node:http2, for vmlet's local peers on Unix sockets (Envoy's SDS and xDS
 * calls): calls routed by path, anything else answered UNIMPLEMENTED, the HTTP/2 window a client
 * may fill, keepalive pings, and a graceful (GOAWAY, bounded) and a forced stop. A ServerCall
 * frames what it writes without copying the message (the prefix and the message go out as two
 * buffers of one writev) and hands out requests as the reader assembled them (frames.ts).
 */
import { EventEmitter } from 'node:events';
import * as http2 from 'node:http2';
import { GrpcFrameReader, frameHeader } from './frames.js';
import { keepPinging } from './keepalive.js';
import { encodeGrpcMessage, Status } from './status.js';

const { HTTP2_HEADER_STATUS: STATUS, HTTP2_HEADER_CONTENT_TYPE: CONTENT_TYPE, HTTP2_HEADER_PATH: PATH } = http2.constants;

/**
 * One call, on the server's side. Events: 'end' (the client half-closed), 'gone' (the call ended
 * other than by finish(): the client cancelled, reset or disconnected, or sent what cannot be
 * read). Requests flow once receive() is called; until then they wait in the stream (and in
 * HTTP/2 flow control).
 */
export class ServerCall extends EventEmitter {
  private headersSent = false;
  private finished = false;

  constructor(private readonly stream: http2.ServerHttp2Stream, private readonly maxMessageBytes?: number) {
    super();
    stream.on('error', () => undefined);
    stream.on('close', () => {
      if (!this.finished) {
        this.finished = true;
        this.emit('gone');
      }
    });
  }

  /** True once the call ended, by finish() or by the client. */
  get done(): boolean {
    return this.finished;
  }

  /** Starts delivering the client's request messages, in order. */
  receive(onMessage: (msg: Buffer) => void): void {
    const reader = new GrpcFrameReader(this.maxMessageBytes);
    this.stream.on('data', (chunk: Buffer) => {
      try {
        for (const msg of reader.push(chunk)) onMessage(msg);
      } catch (err) {
        // A request that cannot be read ends the call.
        this.finish(Status.INTERNAL, (err as Error).message);
        this.emit('gone');
      }
    });
    this.stream.on('end', () => this.emit('end'));
  }

  /** Sends one response message; the bytes are not copied. */
  write(msg: Uint8Array): void {
    if (this.finished || this.stream.destroyed) return;
    this.sendHeaders();
    this.stream.cork();
    this.stream.write(frameHeader(msg.length));
    this.stream.write(msg);
    this.stream.uncork();
  }

  /** Ends the call with a gRPC status (0: OK). Idempotent. */
  finish(code: number, details = ''): void {
    if (this.finished) return;
    this.finished = true;
    const status = { 'grpc-status': String(code), ...(details ? { 'grpc-message': encodeGrpcMessage(details) } : {}) };
    if (this.stream.destroyed || this.stream.closed) return;
    if (!this.headersSent) {
      // Trailers-Only: nothing was sent yet, the status travels in the one HEADERS frame.
      this.headersSent = true;
      this.stream.respond({ [STATUS]: 200, [CONTENT_TYPE]: 'application/grpc', ...status }, { endStream: true });
      return;
    }
    this.stream.once('wantTrailers', () => this.stream.sendTrailers(status));
    this.stream.end();
  }

  private sendHeaders(): void {
    if (this.headersSent) return;
    this.headersSent = true;
    this.stream.respond({ [STATUS]: 200, [CONTENT_TYPE]: 'application/grpc' }, { waitForTrailers: true });
  }
}

export interface GrpcServerOptions {
  /** HTTP/2 window (stream and connection) a client may fill before the server reads; default 64 KiB. */
  readonly windowBytes?: number;
  /** Ping each client this often; one unanswered for keepaliveTimeoutMs closes its connection. Default: no pings. */
  readonly keepaliveMs?: number;
  readonly keepaliveTimeoutMs?: number;
  /** Who the clients are, for the keepalive failure ("Envoy"). */
  readonly peer: string;
  /** The largest request message accepted (bytes); default MAX_REQUEST_BYTES (frames.ts). */
  readonly maxMessageBytes?: number;
  /** HTTP/2 streams one client may have open at once; default: node:http2's. */
  readonly maxConcurrentStreams?: number;
}

/** A handler gets the call and the request headers (metadata). */
export type Handler = (call: ServerCall, headers: http2.IncomingHttpHeaders) => void;

/** An http2 server for the methods in `routes` ("/package.Service/Method" -> handler). */
export class GrpcServer {
  private readonly server: http2.Http2Server;
  private readonly sessions = new Set<http2.ServerHttp2Session>();

  constructor(opts: GrpcServerOptions, routes: Readonly<Record<string, Handler>>) {
    const window = opts.windowBytes;
    // Like grpc-js: Node's session memory cap only hurts a server that relays large messages.
    const settings: http2.Settings = {
      ...(window !== undefined ? { initialWindowSize: window } : {}),
      ...(opts.maxConcurrentStreams !== undefined ? { maxConcurrentStreams: opts.maxConcurrentStreams } : {}),
    };
    this.server = http2.createServer({ settings, maxSessionMemory: Number.MAX_SAFE_INTEGER });
    this.server.on('session', (session: http2.ServerHttp2Session) => {
      this.sessions.add(session);
      session.on('error', () => undefined);
      if (window !== undefined && !session.destroyed) {
        try { session.setLocalWindowSize(window); } catch { /* the peer left already */ }
      }
      if (opts.keepaliveMs !== undefined) keepPinging(session, opts.keepaliveMs, opts.keepaliveTimeoutMs ?? 20_000, `${opts.peer} did not answer a keepalive ping`);
      session.once('close', () => this.sessions.delete(session));
    });
    this.server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
      stream.on('error', () => undefined);
      if (!String(headers[CONTENT_TYPE] ?? '').startsWith('application/grpc')) {
        // Not gRPC: HTTP's answer (PROTOCOL-HTTP2.md).
        stream.respond({ [STATUS]: 415 }, { endStream: true });
        return;
      }
      const path = String(headers[PATH]);
      const handler = Object.hasOwn(routes, path) ? routes[path] : undefined;
      const call = new ServerCall(stream, opts.maxMessageBytes);
      if (handler === undefined) call.finish(Status.UNIMPLEMENTED, `unknown method ${path}`);
      else handler(call, headers);
    });
  }

  /** Listens on a Unix socket path (or anything net.Server.listen takes). */
  listen(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(path, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Stops listening and lets connections close after their calls ended (GOAWAY); bounded by graceMs. */
  async close(graceMs = 5_000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sessions) s.close();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs); });
    await Promise.race([closed, late]);
    clearTimeout(timer);
    this.destroy();
  }

  /** Drops every connection now. Idempotent. */
  destroy(): void {
    this.server.close();
    for (const s of this.sessions) s.destroy();
  }
}
