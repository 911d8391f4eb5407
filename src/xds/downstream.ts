/**
 * Envoy's side of the xDS proxy: a gRPC server for the two ADS methods on Node's own http2, so a
 * response istiod sent is written to Envoy without a copy. grpc-js's server copies every message
 * into a new buffer to prefix its 5-byte header; for a 50 MB response that copy alone is 1x the
 * message in the proxy's peak memory. Here the prefix and the message as received from istiod
 * (upstream.ts) go out as two buffers of one writev. It also sets the HTTP/2 window Envoy may
 * fill, which grpc-js's server does not expose.
 */
import { EventEmitter } from 'node:events';
import * as http2 from 'node:http2';
import { keepPinging } from '../http2-keepalive.js';
import { GrpcFrameReader, frameHeader } from './grpc-frames.js';
import type { XdsFlavor } from './wire.js';

const BASE = '/envoy.service.discovery.v3.AggregatedDiscoveryService';
const FLAVORS: Readonly<Record<string, XdsFlavor>> = { [`${BASE}/StreamAggregatedResources`]: 'sotw', [`${BASE}/DeltaAggregatedResources`]: 'delta' };
const { HTTP2_HEADER_STATUS: STATUS, HTTP2_HEADER_CONTENT_TYPE: CONTENT_TYPE, HTTP2_HEADER_PATH: PATH } = http2.constants;
/** gRPC status codes used here (grpc/doc/statuscodes.md). */
const CODE = { OK: 0, INTERNAL: 13, UNIMPLEMENTED: 12 } as const;

/** Per-message percent-encoding of grpc-message (PROTOCOL-HTTP2.md). */
const encodeGrpcMessage = (s: string): string => Buffer.from(s).toString('latin1').replace(/[^\x20-\x24\x26-\x7e]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

/**
 * One of Envoy's ADS calls. Events: 'end' (Envoy half-closed), 'gone' (the call ended other than
 * by the proxy's finish(): Envoy cancelled, reset or disconnected, or sent what cannot be read). Requests flow once receive() is called; until
 * then they wait in the stream (and in HTTP/2 flow control).
 */
export class DownstreamCall extends EventEmitter {
  private headersSent = false;
  private finished = false;

  constructor(readonly flavor: XdsFlavor, private readonly stream: http2.ServerHttp2Stream) {
    super();
    stream.on('error', () => undefined);
    stream.on('close', () => {
      if (!this.finished) {
        this.finished = true;
        this.emit('gone');
      }
    });
  }

  /** True once the call ended, by finish() or by Envoy. */
  get done(): boolean {
    return this.finished;
  }

  /** Starts delivering Envoy's request messages, in order. */
  receive(onMessage: (msg: Buffer) => void): void {
    const reader = new GrpcFrameReader();
    this.stream.on('data', (chunk: Buffer) => {
      try {
        for (const msg of reader.push(chunk)) onMessage(msg);
      } catch (err) {
        // A request the proxy cannot read ends the call, and with it the upstream stream.
        this.finish(CODE.INTERNAL, (err as Error).message);
        this.emit('gone');
      }
    });
    this.stream.on('end', () => this.emit('end'));
  }

  /** Sends one response message; the bytes are not copied. */
  write(msg: Buffer): void {
    if (this.finished || this.stream.destroyed) return;
    this.sendHeaders();
    // Two writes in one writev: the prefix and the message istiod sent, neither copied.
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

export interface DownstreamServerOptions {
  /** HTTP/2 window (stream and connection) Envoy may fill before the proxy reads. */
  readonly windowBytes: number;
  /** Ping Envoy this often; a ping unanswered for timeoutMs closes the connection. */
  readonly keepaliveMs: number;
  readonly keepaliveTimeoutMs: number;
}

/** The http2 server for Envoy's ADS calls; any other method is answered UNIMPLEMENTED. */
export class DownstreamServer {
  private readonly server: http2.Http2Server;
  private readonly sessions = new Set<http2.ServerHttp2Session>();

  constructor(opts: DownstreamServerOptions, onCall: (call: DownstreamCall) => void) {
    // Like grpc-js: Node's session memory cap only hurts a proxy that relays large messages.
    this.server = http2.createServer({ settings: { initialWindowSize: opts.windowBytes }, maxSessionMemory: Number.MAX_SAFE_INTEGER });
    this.server.on('session', (session: http2.ServerHttp2Session) => {
      this.sessions.add(session);
      session.on('error', () => undefined);
      session.setLocalWindowSize(opts.windowBytes);
      keepPinging(session, opts.keepaliveMs, opts.keepaliveTimeoutMs, 'Envoy did not answer a keepalive ping');
      session.once('close', () => this.sessions.delete(session));
    });
    this.server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
      stream.on('error', () => undefined);
      const flavor = FLAVORS[String(headers[PATH])];
      if (flavor === undefined) {
        stream.respond({ [STATUS]: 200, [CONTENT_TYPE]: 'application/grpc', 'grpc-status': String(CODE.UNIMPLEMENTED), 'grpc-message': encodeGrpcMessage(`unknown method ${String(headers[PATH])}`) }, { endStream: true });
        return;
      }
      onCall(new DownstreamCall(flavor, stream));
    });
  }

  listen(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(path, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Stops listening and lets Envoy's connections close after their calls ended (GOAWAY); bounded. */
  async close(graceMs = 5_000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sessions) s.close();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs); });
    await Promise.race([closed, late]);
    clearTimeout(timer);
    this.destroy();
  }

  /** Drops every connection now. */
  destroy(): void {
    this.server.close();
    for (const s of this.sessions) s.destroy();
  }
}
