/**
 * gRPC calls on a node:http2 client session (PROTOCOL-HTTP2.md): a streaming call whose messages
 * arrive as the bytes the socket delivered (a view of the chunk when a message fits in one, else
 * assembled once: frames.ts), never re-framed or decoded, and a unary call on top of it. A call
 * ends exactly once, with the peer's status from the trailers, or the status gRPC gives what went
 * wrong below it: UNAVAILABLE for a failed or lost connection, the mapped code for an HTTP status
 * or a reset, DEADLINE_EXCEEDED when its deadline passes first. Encoding the messages is the
 * caller's (protobufjs, src/proto).
 */
import * as http2 from 'node:http2';
import { frameHeader, GrpcFrameReader } from './frames.js';
import { metadataHeaders, type Metadata } from './metadata.js';
import { codeForHttpStatus, codeForReset, decodeGrpcMessage, GrpcError, grpcTimeout, Status, type CallStatus } from './status.js';

export interface CallHandlers {
  /** One response message (prefix removed). */
  message(msg: Buffer): void;
  /** The call ended; called once. `cause`: the transport failure behind an UNAVAILABLE. */
  status(status: CallStatus, cause?: Error): void;
}

export interface CallOptions {
  /** Custom metadata (authorization, ClusterID, ...). */
  readonly metadata?: Metadata;
  /** The call fails with DEADLINE_EXCEEDED this long after it starts (connecting included); sent as grpc-timeout. */
  readonly timeoutMs?: number;
  /** Who answers, for status details ("istiod"). */
  readonly peer: string;
  /** The largest response message accepted (bytes); default: no limit (istiod's reach tens of MB). */
  readonly maxMessageBytes?: number;
  /** Ending the call also closes the session (one session per call). Default true. */
  readonly ownsSession?: boolean;
}

/** How long a closing session may take to flush before it is dropped (ms). */
const SESSION_CLOSE_GRACE_MS = 5_000;
const { NGHTTP2_CANCEL, NGHTTP2_NO_ERROR, HTTP2_HEADER_METHOD, HTTP2_HEADER_PATH } = http2.constants;

/** One gRPC call. Writes before the session connects are queued by node:http2. */
export class ClientCall {
  private readonly stream: http2.ClientHttp2Stream;
  private readonly reader: GrpcFrameReader;
  private httpStatus: number | undefined;
  private grpcStatus: CallStatus | undefined;
  /** Why the connection failed (refused, TLS, lost), when it did. */
  private connectionFailure: Error | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private ended = false;

