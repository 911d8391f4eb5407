/**
 * gRPC's length-prefixed messages on an HTTP/2 stream (PROTOCOL-HTTP2.md): one byte "compressed",
 * four bytes big-endian length, the message. Pure: no I/O.
 */

/** Envoy's requests are small; a bound keeps a broken peer from growing the proxy without end. */
export const MAX_REQUEST_BYTES = 64 * 1024 * 1024;

/** Splits a stream's DATA into messages; throws on a compressed or oversized message. */
export class GrpcFrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Length of the message whose prefix was read, until the message is complete. */
  private need: number | undefined;

  constructor(private readonly maxBytes = MAX_REQUEST_BYTES) {}

  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const out: Buffer[] = [];
    for (;;) {
      if (this.need === undefined) {
        if (this.pendingBytes < 5) return out;
        const head = this.take(5);
        if (head[0] !== 0) throw new Error('compressed gRPC messages are not supported (Envoy sends none unless told to)');
        const len = head.readUInt32BE(1);
        if (len > this.maxBytes) throw new Error(`a request of ${len} bytes is over the proxy's limit of ${this.maxBytes}`);
        this.need = len;
      }
      if (this.pendingBytes < this.need) return out;
      out.push(this.take(this.need));
      this.need = undefined;
    }
  }

  /** Removes the first n pending bytes (n <= pendingBytes); each byte is copied at most once. */
  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    this.pendingBytes -= n;
    const first = this.pending[0]!;
    if (first.length >= n) {
      if (first.length === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const parts: Buffer[] = [];
    let got = 0;
    let i = 0;
    while (got < n) {
      const c = this.pending[i]!;
      const use = Math.min(c.length, n - got);
      parts.push(c.subarray(0, use));
      got += use;
      if (use < c.length) this.pending[i] = c.subarray(use);
      else i += 1;
    }
    this.pending.splice(0, i);
    return Buffer.concat(parts, n);
  }
}

/** The 5-byte prefix of an uncompressed message of `length` bytes. */
export function frameHeader(length: number): Buffer {
  const h = Buffer.allocUnsafe(5);
  h[0] = 0;
  h.writeUInt32BE(length, 1);
  return h;
}
