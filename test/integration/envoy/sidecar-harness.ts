/**
 * Runs createSidecar() with the FAKE Envoy (test/fakes/fake-envoy.mjs) under the real Runtime,
 * on free loopback ports and in a temp dir, with a real SDS server and a test PKI. `records()`
 * reads what the fake Envoy wrote (argv, uid/gid, admin calls, signals, SDS results).
 */
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Runtime, type RunResult } from '../../../src/lifecycle/index.js';
import type { Clock } from '../../../src/lifecycle/types.js';
import { systemClock } from '../../../src/lifecycle/types.js';
import { createLogger } from '../../../src/log.js';
import { MetricsRegistry, StatusCenter } from '../../../src/status/index.js';
import { createSidecar, type Sidecar } from '../../../src/envoy/index.js';
import type { EnvoyNode } from '../../../src/envoy/bootstrap.js';
import type { Credentials } from '../../../src/envoy/user.js';
import { freePort } from '../../helpers/free-port.js';
import { testConfig } from '../../helpers/test-config.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { FakeIdentitySource, makeTestPki, type TestPki } from '../sds/test-pki.js';

export const FAKE_ENVOY = join(import.meta.dirname, '..', '..', 'fakes', 'fake-envoy.mjs');

export const TEST_NODE: EnvoyNode = {
  id: 'sidecar~127.0.0.1~vm1.bar~bar.svc.cluster.local',
  cluster: 'vm.bar',
  metadata: { ISTIO_VERSION: '1.24.2', NAMESPACE: 'bar', INSTANCE_IPS: '127.0.0.1', DNS_CAPTURE: 'false', LABELS: { app: 'vm' }, PROXY_CONFIG: { readinessProbe: {} } },
};

export interface SharedSetup {
  readonly dir: string;
  readonly ports: [number, number, number];
}

/** A directory and three free ports for vmlets that run one after another. */
export async function sharedSetup(dir: string): Promise<SharedSetup> {
  return { dir, ports: [await freePort(), await freePort(), await freePort()] };
}

export type FakeEvent = { t: number; pid: number; event: string; [k: string]: unknown };

export interface Harness {
  readonly tmp: TmpDir;
  readonly pki: TestPki;
  readonly identity: FakeIdentitySource;
  readonly sidecar: Sidecar;
  readonly center: StatusCenter;
  readonly metrics: MetricsRegistry;
  readonly logLines: Record<string, unknown>[];
  readonly adminPort: number;
  records(): FakeEvent[];
  start(): void;
  stop(): AbortController;
  hurry(): void;
  result(): Promise<RunResult>;
  cleanup(): Promise<void>;
}

export async function sidecarHarness(o: {
  env?: Record<string, string>;
  envoy?: Record<string, unknown>;
  general?: Record<string, unknown>;
  credentials?: Credentials | null;
  clock?: Clock;
  random?: () => number;
  /** Reuse a directory and ports (two vmlets in turn, as after a crash); it is not removed by cleanup(). */
  shared?: SharedSetup;
} = {}): Promise<Harness> {
  const tmp = o.shared ? { path: o.shared.dir, join: (...p: string[]) => join(o.shared!.dir, ...p), cleanup: () => undefined } : makeTmpDir('envoy');
  chmodSync(tmp.path, 0o755);
  const pki = makeTestPki();
  const identity = new FakeIdentitySource();
  identity.set(pki);
  const [adminPort, statusPort, prometheusPort] = o.shared?.ports ?? [await freePort(), await freePort(), await freePort()];
  const rec = tmp.join('fake-envoy.jsonl');
  const config = testConfig({
    general: { runDir: tmp.join('run'), drainGrace: '300ms', statusPort: 0, ...o.general },
    envoy: {
      binaryPath: FAKE_ENVOY, configDir: tmp.join('proxy'), adminPort, statusPort, prometheusPort,
      killTimeout: '1s', runAsUser: '', ...o.envoy,
    },
    sds: { socketPath: tmp.join('sds', 'socket'), fileWatchInterval: '100ms' },
  });
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(tmp.join('run'), { recursive: true });
  if (!existsSync(rec)) writeFileSync(rec, '', { mode: 0o666 });
  chmodSync(rec, 0o666);
  const logLines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { for (const l of String(chunk).split('\n')) if (l) logLines.push(JSON.parse(l)); cb(); } });
  const logger = createLogger({ level: 'debug', format: 'json', destination: sink });
  const center = new StatusCenter();
  const metrics = new MetricsRegistry();
  const clock = o.clock ?? systemClock;
  const sidecar = createSidecar(
    { config, logger, clock, gates: center.gates, status: center, events: center.events, metrics },
    {
      identity, node: TEST_NODE, readinessInterval: 50,
      ...(o.credentials !== undefined ? { credentials: o.credentials } : { credentials: null }),
      ...(o.random ? { random: o.random } : {}),
      env: { ...process.env, FAKE_ENVOY_RECORD: rec, FAKE_ENVOY_SDS: '1', ...o.env },
    },
  );
  const runtime = new Runtime({ logger, shutdownTimeout: 10_000, forceStopTimeout: 3000 });
  runtime.mount(sidecar);
  const stop = new AbortController();
  const hurry = new AbortController();
  let running: Promise<RunResult> | undefined;
  return {
    tmp, pki, identity, sidecar, center, metrics, logLines, adminPort,
    records: () => (existsSync(rec) ? readFileSync(rec, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as FakeEvent) : []),
    start: () => { running = runtime.run(stop.signal, hurry.signal); },
    stop: () => { stop.abort('test stop'); return stop; },
    hurry: () => hurry.abort('test hurry'),
    result: () => running ?? Promise.reject(new Error('not started')),
    cleanup: async () => {
      stop.abort('cleanup');
      hurry.abort('cleanup');
      if (running) await running;
      const pid = sidecar.process.pid;
      if (pid) { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }
      tmp.cleanup();
      pki.cleanup();
    },
  };
}
