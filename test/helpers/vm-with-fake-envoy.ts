/**
 * A whole VM for CLI tests: the istiod simulator (a TEST DOUBLE) pushing `config`, the built
 * agent (`vmlet run`, the bundle) with identity, Envoy and xDS on, and the FAKE Envoy speaking
 * ADS and SDS through vmlet. `cli()` runs another vmlet command (the bundle) against it,
 * asynchronously (the simulator lives in this process). `stop()` stops everything by PID.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createSimAds, type SimAds } from '../sim/ads.js';
import { startSimulator, type Simulator } from '../sim/index.js';
import type { SimXdsConfig } from '../sim/xds-config.js';
import { freePort } from './free-port.js';
import { makeTmpDir, type TmpDir } from './tmp-dir.js';
import { BUNDLE, EMPTY_CONFIG, spawnVmlet, type VmletProcess } from './vmlet-process.js';

export const FAKE_ENVOY = join(import.meta.dirname, '..', 'fakes', 'fake-envoy.mjs');

export interface FakeVm {
  readonly tmp: TmpDir;
  readonly ads: SimAds;
  readonly vmlet: VmletProcess;
  readonly statusPort: number;
  readonly adminPort: number;
  /** `vmlet <command> <args>` with the same inputs (later flags win; `'dns lookup'` as one argument); resolves with its exit code and output. */
  cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

export async function startFakeVm(opts: { name: string; config?: SimXdsConfig; env?: Record<string, string> }): Promise<FakeVm> {
  const tmp = makeTmpDir(opts.name);
  const ads = createSimAds({ graceMs: 500, ...(opts.config ? { config: opts.config } : {}) });
  const sim: Simulator = await startSimulator({ services: [ads.service] });
  ads.bind(sim);
  ads.registry.addGroup({ name: 'vm-app', namespace: 'bar', uid: 'u1', template: { labels: { app: 'vm-app' }, serviceAccount: 'vm-sa' } });
  const dir = tmp.join('istio');
  await sim.writeVmDir(dir, { ns: 'bar', sa: 'vm-sa', clusterEnv: { ISTIO_META_AUTO_REGISTER_GROUP: 'vm-app', ISTIO_SVC_IP: '127.0.0.1', ISTIO_SERVICE: 'vm-app.bar' } });
  const [statusPort, adminPort] = [await freePort(), await freePort()];
  const common = ['--istio-dir', dir, '--config', EMPTY_CONFIG, '--set', `general.statusPort=${statusPort}`, '--set', `envoy.adminPort=${adminPort}`];
  const vmlet = spawnVmlet({
    tmp,
    argv: ['run', ...common, '--log-format', 'json', '--set', 'envoy.runAsUser=',
      '--set', `envoy.binaryPath=${FAKE_ENVOY}`, '--set', `envoy.configDir=${tmp.join('envoy')}`,
      '--set', `sds.socketPath=${tmp.join('sds', 'socket')}`, '--set', `xds.socketPath=${tmp.join('proxy', 'XDS')}`,
      '--set', 'health.propagationDelay=0s', '--set', 'identity.keyAlgorithm=ECDSA'],
    env: { VMLET_IDENTITY_ENABLED: 'true', VMLET_ENVOY_ENABLED: 'true', VMLET_XDS_ENABLED: 'true', FAKE_ENVOY_XDS: '1', FAKE_ENVOY_SDS: '1', ...opts.env },
  });
  const cli = (...args: string[]) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    // A two-word command (`dns lookup`) is given as one argument.
    const child = spawn(process.execPath, [BUNDLE, ...(args[0] ?? '').split(' '), ...common, ...args.slice(1)], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 15_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return {
    tmp, ads, vmlet, statusPort, adminPort, cli,
    stop: async () => {
      // A second SIGTERM skips the drains (README: Signals), so the agent stops its Envoy and
      // exits well within the grace; were it SIGKILLed, stop() ends the Envoy it left by PID.
      if (vmlet.child.exitCode === null && vmlet.child.signalCode === null) vmlet.child.kill('SIGTERM');
      await vmlet.stop(15_000);
      await ads.stop();
      await sim.stop();
      tmp.cleanup();
    },
  };
}
