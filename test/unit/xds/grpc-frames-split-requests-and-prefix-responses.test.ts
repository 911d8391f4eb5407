// Envoy's requests and istiod's responses arrive as gRPC length-prefixed messages cut anywhere by
// HTTP/2 and socket reads: the reader must hand out each message whole, in order, whatever the
// cuts, and refuse what it cannot read. What it costs matters too: a message inside one chunk is
// a view of it (no copy), one across chunks is copied once into a buffer of exactly its size.
import { describe, expect, it } from 'vitest';
import { frameHeader, GrpcFrameReader } from '../../../src/grpc/frames.js';

const framed = (msg: Buffer) => Buffer.concat([frameHeader(msg.length), msg]);
const messages = [Buffer.alloc(0), Buffer.from('a'), Buffer.from('hello'), Buffer.alloc(70_000, 3), Buffer.from([0, 0, 0, 0, 5])];
const wire = Buffer.concat(messages.map(framed));

/** Deterministic cut points (a small LCG), so a failure reproduces. */
function cuts(seed: number, maxLen: number): Buffer[] {
  const out: Buffer[] = [];
  let s = seed;
  for (let pos = 0; pos < wire.length;) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const n = 1 + (s % maxLen);
    out.push(wire.subarray(pos, pos + n));
    pos += n;
  }
  return out;
}

/** Cuts `buf` into chunks of `n` bytes, each in a buffer of its own (as socket reads are). */
function* cutsOf(buf: Buffer, n: number): Generator<Buffer> {
  for (let pos = 0; pos < buf.length; pos += n) yield Buffer.from(buf.subarray(pos, pos + n));
}

describe('GrpcFrameReader', () => {
  it.each([
    ['one chunk', [wire]],
    ['byte by byte', [...wire].map((b) => Buffer.from([b]))],
    ['cuts of up to 7 bytes', cuts(1, 7)],
    ['cuts of up to 20 000 bytes', cuts(2, 20_000)],
  ])('hands out every message whole and in order: %s', (_name, chunks) => {
    const reader = new GrpcFrameReader();
    const got = chunks.flatMap((c) => reader.push(c));
    expect(got.map((b) => b.toString('hex'))).toEqual(messages.map((b) => b.toString('hex')));
  });

  it('a message inside one chunk is a view of that chunk, not a copy', () => {
    const chunk = framed(Buffer.from('a view'));
    const [msg] = new GrpcFrameReader().push(chunk);
    expect(msg!.buffer).toBe(chunk.buffer);
    expect(msg!.byteOffset).toBe(chunk.byteOffset + 5);
  });

  it('a message across chunks is one buffer of exactly its size, holding none of the chunks', () => {
    const big = Buffer.alloc(70_000, 3);
    const chunks = [...cutsOf(framed(big), 16_384)];
    const reader = new GrpcFrameReader();
    const [msg] = chunks.flatMap((c) => reader.push(c));
    expect(msg!.equals(big)).toBe(true);
    expect(msg!.byteLength).toBe(70_000);
    expect(msg!.buffer.byteLength).toBe(70_000);
    for (const c of chunks) expect(msg!.buffer).not.toBe(c.buffer);
  });

  it('refuses a compressed message (Envoy sends none unless told to)', () => {
    expect(() => new GrpcFrameReader().push(Buffer.from([1, 0, 0, 0, 1, 9]))).toThrow(/compressed/);
  });

  it('refuses a message over the limit as soon as its prefix arrives', () => {
    expect(() => new GrpcFrameReader(10).push(frameHeader(11))).toThrow(/11 bytes is over the proxy's limit of 10/);
  });

  it('prefixes a response with flag 0 and the big-endian length', () => {
    expect([...frameHeader(0x01020304)]).toEqual([0, 1, 2, 3, 4]);
  });
});
