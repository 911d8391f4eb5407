// With DNS on, the xDS proxy asks istiod for NDS itself, on every upstream stream, right after
// Envoy's first LDS request (never before, never twice), hands each NameTable to DNS, ACKs it,
// NACKs one that does not decode, and never forwards either to Envoy. SotW and delta. The
// upstream is a FAKE istiod that records what arrives and answers what the test says.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHttp2Session } from '../../../src/istiod/h2-session.js';
import type { IstiodConnector } from '../../../src/istiod/types.js';
import { silentLogger } from '../../../src/log.js';
import { decodeNameTable } from '../../../src/proto/nds.js';
import { ADS_SERVICE, XdsProxy } from '../../../src/xds/proxy.js';
import { TYPE } from '../../../src/xds/wire.js';
import { envoyRoot } from '../../helpers/envoy-protos.js';
import { encodeNds, k8s } from '../../helpers/nds.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

const root = envoyRoot();
const Req = root.lookupType('envoy.service.discovery.v3.DiscoveryRequest');
const Resp = root.lookupType('envoy.service.discovery.v3.DiscoveryResponse');
const DReq = root.lookupType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
const DResp = root.lookupType('envoy.service.discovery.v3.DeltaDiscoveryResponse');
const enc = (t: typeof Req, o: Record<string, unknown>) => Buffer.from(t.encode(t.fromObject(o)).finish());
const dec = (t: typeof Req, b: Buffer) => t.toObject(t.decode(b), { defaults: false }) as Record<string, unknown>;
const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';

type Stream = { got: Buffer[]; call: grpc.ServerDuplexStream<Buffer, Buffer> };
const streams: Stream[] = [];
const server = new grpc.Server();
let tmp: TmpDir;
let proxy: XdsProxy;
let envoy: grpc.Client;
const tables: Uint8Array[] = [];

beforeAll(async () => {
  const handler = (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
    const s: Stream = { got: [], call };
    streams.push(s);
    call.on('data', (b: Buffer) => s.got.push(b));
    call.on('error', () => undefined);
  };
  server.addService(ADS_SERVICE as unknown as grpc.ServiceDefinition, { StreamAggregatedResources: handler, DeltaAggregatedResources: handler });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  const connector: IstiodConnector = {
    session: () => openHttp2Session({ address: `127.0.0.1:${port}`, tls: undefined, keepaliveMs: 30_000, keepaliveTimeoutMs: 10_000 }),
    metadata: async () => ({}),
  };
  tmp = makeTmpDir('xds-nds');
  proxy = new XdsProxy({
    socketPath: join(tmp.path, 'XDS'), connector, logger: silentLogger(),
    onNameTable: (t) => { decodeNameTable(t); tables.push(t); },
  });
  await proxy.listen();
  const Client = grpc.makeGenericClientConstructor(ADS_SERVICE as unknown as grpc.ServiceDefinition, 'ADS');
  envoy = new Client(`unix://${join(tmp.path, 'XDS')}`, grpc.credentials.createInsecure());
});
afterAll(() => { envoy?.close(); proxy?.destroy(); server.forceShutdown(); tmp?.cleanup(); });

function open(method: 'StreamAggregatedResources' | 'DeltaAggregatedResources') {
  const stream = (envoy as unknown as Record<string, () => grpc.ClientDuplexStream<Buffer, Buffer>>)[method]!();
  const got: Buffer[] = [];
  stream.on('data', (b: Buffer) => got.push(b));
  stream.on('error', () => undefined);
  return { stream, got };
}

const TABLE = encodeNds([k8s('reviews', 'bookinfo', ['10.96.0.10'])]);

