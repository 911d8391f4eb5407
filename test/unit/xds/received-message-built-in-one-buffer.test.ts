// The proxy replaces grpc-js's message decoder with one that copies each HTTP/2 chunk into a
// buffer allocated from the message's prefix (so a 50 MB response is not held twice). It must
// give exactly what grpc-js's own decoder gives, for any cuts, and it must really be installed in
// the grpc-js version the project ships (else the proxy's memory target silently regresses).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { receiveIntoOneBuffer, writeIntoOneBuffer } from '../../../src/xds/receive-into-one-buffer.js';

type Decoder = { write(b: Buffer): Buffer[] };
const { StreamDecoder } = createRequire(import.meta.url)('@grpc/grpc-js/build/src/stream-decoder.js') as { StreamDecoder: (new (max: number) => Decoder) & { prototype: Decoder } };
const grpcJsWrite = StreamDecoder.prototype.write;
const ours = writeIntoOneBuffer as unknown as (this: Decoder, b: Buffer) => Buffer[];

const frame = (msg: Buffer) => { const h = Buffer.alloc(5); h.writeUInt32BE(msg.length, 1); return Buffer.concat([h, msg]); };
const msgs = [Buffer.alloc(0), Buffer.from('x'), Buffer.alloc(5000, 1), Buffer.alloc(300_000, 2)];
const wire = Buffer.concat(msgs.map(frame));

function decodeWith(write: (this: Decoder, b: Buffer) => Buffer[], chunkLen: number, max = -1): string[] {
  const d = new StreamDecoder(max);
  const out: Buffer[] = [];
  for (let pos = 0; pos < wire.length; pos += chunkLen) out.push(...write.call(d, wire.subarray(pos, pos + chunkLen)));
  return out.map((b) => b.toString('hex'));
}

describe('received messages built in one buffer', () => {
  it.each([1, 3, 5, 16_384, 65_536, 1 << 20])('gives what grpc-js gives, framed, for %i-byte chunks', (n) => {
    const got = decodeWith(ours, n);
    expect(got).toEqual(decodeWith(grpcJsWrite, n));
    expect(got).toHaveLength(msgs.length);
  });

  it('refuses a message over the receive limit, as grpc-js does', () => {
    expect(() => decodeWith(ours, 100, 4000)).toThrow(/larger than max \(5000 vs 4000\)/);
  });

  it("is installed in the project's grpc-js", () => {
    expect(receiveIntoOneBuffer()).toBe(true);
    expect(StreamDecoder.prototype.write).toBe(writeIntoOneBuffer);
  });
});
