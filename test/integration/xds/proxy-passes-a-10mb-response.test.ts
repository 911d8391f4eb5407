// A 10 MB DiscoveryResponse (istiod's are that large in big meshes) passes through the proxy
// unchanged, over many HTTP/2 DATA frames and socket reads on both sides: the upstream session is
// opened by src/istiod/h2-session.ts with the settings the real connector uses (16 MiB window, no
// message limit, Node's session memory cap lifted), only in plaintext, because the FAKE upstream
// below is a plaintext grpc-js server on loopback.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../../src/istiod/connector.js';
import { openHttp2Session } from '../../../src/istiod/h2-session.js';
import type { IstiodConnector } from '../../../src/istiod/types.js';
import { silentLogger } from '../../../src/log.js';
import { ADS_SERVICE, XdsProxy } from '../../../src/xds/proxy.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

const SIZE = 10 * 1024 * 1024;
const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const Ctor = grpc.makeGenericClientConstructor(ADS_SERVICE as unknown as grpc.ServiceDefinition, 'ADS');
type Duplex = grpc.ClientDuplexStream<Buffer, Buffer>;

// DiscoveryResponse{version_info=1, resources=2 (Any{type_url=1, value=2}), type_url=4}, hand-encoded.
const len = (n: number) => { const out: number[] = []; while (n > 127) { out.push((n & 127) | 128); n >>>= 7; } out.push(n); return Buffer.from(out); };
const field = (tag: number, b: Buffer) => Buffer.concat([Buffer.from([tag]), len(b.length), b]);
const payload = Buffer.alloc(SIZE);
for (let i = 0; i < SIZE; i += 4096) payload.writeUInt32BE(i, i);
const RESPONSE = Buffer.concat([field(0x0a, Buffer.from('v1')), field(0x12, Buffer.concat([field(0x0a, Buffer.from(CDS)), field(0x12, payload)])), field(0x22, Buffer.from(CDS))]);
const REQUEST = field(0x22, Buffer.from(CDS));

describe('xDS proxy with the real connector options', () => {
  const upstream = new grpc.Server({ 'grpc.max_send_message_length': -1 });
  let tmp: TmpDir;
  let proxy: XdsProxy;
  let envoy: grpc.Client;

  beforeAll(async () => {
    upstream.addService(ADS_SERVICE as unknown as grpc.ServiceDefinition, {
      StreamAggregatedResources: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
        call.on('data', () => call.write(RESPONSE));
        call.on('error', () => undefined);
      },
      DeltaAggregatedResources: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => call.end(),
    });
    const port = await new Promise<number>((res, rej) => upstream.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
    /** FAKE transport only: the real session settings, plaintext; headers from the real connector. */
    const real = createConnector({
      address: `127.0.0.1:${port}`, rootPem: '', clusterId: 'Kubernetes', extraHeaders: {},
      keepaliveIntervalMs: 30_000, keepaliveTimeoutMs: 10_000, now: () => Date.now(),
    }, undefined);
    const plaintext: IstiodConnector = {
      session: () => openHttp2Session({ address: `127.0.0.1:${port}`, tls: undefined, keepaliveMs: 30_000, keepaliveTimeoutMs: 10_000 }),
      metadata: (target) => real.metadata(target),
    };
    tmp = makeTmpDir('xds-10mb');
    proxy = new XdsProxy({ socketPath: join(tmp.path, 'XDS'), connector: plaintext, logger: silentLogger() });
    await proxy.listen();
    envoy = new Ctor(`unix://${join(tmp.path, 'XDS')}`, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 });
  });
  afterAll(async () => {
    envoy?.close();
    proxy?.destroy();
    upstream.forceShutdown();
    tmp?.cleanup();
  });

  it('a 10 MB response reaches Envoy byte for byte', async () => {
    const call = (envoy as unknown as { StreamAggregatedResources: () => Duplex }).StreamAggregatedResources();
    const got: Buffer[] = [];
    let failure: grpc.ServiceError | undefined;
    call.on('data', (b: Buffer) => got.push(b));
    call.on('error', (e: grpc.ServiceError) => { failure = e; });
    call.write(REQUEST);
    await waitFor(() => got.length > 0 || failure, { timeoutMs: 20_000, what: 'the 10 MB response through the proxy' });
    call.cancel();
    expect(failure?.details).toBeUndefined();
    expect(got[0]!.length).toBe(RESPONSE.length);
    expect(got[0]!.equals(RESPONSE)).toBe(true);
  }, 30_000);
});