describe('NDS through the xDS proxy', () => {
  it('SotW: NDS request right after the first LDS, the table to DNS, ACKed, never forwarded', async () => {
    const n = streams.length;
    const { stream, got } = open('StreamAggregatedResources');
    stream.write(enc(Req, { node: { id: 'sidecar~10.0.0.5~vm.bookinfo~bookinfo.svc.cluster.local' }, type_url: CDS }));
    const up = (await waitFor(() => streams[n]?.got.length === 1 && streams[n], { what: 'first request upstream' })) as Stream;
    stream.write(enc(Req, { type_url: CDS, response_nonce: 'x' }));
    await waitFor(() => up.got.length === 2, { what: 'second CDS' });
    stream.write(enc(Req, { type_url: TYPE.listener }));
    await waitFor(() => up.got.length === 4, { what: 'LDS then NDS' });
    expect(dec(Req, up.got[2]!)).toEqual({ type_url: TYPE.listener });
    expect(dec(Req, up.got[3]!)).toEqual({ type_url: TYPE.nameTable }); // no node: istiod has it
    stream.write(enc(Req, { type_url: TYPE.listener, response_nonce: 'l1' }));
    await waitFor(() => up.got.length === 5, { what: 'LDS ACK' });

    up.call.write(enc(Resp, { version_info: 'v9', type_url: TYPE.nameTable, nonce: 'nds-1', resources: [{ type_url: TYPE.nameTable, value: Buffer.from(TABLE) }] }));
    up.call.write(enc(Resp, { version_info: 'c', type_url: CDS, nonce: 'c1' }));
    await waitFor(() => got.length === 1 && up.got.length === 6, { what: 'CDS at Envoy and the NDS ACK' });
    expect(dec(Resp, got[0]!)).toMatchObject({ type_url: CDS });
    expect(dec(Req, up.got[5]!)).toEqual({ version_info: 'v9', type_url: TYPE.nameTable, response_nonce: 'nds-1' });
    expect(Buffer.from(tables.at(-1)!).equals(Buffer.from(TABLE))).toBe(true);

    up.call.write(enc(Resp, { version_info: 'v10', type_url: TYPE.nameTable, nonce: 'nds-2', resources: [{ type_url: TYPE.nameTable, value: Buffer.from([0xff, 0xff, 0xff]) }] }));
    await waitFor(() => up.got.length === 7, { what: 'NACK' });
    expect(dec(Req, up.got[6]!)).toMatchObject({ version_info: 'v10', type_url: TYPE.nameTable, response_nonce: 'nds-2', error_detail: { code: 13 } });
    expect(got).toHaveLength(1);
    expect(up.got.filter((b) => dec(Req, b)['type_url'] === TYPE.nameTable && !dec(Req, b)['response_nonce'])).toHaveLength(1);
    stream.end();
  });

  it('delta: the same on the delta stream (the table inside a Resource)', async () => {
    const n = streams.length;
    const before = tables.length;
    const { stream, got } = open('DeltaAggregatedResources');
    stream.write(enc(DReq, { node: { id: 'sidecar~10.0.0.5~vm.bookinfo~bookinfo.svc.cluster.local' }, type_url: TYPE.listener }));
    const up = (await waitFor(() => streams[n]?.got.length === 2 && streams[n], { what: 'LDS then NDS' })) as Stream;
    expect(dec(DReq, up.got[1]!)).toEqual({ type_url: TYPE.nameTable });
    up.call.write(enc(DResp, { type_url: TYPE.nameTable, nonce: 'd1', system_version_info: 's', resources: [{ name: 'nametable', version: '1', resource: { type_url: TYPE.nameTable, value: Buffer.from(TABLE) } }] }));
    await waitFor(() => up.got.length === 3, { what: 'delta ACK' });
    expect(dec(DReq, up.got[2]!)).toEqual({ type_url: TYPE.nameTable, response_nonce: 'd1' });
    expect(tables.length).toBe(before + 1);
    expect(decodeNameTable(tables.at(-1)!).has('reviews.bookinfo.svc.cluster.local')).toBe(true);
    expect(got).toHaveLength(0);
    stream.end();
  });
});
