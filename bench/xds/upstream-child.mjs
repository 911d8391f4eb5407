// The istiod stand-in of the xDS bench, in a process of its own (istiod never shares Envoy's
// process, so a direct connection must cross processes too): a plaintext HTTP/2 server for the ADS
// method that answers every DiscoveryRequest with one CDS DiscoveryResponse of the size named in
// the request's first resource_names entry. Each size's response is built and framed once and the
// same buffer written every time: every path gets the same bytes, and the stand-in makes no
// garbage per response, so its own GC (istiod's is not on the VM) stays out of the numbers.
// Nagle is off, as istiod (Go) sets TCP_NODELAY.
//
//   node bench/xds/upstream-child.mjs   (prints "port <n>")
import * as http2 from 'node:http2';
import { register } from 'tsx/esm/api';

register();
const protobuf = (await import('protobufjs')).default;

const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const cache = new Map();
/** The framed (5-byte prefix + message) response of `size` bytes of resource. */
function response(size) {
  if (!cache.has(size)) {
    const any = protobuf.Writer.create().uint32(10).string(CDS).uint32(18).bytes(Buffer.alloc(size, 7)).finish();
    const msg = Buffer.from(protobuf.Writer.create().uint32(10).string('v1').uint32(18).bytes(any).uint32(34).string(CDS).uint32(42).string('x').finish());
    const head = Buffer.alloc(5);
    head.writeUInt32BE(msg.length, 1);
    cache.set(size, Buffer.concat([head, msg]));
  }
  return cache.get(size);
}
/** DiscoveryRequest.resource_names (field 3), first entry, as a number of bytes. */
function askedSize(req) {
  const r = protobuf.Reader.create(req);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === 26) return Number(r.string());
    r.skipType(tag & 7);
  }
  return 1024;
}

const server = http2.createServer({ settings: { initialWindowSize: 16 << 20 }, maxSessionMemory: Number.MAX_SAFE_INTEGER });
server.on('connection', (socket) => socket.setNoDelay(true));
server.on('session', (s) => { s.on('error', () => undefined); s.setLocalWindowSize(16 << 20); });
server.on('stream', (stream) => {
  stream.on('error', () => undefined);
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  // Requests are small: split the stream into messages by their 5-byte prefixes.
  let pending = Buffer.alloc(0);
  stream.on('data', (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 5 && pending.length >= 5 + pending.readUInt32BE(1)) {
      const len = pending.readUInt32BE(1);
      stream.write(response(askedSize(pending.subarray(5, 5 + len))));
      pending = pending.subarray(5 + len);
    }
  });
  stream.on('end', () => stream.end());
});
const port = await new Promise((res) => server.listen(0, '127.0.0.1', () => res(server.address().port)));
console.log(`port ${port}`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
