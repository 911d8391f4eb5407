// After the workload certificate rotates, the next upstream xDS stream (Envoy reconnecting) must
// present the NEW certificate to istiod: istiod authenticates every stream by its client
// certificate, and an old one expires. vmlet's own identity (against the simulated CA, with a
// short first lifetime so it renews within the test) and the real istiod connector are used; a
// RECORDING ADS service on the simulator's TLS server notes which client certificate each stream
// came with (and how the simulator's istiod authenticator chain judged it).
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../../../src/config/index.js';
import type { Deps } from '../../../src/deps.js';
import { createIdentity, type IdentityCapability } from '../../../src/identity/index.js';
import { createIstiodConnector } from '../../../src/istiod/index.js';
import { systemClock } from '../../../src/lifecycle/types.js';
import { silentLogger } from '../../../src/log.js';
import { MetricsRegistry, StatusCenter } from '../../../src/status/index.js';
import { ADS_SERVICE, XdsProxy } from '../../../src/xds/proxy.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { overrideFlags } from '../../helpers/test-config.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

const EnvoyClient = grpc.makeGenericClientConstructor(ADS_SERVICE as unknown as grpc.ServiceDefinition, 'ADS');
const CDS = Buffer.from('type.googleapis.com/envoy.config.cluster.v3.Cluster');
/** DiscoveryRequest{type_url: CDS}, hand-encoded (field 4, length-delimited). */
const CDS_REQUEST = Buffer.concat([Buffer.from([0x22, CDS.length]), CDS]);

interface RecordedStream { readonly peer: Buffer | undefined; readonly auth: string | undefined }
const recorded: RecordedStream[] = [];
let sim: Simulator;

/** RECORDING ADS: notes each stream's client certificate and keeps the stream open. */
const recordingAds = {
  definition: ADS_SERVICE as unknown as grpc.ServiceDefinition,
  implementation: {
    StreamAggregatedResources: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      call.on('data', () => undefined);
      call.on('error', () => undefined);
      void sim.authenticate(call).then((who) => recorded.push({ peer: call.getAuthContext().sslPeerCertificate?.raw, auth: who?.auth }));
    },
    DeltaAggregatedResources: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => call.end(),
  },
};

/** The DER of a chain's leaf. */
const leafDer = (chainPem: string) => new X509Certificate(chainPem).raw;

let tmp: TmpDir;
let identity: IdentityCapability;
let proxy: XdsProxy;
let envoy: grpc.Client;
const stop = new AbortController();

beforeAll(async () => {
  tmp = makeTmpDir('xds-rotation');
  sim = await startSimulator({ services: [recordingAds] });
  await sim.writeVmDir(tmp.join('istio'), { ns: 'bar', sa: 'vm-sa' });
  const config = loadConfigOrThrow({
    flags: overrideFlags({ general: { stateDir: tmp.join('state') }, xds: { socketPath: tmp.join('XDS') }, identity: { keyAlgorithm: 'ECDSA' } }),
    env: {}, istioDir: tmp.join('istio'), configPath: join(import.meta.dirname, '..', '..', 'helpers', 'empty-config.yaml'),
  }).config;
  const center = new StatusCenter();
  const deps: Deps = { config, logger: silentLogger(), clock: systemClock, gates: center.gates, status: center, events: center.events, metrics: new MetricsRegistry() };
  // The first certificate lives 3 s, so vmlet renews it at about half of that.
  sim.faults.ttlOverrideMs = 3_000;
  identity = createIdentity(deps, { connect: (c) => createIstiodConnector(deps, c) });
  for (const c of identity.components ?? []) void c.run(stop.signal);
  proxy = new XdsProxy({ socketPath: config.xds.socketPath, connector: identity.connector, logger: silentLogger() });
  await proxy.listen();
  envoy = new EnvoyClient(`unix://${config.xds.socketPath}`, grpc.credentials.createInsecure());
}, 30_000);

afterAll(async () => {
  envoy?.close();
  proxy?.destroy();
  stop.abort();
  await sim?.stop();
  tmp?.cleanup();
});

function openEnvoyStream(): grpc.ClientDuplexStream<Buffer, Buffer> {
  const stream = (envoy as unknown as { StreamAggregatedResources: () => grpc.ClientDuplexStream<Buffer, Buffer> }).StreamAggregatedResources();
  stream.on('data', () => undefined);
  stream.on('error', () => undefined);
  stream.write(CDS_REQUEST);
  return stream;
}

describe('certificate rotation and the upstream xDS stream', { timeout: 30_000 }, () => {
  it('a stream opened after a rotation presents the new certificate; the one before it, the old', async () => {
    const first = await waitFor(() => identity.source.current(), { what: 'first certificate', timeoutMs: 10_000 });
    const before = openEnvoyStream();
    const s1 = await waitFor(() => recorded[0], { what: 'first upstream stream at istiod', timeoutMs: 10_000 });
    expect(s1.auth).toBe('cert');
    expect(s1.peer?.equals(leafDer(first.certChainPem))).toBe(true);

    // The renewal gets a long-lived certificate: it stays current while the next stream opens.
    sim.faults.ttlOverrideMs = undefined;
    const renewed = await waitFor(() => {
      const c = identity.source.current();
      return c && c.certChainPem !== first.certChainPem ? c : undefined;
    }, { what: 'renewed certificate', timeoutMs: 10_000 });

    // Envoy reconnects (the first stream is still open: a new one replaces it, as with Istio).
    const after = openEnvoyStream();
    const s2 = await waitFor(() => recorded[1], { what: 'second upstream stream at istiod', timeoutMs: 10_000 });
    expect(s2.auth).toBe('cert');
    expect(s2.peer?.equals(leafDer(first.certChainPem))).toBe(false);
    expect(s2.peer?.equals(leafDer(renewed.certChainPem))).toBe(true);
    before.end();
    after.end();
  });
});
