// The xDS proxy driven the way Envoy drives it: a plain grpc-js client on the Unix socket sends
// real DiscoveryRequests (encoded with Envoy's own protos), a fake istiod upstream (named as a
// fake: it only records and answers) sees what the proxy forwards and injects.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openHttp2Session } from '../../../src/istiod/h2-session.js';
import type { IstiodConnector } from '../../../src/istiod/types.js';
import { silentLogger } from '../../../src/log.js';
import { ADS_SERVICE, XdsProxy } from '../../../src/xds/proxy.js';
import { TYPE } from '../../../src/xds/wire.js';
import { envoyRoot } from '../../helpers/envoy-protos.js';
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
const EDS = 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment';

/** FAKE istiod: records every upstream message per stream and lets the test answer or fail it. */
class FakeIstiod {
  readonly server = new grpc.Server();
  streams: { flavor: string; got: Buffer[]; call: grpc.ServerDuplexStream<Buffer, Buffer>; md: grpc.Metadata }[] = [];
  port = 0;
  async start(): Promise<void> {
    const handler = (flavor: string) => (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      const s = { flavor, got: [] as Buffer[], call, md: call.metadata };
      this.streams.push(s);
      call.on('data', (b: Buffer) => s.got.push(b));
      call.on('error', () => undefined);
    };
    this.server.addService(ADS_SERVICE as unknown as grpc.ServiceDefinition, {
      StreamAggregatedResources: handler('sotw'), DeltaAggregatedResources: handler('delta'),
    });
    this.port = await new Promise<number>((res, rej) => this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  }
}

/** FAKE connector: plaintext to the fake istiod, with the headers the real one adds. */
const fakeConnector = (port: number): IstiodConnector => ({
  session: () => openHttp2Session({ address: `127.0.0.1:${port}`, tls: undefined, keepaliveMs: 30_000, keepaliveTimeoutMs: 10_000 }),
  metadata: async () => ({ ClusterID: 'Kubernetes' }),
});

const EnvoyClient = grpc.makeGenericClientConstructor(ADS_SERVICE as unknown as grpc.ServiceDefinition, 'ADS');

let tmp: TmpDir;
let istiod: FakeIstiod;
let proxy: XdsProxy;
let envoy: grpc.Client;
const rejected: number[] = [];

beforeAll(async () => {
  tmp = makeTmpDir('xds');
  istiod = new FakeIstiod();
  await istiod.start();
  proxy = new XdsProxy({ socketPath: join(tmp.path, 'proxy', 'XDS'), connector: fakeConnector(istiod.port), logger: silentLogger(), events: { rejected: (c) => rejected.push(c) } });
  await proxy.listen();
  envoy = new EnvoyClient(`unix://${join(tmp.path, 'proxy', 'XDS')}`, grpc.credentials.createInsecure());
});
afterAll(async () => {
  envoy.close();
  proxy.destroy();
  istiod.server.forceShutdown();
  tmp.cleanup();
});

function openSotw(): { stream: grpc.ClientDuplexStream<Buffer, Buffer>; got: Buffer[]; status: Promise<grpc.StatusObject> } {
  const stream = (envoy as unknown as { StreamAggregatedResources: () => grpc.ClientDuplexStream<Buffer, Buffer> }).StreamAggregatedResources();
  const got: Buffer[] = [];
  stream.on('data', (b: Buffer) => got.push(b));
  stream.on('error', () => undefined);
  // events.once would reject on 'error'; the status event is what Envoy acts on.
  const status = new Promise<grpc.StatusObject>((resolve) => stream.on('status', resolve));
  return { stream, got, status };
}

describe('SotW ADS through the proxy', () => {
  let n = 0;
  afterEach(() => { n = istiod.streams.length; });

  it('forwards requests and responses byte for byte, with the istiod headers', async () => {
    const { stream, got } = openSotw();
    const first = enc(Req, { node: { id: 'sidecar~10.0.0.5~vm1.bar~bar.svc.cluster.local' }, type_url: CDS });
    stream.write(first);
    const up = await waitFor(() => istiod.streams[n]?.got[0] && istiod.streams[n], { what: 'upstream request' });
    expect(up.got[0]!.equals(first)).toBe(true);
    expect(up.md.get('clusterid')).toEqual(['Kubernetes']);
    const resp = enc(Resp, { version_info: 'v1', type_url: CDS, nonce: 'n1', resources: [{ type_url: CDS, value: Buffer.from([1, 2, 3]) }] });
    up.call.write(resp);
    await waitFor(() => got.length === 1, { what: 'response at Envoy' });
    expect(got[0]!.equals(resp)).toBe(true);
    stream.end();
  });

  it('consumes and ACKs NameTable responses, drops foreign types, forwards the rest', async () => {
    const { stream, got } = openSotw();
    stream.write(enc(Req, { node: { id: 'x' }, type_url: CDS }));
    const up = await waitFor(() => istiod.streams[n]?.got[0] && istiod.streams[n], { what: 'upstream' });
    up.call.write(enc(Resp, { version_info: '7', type_url: TYPE.nameTable, nonce: 'nds-1', resources: [{ type_url: TYPE.nameTable, value: Buffer.from('t') }] }));
    up.call.write(enc(Resp, { type_url: 'istio.io/debug/syncz', nonce: 'd' }));
    up.call.write(enc(Resp, { type_url: CDS, nonce: 'c1' }));
    await waitFor(() => got.length === 1 && up.got.length === 2, { what: 'CDS forwarded and NDS ACKed' });
    expect(dec(Resp, got[0]!)).toMatchObject({ type_url: CDS, nonce: 'c1' });
    expect(dec(Req, up.got[1]!)).toEqual({ version_info: '7', type_url: TYPE.nameTable, response_nonce: 'nds-1' });
    expect(proxy.nameTable).toBeDefined();
    // An empty NameTable is ignored (as pilot-agent): no ACK, and the xDS view does not record it
    // (the type would read STALE forever); the view keeps the last one, SYNCED by vmlet's ACK.
    up.call.write(enc(Resp, { version_info: '8', type_url: TYPE.nameTable, nonce: 'nds-2' }));
    up.call.write(enc(Resp, { type_url: CDS, nonce: 'c2' }));
    await waitFor(() => got.length === 2, { what: 'second CDS forwarded' });
    expect(up.got).toHaveLength(2);
    expect(proxy.view.view().types.find((t) => t.short === 'NDS')).toMatchObject({ state: 'SYNCED', sent: { nonce: 'nds-1' }, answer: { by: 'vmlet', kind: 'ACK' } });
    stream.end();
  });

  it('injects the cached health report after the first LDS request, never first, and each change after', async () => {
    proxy.setHealth({ healthy: false, message: 'HTTP probe failed with status 503' });
    const { stream } = openSotw();
    stream.write(enc(Req, { node: { id: 'x' }, type_url: CDS }));
    const up = await waitFor(() => istiod.streams[n]?.got[0] && istiod.streams[n], { what: 'upstream' });
    // A second non-LDS request, forwarded in order: a report injected too early would come before it.
    stream.write(enc(Req, { type_url: EDS }));
    await waitFor(() => up.got.length >= 2, { what: 'second request upstream' });
    expect(dec(Req, up.got[1]!)).toEqual({ type_url: EDS });
    stream.write(enc(Req, { type_url: TYPE.listener }));
    await waitFor(() => up.got.length === 4, { what: 'LDS then health' });
    expect(dec(Req, up.got[2]!)).toEqual({ type_url: TYPE.listener });
    expect(dec(Req, up.got[3]!)).toEqual({ type_url: TYPE.health, error_detail: { code: 13, message: 'HTTP probe failed with status 503' } });
    proxy.setHealth({ healthy: true });
    await waitFor(() => up.got.length === 5, { what: 'healthy report' });
    // Healthy is the absence of error_detail, never a status with code 0.
    expect(dec(Req, up.got[4]!)).toEqual({ type_url: TYPE.health });
    stream.end();
  });

  it("ends Envoy's stream with istiod's status when istiod rejects it", async () => {
    const { stream, status } = openSotw();
    stream.write(enc(Req, { node: { id: 'x' }, type_url: CDS }));
    const up = await waitFor(() => istiod.streams[n]?.got[0] && istiod.streams[n], { what: 'upstream' });
    up.call.emit('error', { code: grpc.status.FAILED_PRECONDITION, details: 'cannot find WorkloadGroup bar/vm-app' });
    const s = await status;
    expect(s.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(s.details).toMatch(/cannot find WorkloadGroup/);
    expect(rejected).toContain(grpc.status.FAILED_PRECONDITION);
  });

  it('opens a new upstream stream for every Envoy stream', async () => {
    const before = istiod.streams.length;
    for (let i = 0; i < 2; i++) {
      const { stream } = openSotw();
      stream.write(enc(Req, { node: { id: 'x' }, type_url: CDS }));
      await waitFor(() => istiod.streams.length === before + i + 1, { what: `upstream ${i}` });
      stream.end();
    }
  });
});

describe('delta ADS through the proxy', () => {
  it('forwards byte for byte and sends delta-encoded health after LDS', async () => {
    const n = istiod.streams.length;
    proxy.setHealth({ healthy: false, message: 'down' });
    const stream = (envoy as unknown as { DeltaAggregatedResources: () => grpc.ClientDuplexStream<Buffer, Buffer> }).DeltaAggregatedResources();
    const got: Buffer[] = [];
    stream.on('data', (b: Buffer) => got.push(b));
    stream.on('error', () => undefined);
    const first = enc(DReq, { node: { id: 'x' }, type_url: CDS, resource_names_subscribe: ['*'] });
    stream.write(first);
    stream.write(enc(DReq, { type_url: TYPE.listener }));
    const up = await waitFor(() => (istiod.streams[n]?.got.length === 3 ? istiod.streams[n] : undefined), { what: 'delta upstream' });
    expect(up.flavor).toBe('delta');
    expect(up.got[0]!.equals(first)).toBe(true);
    expect(dec(DReq, up.got[2]!)).toEqual({ type_url: TYPE.health, error_detail: { code: 13, message: 'down' } });
    const resp = enc(DResp, { type_url: CDS, nonce: 'd1', resources: [{ name: 'c', version: '1' }] });
    up.call.write(resp);
    await waitFor(() => got.length === 1, { what: 'delta response' });
    expect(got[0]!.equals(resp)).toBe(true);
    up.call.write(enc(DResp, { type_url: TYPE.nameTable, nonce: 'nd', resources: [{ name: 'n', version: '2' }] }));
    await waitFor(() => up.got.length === 4, { what: 'delta NDS ACK' });
    expect(dec(DReq, up.got[3]!)).toEqual({ type_url: TYPE.nameTable, response_nonce: 'nd' });
    stream.end();
  });
});
