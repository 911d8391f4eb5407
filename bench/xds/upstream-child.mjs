// The istiod stand-in of the xDS bench, in a process of its own (istiod never shares Envoy's
// process, so a direct connection must cross processes too): a plaintext ADS server that answers
// every DiscoveryRequest with one CDS DiscoveryResponse of the size named in the request's first
// resource_names entry. Each size's response is built once and reused: every path gets the same bytes.
//
//   node bench/xds/upstream-child.mjs   (prints "port <n>")
import { register } from 'tsx/esm/api';

register();
const grpc = await import('@grpc/grpc-js');
const protobuf = (await import('protobufjs')).default;
const { ADS_SERVICE } = await import('../../src/xds/proxy.ts');

const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const cache = new Map();
function response(size) {
  if (!cache.has(size)) {
    const any = protobuf.Writer.create().uint32(10).string(CDS).uint32(18).bytes(Buffer.alloc(size, 7)).finish();
    cache.set(size, Buffer.from(protobuf.Writer.create().uint32(10).string('v1').uint32(18).bytes(any).uint32(34).string(CDS).uint32(42).string('x').finish()));
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

const server = new grpc.Server({ 'grpc.max_send_message_length': -1 });
server.addService(ADS_SERVICE, {
  StreamAggregatedResources: (call) => {
    call.on('data', (req) => call.write(response(askedSize(req))));
    call.on('end', () => call.end());
    call.on('error', () => {});
  },
  DeltaAggregatedResources: (call) => call.end(),
});
const port = await new Promise((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
// istiod (Go) sets TCP_NODELAY on every connection; grpc-js's server leaves Nagle on. Match istiod.
for (const h2 of server.http2Servers?.keys() ?? []) h2.on('connection', (socket) => socket.setNoDelay(true));
console.log(`port ${port}`);
process.stdin.resume();
process.stdin.on('end', () => { server.forceShutdown(); process.exit(0); });
