// Registration through vmlet's own pieces against the istiod simulator (a test double; real
// istiod is the judge in test/e2e): vmlet's identity gets a certificate from the simulated CA,
// vmlet's xDS proxy carries an Envoy-like delta stream with the node vmlet builds, and the
// simulator auto-registers, health-checks and deregisters the WorkloadEntry as istiod does.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../../../src/config/index.js';
import type { Config } from '../../../src/config/schema.js';
import type { Deps } from '../../../src/deps.js';
import { createIdentity, type IdentityCapability } from '../../../src/identity/index.js';
import { createIstiodConnector } from '../../../src/istiod/index.js';
import { systemClock } from '../../../src/lifecycle/types.js';
import { createLogger, silentLogger } from '../../../src/log.js';
import { MetricsRegistry, StatusCenter } from '../../../src/status/index.js';
import { buildNode } from '../../../src/xds/node-metadata.js';
import { ADS_SERVICE, XdsProxy } from '../../../src/xds/proxy.js';
import { TYPE } from '../../../src/xds/wire.js';
import { createSimAds, type SimAds } from '../../sim/ads.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { envoyRoot } from '../../helpers/envoy-protos.js';
import { overrideFlags } from '../../helpers/test-config.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

const DReq = envoyRoot().lookupType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
const EnvoyClient = grpc.makeGenericClientConstructor(ADS_SERVICE as unknown as grpc.ServiceDefinition, 'ADS');
const host = { hostname: 'vm1', addresses: ['10.0.0.5'] };

let tmp: TmpDir;
let sim: Simulator;
let ads: SimAds;
let config: Config;
let identity: IdentityCapability;
let proxy: XdsProxy;
let envoy: grpc.Client;
const stop = new AbortController();

function toStruct(v: unknown): unknown {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(toStruct) } };
  if (v && typeof v === 'object') return { structValue: { fields: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toStruct(x)])) } };
  return { nullValue: 0 };
}

/** Opens a delta stream like Envoy: node on the first request, then LDS. */
function openStream(metadata: Record<string, unknown>) {
  const node = buildNode(config, host);
  const stream = (envoy as unknown as { DeltaAggregatedResources: () => grpc.ClientDuplexStream<Buffer, Buffer> }).DeltaAggregatedResources();
  const status = new Promise<grpc.StatusObject>((resolve) => stream.on('status', resolve));
  stream.on('data', () => undefined);
  stream.on('error', () => undefined);
  const fields = (toStruct(metadata) as { structValue: unknown }).structValue;
  stream.write(Buffer.from(DReq.encode(DReq.fromObject({ node: { id: node.id, cluster: node.cluster, metadata: fields }, type_url: 'type.googleapis.com/envoy.config.cluster.v3.Cluster' })).finish()));
  stream.write(Buffer.from(DReq.encode(DReq.fromObject({ type_url: TYPE.listener })).finish()));
  return { stream, status };
}

const entry = () => ads.registry.list().find((e) => e.name === 'vm-app-10.0.0.5');

beforeAll(async () => {
  tmp = makeTmpDir('xds-reg');
  ads = createSimAds({ graceMs: 300 });
  sim = await startSimulator({ services: [ads.service] });
  ads.bind(sim);
  await sim.writeVmDir(tmp.join('istio'), {
    ns: 'bar', sa: 'vm-sa',
    clusterEnv: { ISTIO_META_AUTO_REGISTER_GROUP: 'vm-app', ISTIO_METAJSON_LABELS: `'{"app":"vm-app"}'`, ISTIO_SERVICE: 'vm-app.bar', ISTIO_SVC_IP: '10.0.0.5' },
  });
  config = loadConfigOrThrow({
    flags: overrideFlags({ general: { stateDir: tmp.join('state') }, xds: { socketPath: tmp.join('XDS') }, identity: { keyAlgorithm: 'ECDSA' } }),
    env: {}, istioDir: tmp.join('istio'), configPath: join(import.meta.dirname, '..', '..', 'helpers', 'empty-config.yaml'),
  }).config;
  const center = new StatusCenter();
  const deps: Deps = { config, logger: process.env.DEBUG_TEST ? createLogger({ level: "debug" }) : silentLogger(), clock: systemClock, gates: center.gates, status: center, events: center.events, metrics: new MetricsRegistry() };
  identity = createIdentity(deps, { connect: (c) => createIstiodConnector(deps, c) });
  for (const c of identity.components ?? []) void c.run(stop.signal);
  await waitFor(() => identity.source.current(), { what: 'a certificate from the simulated CA', timeoutMs: 10_000 });
  proxy = new XdsProxy({ socketPath: config.xds.socketPath, connector: identity.connector, logger: silentLogger() });
  await proxy.listen();
  envoy = new EnvoyClient(`unix://${config.xds.socketPath}`, grpc.credentials.createInsecure());
}, 30_000);

