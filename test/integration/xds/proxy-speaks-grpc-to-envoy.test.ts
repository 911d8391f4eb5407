// The proxy serves Envoy with its own HTTP/2 gRPC server (src/xds/downstream.ts), so what grpc-js
// did for it must hold here: statuses reach the client intact (Trailers-Only before any message,
// trailers after), details with any characters survive, an unknown method is UNIMPLEMENTED, a
// cancelled Envoy stream cancels its upstream stream, and large responses arrive whole. The
// client is a plain grpc-js client (as an independent gRPC implementation); the upstream is a FAKE
// istiod on loopback that answers as each test tells it.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHttp2Session } from '../../../src/istiod/h2-session.js';
import type { IstiodConnector } from '../../../src/istiod/types.js';
import { silentLogger } from '../../../src/log.js';
import { ADS_SERVICE, XdsProxy } from '../../../src/xds/proxy.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

type Duplex = grpc.ClientDuplexStream<Buffer, Buffer>;
const Ctor = grpc.makeGenericClientConstructor(ADS_SERVICE as unknown as grpc.ServiceDefinition, 'ADS');
const CDS = Buffer.from('type.googleapis.com/envoy.config.cluster.v3.Cluster');
const field = (tag: number, b: Buffer) => Buffer.concat([Buffer.from([tag]), varint(b.length), b]);
const varint = (n: number) => { const out: number[] = []; while (n > 127) { out.push((n & 127) | 128); n >>>= 7; } out.push(n); return Buffer.from(out); };
const REQUEST = field(0x22, CDS);
const response = (payload: Buffer) => Buffer.concat([field(0x12, Buffer.concat([field(0x0a, CDS), field(0x12, payload)])), field(0x22, CDS)]);

/** FAKE istiod: each stream is handed to the current test. */
const upstreamCalls: grpc.ServerDuplexStream<Buffer, Buffer>[] = [];
const cancelled: number[] = [];
const upstream = new grpc.Server({ 'grpc.max_send_message_length': -1 });
let tmp: TmpDir;
let proxy: XdsProxy;
let envoy: grpc.Client;

beforeAll(async () => {
  upstream.addService(ADS_SERVICE as unknown as grpc.ServiceDefinition, {
    StreamAggregatedResources: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      const i = upstreamCalls.push(call) - 1;
      call.on('data', () => undefined);
      call.on('error', () => undefined);
      call.on('cancelled', () => cancelled.push(i));
    },
    DeltaAggregatedResources: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => call.end(),
  });
  const port = await new Promise<number>((res, rej) => upstream.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  /** FAKE connector: plaintext to the fake istiod. */
  const connector: IstiodConnector = {
    session: () => openHttp2Session({ address: `127.0.0.1:${port}`, tls: undefined, keepaliveMs: 30_000, keepaliveTimeoutMs: 10_000 }),
    metadata: async () => ({}),
  };
  tmp = makeTmpDir('xds-grpc');
  proxy = new XdsProxy({ socketPath: join(tmp.path, 'XDS'), connector, logger: silentLogger() });
  await proxy.listen();
  envoy = new Ctor(`unix://${join(tmp.path, 'XDS')}`, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 });
});
afterAll(() => {
  envoy?.close();
  proxy?.destroy();
  upstream.forceShutdown();
  tmp?.cleanup();
});

/** Opens an Envoy stream and waits for its upstream stream. */
async function open(): Promise<{ down: Duplex; up: grpc.ServerDuplexStream<Buffer, Buffer>; index: number; got: Buffer[]; status: Promise<grpc.StatusObject> }> {
  const index = upstreamCalls.length;
  const down = (envoy as unknown as { StreamAggregatedResources: () => Duplex }).StreamAggregatedResources();
  const got: Buffer[] = [];
  down.on('data', (b: Buffer) => got.push(b));
  down.on('error', () => undefined);
  const status = new Promise<grpc.StatusObject>((resolve) => down.on('status', resolve));
  down.write(REQUEST);
  const up = await waitFor(() => upstreamCalls[index], { what: 'upstream stream' });
  return { down, up, index, got, status };
}

describe("the proxy's gRPC server for Envoy", () => {
  it('passes a status after messages in trailers, with details of any characters intact', async () => {
    const { up, got, status } = await open();
    const r = response(Buffer.from('one'));
    up.write(r);
    await waitFor(() => got.length === 1, { what: 'the response' });
    const details = 'cannot find WorkloadGroup "bär/vm-app": 100% missing\nretry later';
    up.emit('error', { code: grpc.status.FAILED_PRECONDITION, details });
    const s = await status;
    expect(got[0]!.equals(r)).toBe(true);
    expect(s.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(s.details).toBe(details);
  });

  it('ends with OK when istiod ends the stream', async () => {
    const { up, status } = await open();
    up.end();
    expect((await status).code).toBe(grpc.status.OK);
  });

  it("cancels the upstream stream when Envoy cancels its own", async () => {
    const { down, index } = await open();
    down.cancel();
    await waitFor(() => cancelled.includes(index), { what: 'upstream cancelled' });
  });

  it('delivers several large responses whole and in order', async () => {
    const { down, up, got } = await open();
    const sizes = [3 * 1024 * 1024, 17, 700_001];
    const sent = sizes.map((n, i) => response(Buffer.alloc(n, i + 1)));
    for (const r of sent) up.write(r);
    await waitFor(() => got.length === sent.length, { what: 'three responses', timeoutMs: 10_000 });
    expect(got.map((b, i) => b.equals(sent[i]!))).toEqual([true, true, true]);
    down.end();
  });

  it('ends a call whose request it cannot read (compressed) INTERNAL, and its upstream stream', async () => {
    const gzipEnvoy = new Ctor(`unix://${join(tmp.path, 'XDS')}`, grpc.credentials.createInsecure(), { 'grpc.default_compression_algorithm': 2 });
    try {
      const index = upstreamCalls.length;
      const down = (gzipEnvoy as unknown as { StreamAggregatedResources: () => Duplex }).StreamAggregatedResources();
      down.on('error', () => undefined);
      const status = new Promise<grpc.StatusObject>((resolve) => down.on('status', resolve));
      await waitFor(() => upstreamCalls[index], { what: 'upstream stream' });
      down.write(REQUEST);
      const s = await status;
      expect(s.code).toBe(grpc.status.INTERNAL);
      expect(s.details).toMatch(/compressed/);
      await waitFor(() => cancelled.includes(index), { what: 'upstream cancelled' });
    } finally {
      gzipEnvoy.close();
    }
  });

  it('answers a method it does not serve UNIMPLEMENTED', async () => {
    const Other = grpc.makeGenericClientConstructor({
      Nope: { path: '/envoy.service.discovery.v3.AggregatedDiscoveryService/Nope', requestStream: false, responseStream: false, requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b },
    } as unknown as grpc.ServiceDefinition, 'Other');
    const other = new Other(`unix://${join(tmp.path, 'XDS')}`, grpc.credentials.createInsecure());
    try {
      const err = await new Promise<grpc.ServiceError>((resolve) => (other as unknown as { Nope: (b: Buffer, cb: (e: grpc.ServiceError) => void) => void }).Nope(Buffer.alloc(0), resolve));
      expect(err.code).toBe(grpc.status.UNIMPLEMENTED);
    } finally {
      other.close();
    }
  });
});
