// The whole agent as shipped (the bundle, `vmlet run`) against the istiod simulator (a test
// double) with the FAKE Envoy speaking ADS over vmlet's xDS proxy: the WorkloadEntry appears,
// its Healthy condition follows an app started and stopped on the probe port, and a graceful
// stop reports unhealthy before the stream closes, after which the entry is deleted.
import { createServer, type Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimAds, type SimAds } from '../../sim/ads.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { freePort } from '../../helpers/free-port.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { EMPTY_CONFIG, spawnVmlet, type VmletProcess } from '../../helpers/vmlet-process.js';
import { waitFor } from '../../helpers/wait-for.js';

const FAKE_ENVOY = join(import.meta.dirname, '..', '..', 'fakes', 'fake-envoy.mjs');

describe('a VM registers and reports health through vmlet run', { timeout: 60_000 }, () => {
  let tmp: TmpDir;
  let sim: Simulator;
  let ads: SimAds;
  let vmlet: VmletProcess;
  let app: Server | undefined;
  let appPort = 0;
  let up = true;
  const entry = () => ads.registry.list().find((e) => e.name === 'vm-app-127.0.0.1');

  beforeAll(async () => {
    tmp = makeTmpDir('vm-e2e');
    ads = createSimAds({ graceMs: 500 });
    sim = await startSimulator({ services: [ads.service] });
    ads.bind(sim);
    ads.registry.addGroup({ name: 'vm-app', namespace: 'bar', uid: 'u1', template: { labels: { app: 'vm-app' }, serviceAccount: 'vm-sa' } });
    appPort = await freePort();
    app = createServer((_req, res) => { res.statusCode = up ? 200 : 503; res.end(); });
    await new Promise<void>((r) => app!.listen(appPort, '127.0.0.1', () => r()));
    const dir = tmp.join('istio');
    await sim.writeVmDir(dir, { ns: 'bar', sa: 'vm-sa', clusterEnv: { ISTIO_META_AUTO_REGISTER_GROUP: 'vm-app', ISTIO_SVC_IP: '127.0.0.1', ISTIO_SERVICE: 'vm-app.bar' } });
    const mesh = readFileSync(join(dir, 'mesh.yaml'), 'utf8');
    writeFileSync(join(dir, 'mesh.yaml'), `${mesh}  readinessProbe:\n    httpGet:\n      path: /ready\n      port: ${appPort}\n    periodSeconds: 1\n`);
    const [statusPort, adminPort] = [await freePort(), await freePort()];
    vmlet = spawnVmlet({
      tmp,
      argv: ['run', '--istio-dir', dir, '--config', EMPTY_CONFIG, '--log-format', 'json',
        '--set', `general.statusPort=${statusPort}`, '--set', `envoy.adminPort=${adminPort}`, '--set', 'envoy.runAsUser=',
        '--set', `envoy.binaryPath=${FAKE_ENVOY}`, '--set', `envoy.configDir=${tmp.join('envoy')}`,
        '--set', `sds.socketPath=${tmp.join('sds', 'socket')}`, '--set', `xds.socketPath=${tmp.join('proxy', 'XDS')}`,
        '--set', 'health.propagationDelay=300ms', '--set', 'identity.keyAlgorithm=ECDSA'],
      env: { VMLET_IDENTITY_ENABLED: 'true', VMLET_ENVOY_ENABLED: 'true', VMLET_XDS_ENABLED: 'true', FAKE_ENVOY_XDS: '1', FAKE_ENVOY_SDS: '1', ...(process.env.DEBUG_TEST ? { FAKE_ENVOY_RECORD: tmp.join('rec') } : {}) },
    });
  }, 30_000);

  afterAll(async () => {
    if (process.env.DEBUG_TEST) { console.log('REJ', JSON.stringify(ads.rejections)); try { console.log(readFileSync(tmp.join('rec'), 'utf8').slice(0, 3000)); } catch { /* none */ } }
    await vmlet?.stop();
    await ads?.stop();
    await sim?.stop();
    await new Promise<void>((r) => (app ? app.close(() => r()) : r()));
    tmp?.cleanup();
  });

  it('registers the WorkloadEntry <group>-<ip> once identity, Envoy and the stream are up', async () => {
    const e = await waitFor(() => entry(), { timeoutMs: 25_000, what: `WorkloadEntry (vmlet stderr: ${vmlet.stderr.slice(-300)})` });
    expect(e.annotations['proxy.istio.io/health-checks-enabled']).toBe('true');
    expect(e.labels['app']).toBe('vm-app');
  });

  it('Healthy follows the app: up → True, down → False with the probe message, up → True', async () => {
    const healthy = () => entry()?.status.conditions.find((c) => c.type === 'Healthy');
    await waitFor(() => healthy()?.status === 'True', { timeoutMs: 15_000, what: 'Healthy=True' });
    up = false;
    await waitFor(() => healthy()?.status === 'False', { timeoutMs: 10_000, what: 'Healthy=False' });
    expect(healthy()?.message).toMatch(/status 503/);
    up = true;
    await waitFor(() => healthy()?.status === 'True', { timeoutMs: 10_000, what: 'Healthy=True again' });
  });

  it('a graceful stop reports unhealthy first, then disconnects; the entry goes after the grace period', async () => {
    const seen: string[] = [];
    const sample = () => {
      const e = entry();
      const h = e?.status.conditions.find((c) => c.type === 'Healthy')?.status;
      const state = e === undefined ? 'deleted' : e.annotations['istio.io/disconnectedAt'] ? `disconnected:${h}` : `connected:${h}`;
      if (seen.at(-1) !== state) seen.push(state);
    };
    sample();
    const timer = setInterval(sample, 5);
    const code = await vmlet.stop(10_000);
    await waitFor(() => entry() === undefined, { timeoutMs: 5000, what: 'deletion' });
    clearInterval(timer);
    sample(); // the deletion may land between the last tick and waitFor's own check
    expect(code).toBe(0);
    expect(seen).toEqual(['connected:True', 'connected:False', 'disconnected:False', 'deleted']);
  });
});
