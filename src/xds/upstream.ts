/**
 * istiod's side of the xDS proxy: one gRPC bidirectional call on an HTTP/2 session of its own
 * (PROTOCOL-HTTP2.md), spoken directly on node:http2: a response is a view of the socket's chunk
 * when it fits in one, else assembled once (grpc-frames.ts), and never re-framed or decoded, so
 * forwarding it to Envoy costs one writev and the proxy makes little garbage of its own per
 * message. The call ends exactly once, with istiod's status from the trailers, or the status gRPC
 * gives a transport failure (UNAVAILABLE) or a reset.
 */
import * as http2 from 'node:http2';
import { frameHeader, GrpcFrameReader } from './grpc-frames.js';

/** gRPC status codes used here (grpc/doc/statuscodes.md). */
export const CODE = { OK: 0, CANCELLED: 1, UNKNOWN: 2, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14, UNAUTHENTICATED: 16 } as const;

const NAMES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

/** A gRPC status code's name, for logs and status lines. */
export function grpcCodeName(code: number): string {
  return NAMES[code] ?? String(code);
}

export interface UpstreamStatus {
  readonly code: number;
  readonly details: string;
}

export interface UpstreamHandlers {
  /** One response message (prefix removed). */
  message(msg: Buffer): void;
  /** The call ended; called once. */
  status(status: UpstreamStatus): void;
}

/** How long a closing session to istiod may take to flush before it is dropped (ms). */
const SESSION_CLOSE_GRACE_MS = 5_000;

const { NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM, NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_INADEQUATE_SECURITY, NGHTTP2_NO_ERROR } = http2.constants;

/** gRPC's mapping of an HTTP status other than 200 (doc/http-grpc-status-mapping.md). */
function codeForHttpStatus(status: number): number {
  if (status === 400) return CODE.INTERNAL;
  if (status === 401) return CODE.UNAUTHENTICATED;
  if (status === 403) return CODE.PERMISSION_DENIED;
  if (status === 404) return CODE.UNIMPLEMENTED;
  if (status === 429 || status === 502 || status === 503 || status === 504) return CODE.UNAVAILABLE;
  return CODE.UNKNOWN;
}

/** gRPC's mapping of RST_STREAM codes (PROTOCOL-HTTP2.md, "Errors"). */
function codeForReset(rst: number): number {
  if (rst === NGHTTP2_REFUSED_STREAM) return CODE.UNAVAILABLE;
  if (rst === NGHTTP2_CANCEL) return CODE.CANCELLED;
  if (rst === NGHTTP2_ENHANCE_YOUR_CALM) return CODE.RESOURCE_EXHAUSTED;
  if (rst === NGHTTP2_INADEQUATE_SECURITY) return CODE.PERMISSION_DENIED;
  return CODE.INTERNAL;
}