  /** Starts the call `path` ("/package.Service/Method"); responses and the status go to `on`. */
  constructor(private readonly session: http2.ClientHttp2Session, path: string, private readonly opts: CallOptions, private readonly on: CallHandlers) {
    this.reader = new GrpcFrameReader(opts.maxMessageBytes ?? Number.MAX_SAFE_INTEGER);
    const peer = opts.peer;
    session.on('error', this.onSessionError);
    this.stream = session.request({
      ...metadataHeaders(opts.metadata ?? {}),
      [HTTP2_HEADER_METHOD]: 'POST',
      [HTTP2_HEADER_PATH]: path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...(opts.timeoutMs !== undefined ? { 'grpc-timeout': grpcTimeout(opts.timeoutMs) } : {}),
    }, { endStream: false });
    if (opts.timeoutMs !== undefined) {
      this.deadline = setTimeout(() => {
        this.finish({ code: Status.DEADLINE_EXCEEDED, details: `${peer} did not answer within ${opts.timeoutMs} ms` }, this.connectionFailure, NGHTTP2_CANCEL);
      }, opts.timeoutMs);
    }
    const stream = this.stream;
    // A stream error is either a reset (ERR_HTTP2_STREAM_ERROR: rstCode says which) or the
    // session's failure (refused, TLS, lost), which can reach the stream before the session.
    // A stream still waiting for the connection is cancelled with the session's failure as cause.
    stream.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_HTTP2_STREAM_ERROR') return;
      this.connectionFailure ??= err.code === 'ERR_HTTP2_STREAM_CANCEL' && err.cause instanceof Error ? err.cause : err;
    });
    stream.on('response', (h: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader) => {
      this.httpStatus = Number(h[':status']);
      // Trailers-Only: the status came with the headers.
      if (h['grpc-status'] !== undefined) this.takeStatus(h);
    });
    stream.on('trailers', (t: http2.IncomingHttpHeaders) => this.takeStatus(t));
    stream.on('data', (chunk: Buffer) => {
      if (this.ended) return;
      let msgs: Buffer[];
      try {
        msgs = this.reader.push(chunk);
      } catch (err) {
        this.finish({ code: Status.INTERNAL, details: `vmlet could not read ${peer}'s response: ${(err as Error).message}` }, undefined, NGHTTP2_CANCEL);
        return;
      }
      for (const m of msgs) {
        if (this.ended) return;
        this.on.message(m);
      }
    });
    // The peer's status ends the call: 'end' comes after the last message and the trailers (the
    // peer has finished; vmlet may not have), 'close' after a reset or a lost connection.
    stream.on('end', () => this.finish(this.statusAtClose(), this.connectionFailure));
    stream.on('close', () => this.finish(this.statusAtClose(), this.connectionFailure));
  }

  /** Sends one request message (prefix and message in one writev; the message is not copied). */
  write(msg: Uint8Array): void {
    if (this.ended || this.stream.destroyed) return;
    this.stream.cork();
    this.stream.write(frameHeader(msg.length));
    this.stream.write(msg);
    this.stream.uncork();
  }

  /** Half-closes: no more requests. */
  end(): void {
    if (!this.ended && !this.stream.destroyed) this.stream.end();
  }

  /** Ends the call now (RST_STREAM CANCEL), and its session if it owns it; no status is reported. */
  cancel(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.deadline);
    if (!this.stream.destroyed) this.stream.close(NGHTTP2_CANCEL);
    this.closeSession();
  }

  /** GOAWAY after the RST_STREAM has gone out; a connection that cannot even say goodbye is dropped. */
  private closeSession(): void {
    if (this.opts.ownsSession === false) {
      // A session shared by calls keeps listening for failures of its own, not for this call's.
      queueMicrotask(() => this.session.off('error', this.onSessionError));
      return;
    }
    this.session.close();
    setTimeout(() => this.session.destroy(), SESSION_CLOSE_GRACE_MS).unref();
  }

  private takeStatus(h: http2.IncomingHttpHeaders): void {
    if (this.grpcStatus !== undefined) return;
    const code = Number(h['grpc-status']);
    this.grpcStatus = Number.isInteger(code) && code >= 0 && code <= 16
      ? { code, details: decodeGrpcMessage(h['grpc-message']) }
      : { code: Status.UNKNOWN, details: `${this.opts.peer} sent grpc-status ${String(h['grpc-status'])}` };
  }

  /** What the call ended with, once the stream is closed. */
  private statusAtClose(): CallStatus {
    const peer = this.opts.peer;
    if (this.grpcStatus !== undefined) return this.grpcStatus;
    if (this.httpStatus !== undefined && this.httpStatus !== 200) {
      return { code: codeForHttpStatus(this.httpStatus), details: `${peer} answered HTTP status ${this.httpStatus}` };
    }
    if (this.connectionFailure !== undefined) {
      // Connection refused, TLS rejected, connection lost: gRPC calls these UNAVAILABLE.
      return { code: Status.UNAVAILABLE, details: `${peer} connection failed: ${this.connectionFailure.message}` };
    }
    if (this.session.destroyed || this.session.closed) return { code: Status.UNAVAILABLE, details: `the connection to ${peer} closed` };
    const rst = this.stream.rstCode;
    if (rst !== undefined && rst !== NGHTTP2_NO_ERROR) return { code: codeForReset(rst), details: `${peer} reset the stream (HTTP/2 error ${rst})` };
    return { code: Status.UNAVAILABLE, details: `${peer} closed the stream without a gRPC status` };
  }

  private readonly onSessionError = (err: Error): void => { this.connectionFailure ??= err; };

  /** Ends the call once: the stream closed with `rst`, the session (if owned), the status reported. */
  private finish(status: CallStatus, cause?: Error, rst: number = NGHTTP2_NO_ERROR): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.deadline);
    if (!this.stream.destroyed) this.stream.close(rst);
    this.closeSession();
    this.on.status(status, status.code === Status.UNAVAILABLE ? cause : undefined);
  }
}

/**
 * One unary call: `request` out, exactly one response message back. Rejects with a GrpcError
 * for any status but OK, and for OK with no message or more than one (gRPC's cardinality rule).
 */
export function unaryCall(session: http2.ClientHttp2Session, path: string, request: Uint8Array, opts: CallOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const messages: Buffer[] = [];
    const call = new ClientCall(session, path, opts, {
      message: (m) => messages.push(m),
      status: (status, cause) => {
        if (status.code !== Status.OK) reject(new GrpcError(status, cause));
        else if (messages.length !== 1) reject(new GrpcError({ code: Status.INTERNAL, details: `${opts.peer} sent ${messages.length} response messages to a unary call` }));
        else resolve(messages[0]!);
      },
    });
    call.write(request);
    call.end();
  });
}
