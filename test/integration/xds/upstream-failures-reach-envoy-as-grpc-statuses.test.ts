// The proxy speaks gRPC to istiod itself (src/grpc/client.ts), so it must turn every way an
// upstream call can fail into the status a gRPC client would report, and end Envoy's stream with
// it: istiod unreachable and a TLS server name istiod's certificate does not carry are both
// UNAVAILABLE (Envoy retries), a reset stream follows gRPC's RST_STREAM mapping. The upstreams
// here are the in-repo simulator's TLS server (a test double of istiod, with its own root) and a
// FAKE plaintext server that resets its streams.
import { createServer, type AddressInfo } from 'node:net';
import * as http2 from 'node:http2';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector, type ConnectorOptions } from '../../../src/istiod/connector.js';
import { openHttp2Session } from '../../../src/istiod/h2-session.js';
import type { IstiodConnector } from '../../../src/istiod/types.js';
import { silentLogger } from '../../../src/log.js';
import { ADS_SERVICE, XdsProxy } from '../../../src/xds/proxy.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';

const EnvoyClient = grpc.makeGenericClientConstructor(ADS_SERVICE as unknown as grpc.ServiceDefinition, 'ADS');
const CDS = Buffer.from('type.googleapis.com/envoy.config.cluster.v3.Cluster');
const CDS_REQUEST = Buffer.concat([Buffer.from([0x22, CDS.length]), CDS]);

let tmp: TmpDir;
let sim: Simulator;
const proxies: XdsProxy[] = [];
const envoys: grpc.Client[] = [];

beforeAll(async () => {
  tmp = makeTmpDir('xds-upstream-failures');
  sim = await startSimulator();
});
afterAll(async () => {
  for (const e of envoys) e.close();
  for (const p of proxies) p.destroy();
  await sim?.stop();
  tmp?.cleanup();
});

const connectorTo = (over: Partial<ConnectorOptions>): IstiodConnector => createConnector({
  address: sim.address, rootPem: sim.rootPem, clusterId: 'Kubernetes', extraHeaders: {},
  keepaliveIntervalMs: 30_000, keepaliveTimeoutMs: 10_000, now: () => Date.now(), ...over,
}, undefined);

/** A proxy with `connector`, one Envoy stream through it, and the status and rejection it ends with. */
async function envoyStreamVia(name: string, connector: IstiodConnector): Promise<{ status: grpc.StatusObject; rejected: { code: number; details: string }[] }> {
  const rejected: { code: number; details: string }[] = [];
  const proxy = new XdsProxy({ socketPath: join(tmp.path, name, 'XDS'), connector, logger: silentLogger(), events: { rejected: (code, details) => rejected.push({ code, details }) } });
  proxies.push(proxy);
  await proxy.listen();
  const envoy = new EnvoyClient(`unix://${join(tmp.path, name, 'XDS')}`, grpc.credentials.createInsecure());
  envoys.push(envoy);
  const stream = (envoy as unknown as { StreamAggregatedResources: () => grpc.ClientDuplexStream<Buffer, Buffer> }).StreamAggregatedResources();
  stream.on('data', () => undefined);
  stream.on('error', () => undefined);
  const status = new Promise<grpc.StatusObject>((resolve) => stream.on('status', resolve));
  stream.write(CDS_REQUEST);
  return { status: await status, rejected };
}

describe('upstream failures, as Envoy sees them', { timeout: 15_000 }, () => {
  it('istiod unreachable: UNAVAILABLE naming the connection error', async () => {
    const closed = createServer();
    const port = await new Promise<number>((r) => closed.listen(0, '127.0.0.1', () => r((closed.address() as AddressInfo).port)));
    await new Promise<void>((r) => closed.close(() => r()));
    const { status, rejected } = await envoyStreamVia('refused', connectorTo({ address: `127.0.0.1:${port}` }));
    expect(status.code).toBe(grpc.status.UNAVAILABLE);
    expect(status.details).toMatch(/istiod connection failed: .*ECONNREFUSED/);
    expect(rejected[0]?.code).toBe(grpc.status.UNAVAILABLE);
  });

  it("a server name istiod's certificate does not carry: UNAVAILABLE, and nothing is sent", async () => {
    const before = sim.calls.length;
    const { status } = await envoyStreamVia('wrong-name', connectorTo({ serverName: 'not-istiod.example' }));
    expect(status.code).toBe(grpc.status.UNAVAILABLE);
    expect(status.details).toMatch(/not-istiod\.example/);
    expect(sim.calls.length).toBe(before);
  });

  it("an untrusted root: UNAVAILABLE with TLS's reason", async () => {
    const { status } = await envoyStreamVia('wrong-root', connectorTo({ rootPem: '' }));
    expect(status.code).toBe(grpc.status.UNAVAILABLE);
    expect(status.details).toMatch(/certificate/i);
  });

  it('a stream reset by istiod (REFUSED_STREAM): UNAVAILABLE; (ENHANCE_YOUR_CALM): RESOURCE_EXHAUSTED', async () => {
    let rst = http2.constants.NGHTTP2_REFUSED_STREAM;
    const fake = http2.createServer();
    fake.on('stream', (s) => { s.on('error', () => undefined); s.close(rst); });
    const port = await new Promise<number>((r) => fake.listen(0, '127.0.0.1', () => r((fake.address() as AddressInfo).port)));
    /** FAKE connector: plaintext to the resetting server. */
    const plaintext: IstiodConnector = {
      session: () => openHttp2Session({ address: `127.0.0.1:${port}`, tls: undefined, keepaliveMs: 30_000, keepaliveTimeoutMs: 10_000 }),
      metadata: async () => ({}),
    };
    try {
      const refused = await envoyStreamVia('refused-stream', plaintext);
      expect(refused.status.code).toBe(grpc.status.UNAVAILABLE);
      rst = http2.constants.NGHTTP2_ENHANCE_YOUR_CALM;
      const calm = await envoyStreamVia('calm', plaintext);
      expect(calm.status.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(calm.status.details).toMatch(/reset the stream \(HTTP\/2 error 11\)/);
    } finally {
      fake.close();
    }
  });

  it("a response that is not protobuf (found by the property tests): INTERNAL to Envoy, not an uncaught RangeError", async () => {
    const fake = http2.createServer();
    fake.on('stream', (s) => {
      s.on('error', () => undefined);
      s.respond({ ':status': 200, 'content-type': 'application/grpc' });
      // One gRPC message: field 2 (resources), length-delimited, with its length missing.
      s.write(Buffer.from([0, 0, 0, 0, 1, 0x12]));
    });
    const port = await new Promise<number>((r) => fake.listen(0, '127.0.0.1', () => r((fake.address() as AddressInfo).port)));
    /** FAKE connector: plaintext to the server that answers garbage. */
    const plaintext: IstiodConnector = {
      session: () => openHttp2Session({ address: `127.0.0.1:${port}`, tls: undefined, keepaliveMs: 30_000, keepaliveTimeoutMs: 10_000 }),
      metadata: async () => ({}),
    };
    try {
      const { status } = await envoyStreamVia('garbage', plaintext);
      expect(status.code).toBe(grpc.status.INTERNAL);
      expect(status.details).toMatch(/vmlet could not decode istiod's response: an xDS DiscoveryResponse does not decode/);
    } finally {
      fake.close();
    }
  });
});
