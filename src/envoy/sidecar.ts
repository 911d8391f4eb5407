/**
 * createSidecar(): the Envoy half of the sidecar phase, wired from config — the bootstrap, the
 * Envoy process restarted with a named backoff (restarts in status and
 * vmlet_envoy_restarts_total), readiness from the admin API as the `envoy` gate, the SDS server,
 * and the drain stop hook. Returns a Capability for the runtime plus the readiness others use.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { Deps } from '../deps.js';
import { isVmletError } from '../errors.js';
import { resilient, supervised, type BackoffPolicy, type Capability, type Component } from '../lifecycle/index.js';
import { createSdsServer, type SdsServer } from '../sds/index.js';
import type { IdentitySource } from '../identity/types.js';
import { envoyAdmin, type EnvoyAdmin } from './admin-client.js';
import { envoyArgs } from './args.js';
import { buildBootstrap, isIpv6Only, type EnvoyNode } from './bootstrap.js';
import { drainEnvoy } from './drain.js';
import { EnvoyProcess } from './envoy-process.js';
import { AdminReadiness, type EnvoyReadiness } from './readiness.js';
import { EnvoyStateMachine } from './states.js';
import { envoyCredentials, type Credentials } from './user.js';

/** Istio leaves restarts to systemd's 10 s loop; vmlet restarts in process, quickly at first. */
export const ENVOY_RESTART: BackoffPolicy = { name: 'envoy-restart', base: 100, factor: 2, cap: 30_000, jitter: 0.1, resetAfter: 300_000 };

/** Istio retries starting its SDS server 5 times from 1 s; vmlet keeps retrying, slower, with the reason in status. */
export const SDS_RESTART: BackoffPolicy = { name: 'sds-restart', base: 1000, factor: 2, cap: 30_000, jitter: 0.1, resetAfter: 60_000 };