/** grpc-message is percent-encoded (PROTOCOL-HTTP2.md); undecodable text is kept as sent. */
function decodeGrpcMessage(raw: unknown): string {
  const s = Array.isArray(raw) ? String(raw[0] ?? '') : String(raw ?? '');
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** One xDS call to istiod. Owns its session: ending the call closes it. */
export class UpstreamCall {
  private readonly stream: http2.ClientHttp2Stream;
  // istiod's responses reach tens of MB in large meshes: no limit, as pilot-agent (MaxInt32).
  private readonly reader = new GrpcFrameReader(Number.MAX_SAFE_INTEGER);
  private httpStatus: number | undefined;
  private grpcStatus: UpstreamStatus | undefined;
  /** Why the connection failed (refused, TLS, lost), when it did. */
  private connectionFailure: Error | undefined;
  private ended = false;

  /**
   * Starts the call `path` with `headers` (authorization, ClusterID, ...). Responses and the
   * status go to `on`; writes before the session connects are queued by node:http2.
   */
  constructor(private readonly session: http2.ClientHttp2Session, path: string, headers: http2.OutgoingHttpHeaders, private readonly on: UpstreamHandlers) {
    session.on('error', (err: Error) => { this.connectionFailure ??= err; });
    this.stream = session.request({
      ...headers,
      [http2.constants.HTTP2_HEADER_METHOD]: 'POST',
      [http2.constants.HTTP2_HEADER_PATH]: path,
      'content-type': 'application/grpc',
      te: 'trailers',
    }, { endStream: false });
    const stream = this.stream;
    // A stream error is either a reset (ERR_HTTP2_STREAM_ERROR: rstCode says which) or the
    // session's failure (refused, TLS, lost), which can reach the stream before the session.
    stream.on('error', (err: Error & { code?: string }) => {
      if (err.code !== 'ERR_HTTP2_STREAM_ERROR') this.connectionFailure ??= err;
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
        this.finish({ code: CODE.INTERNAL, details: `vmlet could not read istiod's response: ${(err as Error).message}` });
        return;
      }
      for (const m of msgs) {
        if (this.ended) return;
        this.on.message(m);
      }
    });
    // istiod's status ends the call: 'end' comes after the last message and the trailers (istiod
    // has finished; vmlet may not have), 'close' after a reset or a lost connection.
    stream.on('end', () => this.finish(this.statusAtClose()));
    stream.on('close', () => this.finish(this.statusAtClose()));
  }

  /** Sends one request message (prefix and message in one writev; the message is not copied). */
  write(msg: Buffer): void {
    if (this.ended || this.stream.destroyed) return;
    this.stream.cork();
    this.stream.write(frameHeader(msg.length));
    this.stream.write(msg);
    this.stream.uncork();
  }

  /** Half-closes: no more requests (Envoy ended its side). */
  end(): void {
    if (!this.ended && !this.stream.destroyed) this.stream.end();
  }

  /** Ends the call now (RST_STREAM CANCEL) and the session; no status is reported. */
  cancel(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.stream.destroyed) this.stream.close(NGHTTP2_CANCEL);
    this.closeSession();
  }

  /** GOAWAY after the RST_STREAM has gone out; a connection that cannot even say goodbye is dropped. */
  private closeSession(): void {
    this.session.close();
    setTimeout(() => this.session.destroy(), SESSION_CLOSE_GRACE_MS).unref();
  }

  private takeStatus(h: http2.IncomingHttpHeaders): void {
    if (this.grpcStatus !== undefined) return;
    const code = Number(h['grpc-status']);
    this.grpcStatus = Number.isInteger(code) && code >= 0 && code <= 16
      ? { code, details: decodeGrpcMessage(h['grpc-message']) }
      : { code: CODE.UNKNOWN, details: `istiod sent grpc-status ${String(h['grpc-status'])}` };
  }

  /** What the call ended with, once the stream is closed. */
  private statusAtClose(): UpstreamStatus {
    if (this.grpcStatus !== undefined) return this.grpcStatus;
    if (this.httpStatus !== undefined && this.httpStatus !== 200) {
      return { code: codeForHttpStatus(this.httpStatus), details: `istiod answered HTTP status ${this.httpStatus}` };
    }
    if (this.connectionFailure !== undefined) {
      // Connection refused, TLS rejected, connection lost: gRPC calls these UNAVAILABLE.
      return { code: CODE.UNAVAILABLE, details: `istiod connection failed: ${this.connectionFailure.message}` };
    }
    if (this.session.destroyed || this.session.closed) return { code: CODE.UNAVAILABLE, details: 'the connection to istiod closed' };
    const rst = this.stream.rstCode;
    if (rst !== undefined && rst !== NGHTTP2_NO_ERROR) return { code: codeForReset(rst), details: `istiod reset the stream (HTTP/2 error ${rst})` };
    return { code: CODE.UNAVAILABLE, details: 'istiod closed the stream without a gRPC status' };
  }

  private finish(status: UpstreamStatus): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.stream.destroyed) this.stream.close(NGHTTP2_NO_ERROR);
    this.closeSession();
    this.on.status(status);
  }
}
