/**
 * gRPC status codes, their names, and how a call that went wrong below gRPC (an HTTP status, an
 * HTTP/2 reset, a lost connection, a deadline) becomes one (grpc/doc/statuscodes.md,
 * http-grpc-status-mapping.md, PROTOCOL-HTTP2.md). Pure: no I/O.
 */
import { constants } from 'node:http2';

/** Every gRPC status code. */
export const Status = {
  OK: 0, CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10, OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14, DATA_LOSS: 15, UNAUTHENTICATED: 16,
} as const;
export type StatusName = keyof typeof Status;

const NAMES = Object.keys(Status) as StatusName[];

/** A gRPC status code's name, for logs and status lines ("14" for a code outside the table). */
export function statusName(code: number): string {
  return NAMES[code] ?? String(code);
}

/** How a call ended. */
export interface CallStatus {
  readonly code: number;
  readonly details: string;
}

/**
 * A call that ended with a status other than OK. `cause` is the transport failure behind an
 * UNAVAILABLE (refused, TLS rejected, lost), when there was one: callers tell TLS from the rest by it.
 */
export class GrpcError extends Error {
  readonly code: number;
  readonly details: string;

  constructor(status: CallStatus, cause?: Error) {
    super(`${statusName(status.code)}: ${status.details}`, cause ? { cause } : undefined);
    this.name = 'GrpcError';
    this.code = status.code;
    this.details = status.details;
  }
}

/** gRPC's mapping of an HTTP status other than 200 (http-grpc-status-mapping.md). */
export function codeForHttpStatus(status: number): number {
  if (status === 400) return Status.INTERNAL;
  if (status === 401) return Status.UNAUTHENTICATED;
  if (status === 403) return Status.PERMISSION_DENIED;
  if (status === 404) return Status.UNIMPLEMENTED;
  if (status === 429 || status === 502 || status === 503 || status === 504) return Status.UNAVAILABLE;
  return Status.UNKNOWN;
}

const { NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM, NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_INADEQUATE_SECURITY } = constants;

/** gRPC's mapping of an RST_STREAM code (PROTOCOL-HTTP2.md, "Errors"). */
export function codeForReset(rst: number): number {
  if (rst === NGHTTP2_REFUSED_STREAM) return Status.UNAVAILABLE;
  if (rst === NGHTTP2_CANCEL) return Status.CANCELLED;
  if (rst === NGHTTP2_ENHANCE_YOUR_CALM) return Status.RESOURCE_EXHAUSTED;
  if (rst === NGHTTP2_INADEQUATE_SECURITY) return Status.PERMISSION_DENIED;
  return Status.INTERNAL;
}

/** grpc-message is percent-encoded UTF-8 (PROTOCOL-HTTP2.md); undecodable text is kept as sent. */
export function decodeGrpcMessage(raw: unknown): string {
  const s = Array.isArray(raw) ? String(raw[0] ?? '') : String(raw ?? '');
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Percent-encodes grpc-message: every byte outside printable ASCII, and '%' itself. */
export function encodeGrpcMessage(s: string): string {
  return Buffer.from(s).toString('latin1').replace(/[^\x20-\x24\x26-\x7e]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * The grpc-timeout header for `ms` milliseconds: at most 8 digits, so a long timeout is sent in
 * a coarser unit (PROTOCOL-HTTP2.md: TimeoutValue is a positive integer of at most 8 digits).
 */
export function grpcTimeout(ms: number): string {
  const whole = Math.max(1, Math.ceil(ms));
  if (whole < 1e8) return `${whole}m`;
  const seconds = Math.ceil(whole / 1000);
  return seconds < 1e8 ? `${seconds}S` : `${Math.min(99_999_999, Math.ceil(seconds / 3600))}H`;
}