export interface SidecarOptions {
  readonly identity: IdentitySource;
  readonly node: EnvoyNode;
  /** Overrides the user lookup (tests): null keeps vmlet's own uid/gid. */
  readonly credentials?: Credentials | null;
  /** Random source for the restart jitter (tests). */
  readonly random?: () => number;
  /** Readiness probe interval (ms). */
  readonly readinessInterval?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export interface Sidecar extends Capability {
  /** The user Envoy runs as (envoy.runAsUser), undefined when it keeps vmlet's own: the xDS socket's owner. */
  readonly user: Credentials | undefined;
  readonly readiness: EnvoyReadiness;
  readonly states: EnvoyStateMachine;
  readonly process: EnvoyProcess;
  readonly sds: SdsServer;
  readonly admin: EnvoyAdmin;
  readonly bootstrap: Record<string, unknown>;
}

/** Envoy's command line for this configuration (also `vmlet bootstrap print --args`). */
export function envoyArgsFor(config: Deps['config'], ipv6Only: boolean): { bootstrapPath: string; args: string[] } {
  const bootstrapPath = join(config.envoy.configDir, 'envoy-rev.json');
  return {
    bootstrapPath,
    args: envoyArgs({
      bootstrapPath,
      drainTime: config.envoy.drainTime,
      ipv6Only,
      fileFlushInterval: config.envoy.fileFlushInterval,
      logLevel: config.envoy.logLevel,
      componentLogLevel: config.envoy.componentLogLevel,
      concurrency: config.envoy.concurrency,
    }),
  };
}

/** The bootstrap vmlet writes for this configuration and node (also `vmlet bootstrap print`). */
export function bootstrapFor(config: Deps['config'], node: EnvoyNode): Record<string, unknown> {
  const status = config.general.statusAddress;
  return buildBootstrap(node, {
    adminPort: config.envoy.adminPort,
    statusPort: config.envoy.statusPort,
    prometheusPort: config.envoy.prometheusPort,
    xdsSocket: config.xds.socketPath,
    sdsSocket: config.sds.socketPath,
    deltaXds: config.envoy.deltaXds,
    vmletStatus: { address: status === 'localhost' || status === '0.0.0.0' ? '127.0.0.1' : status === '::' ? '::1' : status, port: config.general.statusPort },
    exitOnZeroActiveConnections: config.envoy.exitOnZeroActiveConnections,
    metricsLocalhostOnly: (config.istio.proxyConfig.proxyMetadata as Record<string, string> | undefined)?.METRICS_LOCALHOST_ACCESS_ONLY === 'true',
  });
}

export function createSidecar(deps: Deps, opts: SidecarOptions): Sidecar {
  const { config } = deps;
  const logger = deps.logger.child({ component: 'envoy' });
  const credentials = opts.credentials === undefined
    ? envoyCredentials(config.envoy.runAsUser)
    : opts.credentials ?? undefined;
  const bootstrap = bootstrapFor(config, opts.node);
  const v6 = isIpv6Only(opts.node.metadata);
  const { bootstrapPath, args } = envoyArgsFor(config, v6);
  const admin = envoyAdmin(v6 ? '::1' : '127.0.0.1', config.envoy.adminPort);
  const states = new EnvoyStateMachine(logger);
  const gate = deps.gates.register('envoy');
  gate.fail('Envoy not started yet');
  const readiness = new AdminReadiness(admin, gate, deps.clock, logger, opts.readinessInterval ?? 500);
  const restarts = deps.metrics.counter('vmlet_envoy_restarts_total', 'Envoy restarts after it exited on its own.');
  // The same count under the name every supervised() piece uses, so one dashboard covers all.
  const componentRestarts = deps.metrics.counter('vmlet_component_restarts_total', 'Restarts of a long-running piece after it failed.', ['component']);
  const up = deps.metrics.gauge('vmlet_envoy_up', '1 while an Envoy process runs.');
  let startedAt = 0;
  let rapid = 0;
  let versionChecked = false;
  let everStarted = false;

  const proc = new EnvoyProcess({
    binaryPath: config.envoy.binaryPath,
    args,
    bootstrapPath,
    bootstrap: `${JSON.stringify(bootstrap, null, 2)}\n`,
    pidFile: join(config.general.runDir, 'envoy.pid'),
    credentials,
    killTimeout: config.envoy.killTimeout,
    states,
    clock: deps.clock,
    logger,
    ...(opts.env ? { env: opts.env } : {}),
    onStarted: (pid, exited) => {
      everStarted = true;
      startedAt = deps.clock.monotonic();
      up.set(1);
      readiness.reset(`Envoy (pid ${pid}) starting; waiting for its config`);
      deps.status.set('envoy', 'starting', `pid ${pid}; waiting for config from istiod`);
      deps.events.emit('envoy', { state: 'running', pid });
      void readiness.watch(exited);
      if (!versionChecked) {
        versionChecked = true;
        checkVersion(config.envoy.binaryPath, String(opts.node.metadata.ISTIO_VERSION ?? ''), logger, opts.env);
      }
    },
    onExited: (pid, how) => {
      up.set(0);
      readiness.reset(`Envoy (pid ${pid}) ${how}`);
      deps.events.emit('envoy', { state: 'exited', pid, how });
    },
  });
  // `rapid` counts exits in a row that came sooner than ENVOY_RESTART.resetAfter after the start
  // (becoming ready in between does not clear it: an Envoy that crashes after each start still loops).
  readiness.subscribe((ready) => {
    if (ready) deps.status.set('envoy', 'ok', `ready (pid ${proc.pid})`);
  });

  const envoyComponent: Component = resilient(proc, ENVOY_RESTART, {
    clock: deps.clock,
    logger,
    ...(opts.random ? { random: opts.random } : {}),
    // An Envoy that never started in this process (binary missing, bootstrap unwritable) is an
    // install problem: vmlet exits saying so instead of retrying while "starting".
    shouldRestart: (err) => !isVmletError(err, 'VMLET_ENVOY_USER_UNKNOWN') && !(!everStarted && isVmletError(err, 'VMLET_ENVOY_START_FAILED')),
    onRestart: (n, delayMs, err) => {
      restarts.inc();
      componentRestarts.inc({ component: 'envoy' });
      rapid = deps.clock.monotonic() - startedAt < ENVOY_RESTART.resetAfter ? rapid + 1 : 1;
      const why = err instanceof Error ? err.message : String(err);
      const loop = rapid >= 3 ? `crash loop (${rapid} exits in a row): ` : '';
      deps.status.set('envoy', 'degraded', `${loop}${why}; restart ${n} in ${delayMs} ms`);
      deps.events.emit('envoy', { state: 'restarting', restarts: n, delayMs, crashLoop: rapid >= 3 });
    },
  });

  const sds = createSdsServer(deps, { identity: opts.identity, ...(credentials ? { envoyGid: credentials.gid } : {}) });

  return {
    user: credentials,
    components: [supervised(sds, SDS_RESTART, deps), envoyComponent],
    stopHooks: [{
      stage: 'drain',
      name: 'envoy: drain',
      run: async (hurry) => {
        const outcome = await drainEnvoy({
          admin, states, clock: deps.clock, logger,
          drainGrace: config.general.drainGrace,
          exitOnZeroActiveConnections: config.envoy.exitOnZeroActiveConnections,
          minimumDrainDuration: config.envoy.minimumDrainDuration,
          maxDrainWait: config.envoy.drainTime,
          skipPorts: [config.envoy.statusPort, config.envoy.prometheusPort],
          exited: () => proc.exited(),
        }, hurry);
        logger.info({ outcome }, `drain: ${outcome}`);
      },
    }],
    readiness,
    states,
    process: proc,
    sds,
    admin,
    bootstrap,
  };
}

/** Logs `envoy --version`, warning when it does not carry ISTIO_VERSION (istiod generates config for that version). */
function checkVersion(binary: string, istioVersion: string, logger: Deps['logger'], env: NodeJS.ProcessEnv | undefined): void {
  execFile(binary, ['--version'], { timeout: 5000, ...(env ? { env } : {}) }, (err, stdout) => {
    if (err) {
      logger.warn({ err }, `cannot run ${binary} --version`);
      return;
    }
    const line = stdout.trim().split('\n').find((l) => l.includes('version')) ?? stdout.trim();
    const version = /version:\s*\S*?\/([^/\s]+)\//.exec(line)?.[1] ?? line;
    if (istioVersion && !version.startsWith(istioVersion)) {
      logger.warn({ envoyVersion: version, istioVersion, code: 'VMLET_ENVOY_VERSION_MISMATCH' },
        `Envoy reports version ${version} but ISTIO_VERSION is ${istioVersion}; istiod generates config for ISTIO_VERSION [VMLET_ENVOY_VERSION_MISMATCH]`);
    } else {
      logger.info({ envoyVersion: version }, `Envoy ${line}`);
    }
  });
}
