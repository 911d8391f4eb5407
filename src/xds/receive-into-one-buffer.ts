/**
 * Makes grpc-js assemble each received message in one buffer allocated when its 5-byte prefix
 * arrives, copying every HTTP/2 chunk in as it comes, instead of keeping all chunks until the
 * last one and then concatenating them. The result is the same framed Buffer (prefix included),
 * but a 50 MB istiod response no longer holds 50 MB of chunks AND the 50 MB copy at once: each
 * chunk is garbage once copied. This is what keeps the proxy's peak memory near 1x the message.
 *
 * grpc-js exposes no hook for its decoder, so this replaces StreamDecoder.prototype.write (the one
 * method its client and server calls use) for the whole process. If a grpc-js upgrade changes
 * that class, nothing is replaced and grpc-js's own decoder keeps working.
 */
// A static import of the very module grpc-js requires internally: node caches it by path and
// esbuild bundles it once, so the class patched here is the one grpc-js's calls construct.
import * as streamDecoder from '@grpc/grpc-js/build/src/stream-decoder.js';

interface DecoderState {
  maxReadMessageLength: number;
  vmletHead?: Buffer;
  vmletHeadFill?: number;
  vmletMsg?: Buffer | undefined;
  vmletFill?: number;
}

/** The replacement write(): same contract as grpc-js's (returns whole framed messages; throws over the limit). */
export function writeIntoOneBuffer(this: DecoderState, data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  const head = (this.vmletHead ??= Buffer.alloc(5));
  let pos = 0;
  while (pos < data.length) {
    if (this.vmletMsg === undefined) {
      const fill = this.vmletHeadFill ?? 0;
      const n = Math.min(5 - fill, data.length - pos);
      data.copy(head, fill, pos, pos + n);
      pos += n;
      this.vmletHeadFill = fill + n;
      if (this.vmletHeadFill < 5) break;
      this.vmletHeadFill = 0;
      const size = head.readUInt32BE(1);
      if (this.maxReadMessageLength !== -1 && size > this.maxReadMessageLength) {
        throw new Error(`Received message larger than max (${size} vs ${this.maxReadMessageLength})`);
      }
      this.vmletMsg = Buffer.allocUnsafe(size + 5);
      head.copy(this.vmletMsg, 0);
      this.vmletFill = 5;
    }
    const msg = this.vmletMsg;
    const n = Math.min(msg.length - (this.vmletFill ?? 5), data.length - pos);
    data.copy(msg, this.vmletFill, pos, pos + n);
    pos += n;
    this.vmletFill = (this.vmletFill ?? 5) + n;
    if (this.vmletFill === msg.length) {
      out.push(msg);
      this.vmletMsg = undefined;
    }
  }
  return out;
}

let installed: boolean | undefined;

/** Installs writeIntoOneBuffer once; false when grpc-js's decoder is not the expected shape. */
export function receiveIntoOneBuffer(): boolean {
  if (installed !== undefined) return installed;
  try {
    const mod = streamDecoder as unknown as { StreamDecoder?: { prototype: { write?: unknown } } };
    const proto = mod.StreamDecoder?.prototype;
    installed = typeof proto?.write === 'function' && new (mod.StreamDecoder as unknown as new (n: number) => DecoderState)(-1).maxReadMessageLength === -1;
    if (installed && proto) proto.write = writeIntoOneBuffer;
  } catch {
    installed = false;
  }
  return installed;
}