afterAll(async () => {
  envoy?.close();
  proxy?.destroy();
  stop.abort();
  await ads?.stop();
  await sim?.stop();
  tmp?.cleanup();
});

describe('auto-registration through vmlet against the simulator', () => {
  it('a missing WorkloadGroup fails the stream FAILED_PRECONDITION, and a new stream registers once it exists', async () => {
    const { status } = openStream(buildNode(config, host).metadata as Record<string, unknown>);
    const s = await status;
    expect(s.code).toBe(grpc.status.FAILED_PRECONDITION);
    // istiod's exact wording, as the e2e tier saw it from real istiod (wrong-setups-on-real-istiod).
    expect(s.details).toMatch(/^auto-registration WorkloadEntry of [^ ]+ failed: cannot find WorkloadGroup bar\/vm-app$/);
    ads.registry.addGroup({ name: 'vm-app', namespace: 'bar', uid: 'uid-1', labels: { team: 'a' }, template: { labels: { app: 'template', version: 'v1' }, serviceAccount: 'vm-sa', ports: { http: 8080 } } });
  });

  it('creates <group>-<ip> with merged labels, annotations and an owner reference', async () => {
    const { stream } = openStream(buildNode(config, host).metadata as Record<string, unknown>);
    const e = await waitFor(() => entry(), { what: 'WorkloadEntry vm-app-10.0.0.5' });
    expect(e.namespace).toBe('bar');
    expect(e.spec.address).toBe('10.0.0.5');
    expect(e.labels).toEqual({ app: 'vm-app', version: 'v1', team: 'a' });
    expect(e.annotations).toMatchObject({ 'istio.io/autoRegistrationGroup': 'vm-app', 'istio.io/workloadController': expect.any(String), 'istio.io/connectedAt': expect.any(String) });
    expect(e.ownerReferences).toEqual([{ apiVersion: 'networking.istio.io/v1', kind: 'WorkloadGroup', name: 'vm-app', uid: 'uid-1', controller: true }]);

    proxy.setHealth({ healthy: false, message: 'HTTP probe failed with status 503' });
    await waitFor(() => e.status.conditions[0]?.status === 'False', { what: 'Healthy=False' });
    expect(e.status.conditions[0]).toMatchObject({ type: 'Healthy', message: 'HTTP probe failed with status 503' });
    proxy.setHealth({ healthy: true });
    await waitFor(() => e.status.conditions[0]?.status === 'True', { what: 'Healthy=True' });

    stream.end();
    await waitFor(() => entry()?.annotations['istio.io/disconnectedAt'] !== undefined || entry() === undefined, { what: 'disconnectedAt' });
    await waitFor(() => entry() === undefined, { what: 'deletion after the grace period' });
  });

  it('rejects metadata with a wrong wire type INVALID_ARGUMENT, as istiod does', async () => {
    const meta = { ...(buildNode(config, host).metadata as Record<string, unknown>), DNS_CAPTURE: true };
    const { status } = openStream(meta);
    const s = await status;
    expect(s.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(s.details).toMatch(/DNS_CAPTURE/);
  });

  it('refuses a node that claims another namespace PERMISSION_DENIED', async () => {
    const meta = { ...(buildNode(config, host).metadata as Record<string, unknown>), NAMESPACE: 'other' };
    const s = await openStream(meta).status;
    expect(s.code).toBe(grpc.status.PERMISSION_DENIED);
  });
});
