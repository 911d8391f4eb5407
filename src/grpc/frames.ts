/**
 * gRPC's length-prefixed messages on an HTTP/2 stream (PROTOCOL-HTTP2.md): one byte "compressed",
 * four bytes big-endian length, the message. Pure: no I/O.
 */

/** Envoy's requests are small; a bound keeps a broken peer from growing the proxy without end. */
export const MAX_REQUEST_BYTES = 64 * 1024 * 1024;

/**
 * Splits a stream's DATA into messages; throws on a compressed or oversized message. A message
 * that lies in one chunk is handed out as a view of it (no copy: the common case for xDS); one
 * that spans chunks is copied, chunk by chunk as they arrive, into one buffer allocated when its
 * prefix is read, so each chunk is garbage at once and a 50 MB response takes its size once,
 * not twice (chunks kept and then joined). Holding views of every chunk instead would keep each
 * socket read buffer node allocated for them, often far larger than the data they hold.
 */
export class GrpcFrameReader {
  private readonly head = Buffer.alloc(5);
  private headFill = 0;
  /** The message being assembled, and how much of it has arrived. */
  private msg: Buffer | undefined;
  private fill = 0;

  constructor(private readonly maxBytes = MAX_REQUEST_BYTES) {}

  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.msg === undefined) {
        const n = Math.min(5 - this.headFill, chunk.length - pos);
        chunk.copy(this.head, this.headFill, pos, pos + n);
        pos += n;
        this.headFill += n;
        if (this.headFill < 5) break;
        this.headFill = 0;
        if (this.head[0] !== 0) throw new Error('compressed gRPC messages are not supported (vmlet and Envoy ask for none)');
        const len = this.head.readUInt32BE(1);
        if (len > this.maxBytes) throw new Error(`a message of ${len} bytes is over the proxy's limit of ${this.maxBytes}`);
        if (chunk.length - pos >= len) {
          out.push(chunk.subarray(pos, pos + len));
          pos += len;
          continue;
        }
        this.msg = Buffer.allocUnsafe(len);
        this.fill = 0;
      }
      const n = Math.min(this.msg.length - this.fill, chunk.length - pos);
      chunk.copy(this.msg, this.fill, pos, pos + n);
      pos += n;
      this.fill += n;
      if (this.fill === this.msg.length) {
        out.push(this.msg);
        this.msg = undefined;
      }
    }
    return out;
  }
}

/** The 5-byte prefix of an uncompressed message of `length` bytes. */
export function frameHeader(length: number): Buffer {
  const h = Buffer.allocUnsafe(5);
  h[0] = 0;
  h.writeUInt32BE(length, 1);
  return h;
}
