/**
 * The composition root: vmlet's phases in the order a VM lives them (docs/architecture.md,
 * kept in step with the `// ── Phase N: name` comments below by a test),
 * and nothing else. Each capability is wired by its own `create<Capability>(deps)` factory,
 * which returns a `Capability` ({ components, stopHooks, reload }) that the runtime mounts.
 *
 *   config → DNS + capture → identity → sidecar (envoy + sds) → xds + health → ready → stop
 *
 * TO WIRE A CAPABILITY: add its lines in the marked place of its phase below, e.g.
 *   const identity = createIdentity(deps); runtime.mount(identity);
 * and pass what later phases need from it (`createSds({ ...deps, certs: identity.certs })`).
 * Readiness is not decided here: capabilities register gates in `deps.gates`.
 *
 * Identity, Envoy and xDS are imported only when configuration enables them (`await import()`):
 * their code (gRPC, protobuf, X.509) is most of the bundle, and an agent that never uses it should
 * not parse it or keep it in memory (idle RSS target, bench/run-idle.mjs).
 */
import { diffConfig, loadConfigOrThrow, redactConfig, resolveLogFormat, type LoadInput } from './config/index.js';
import { captureSwitchedOff } from './capture/switched-off.js';
import { decideDnsMode, readResolverHost } from './dns/mode.js';
import type { Deps } from './deps.js';
import { exitCodeFor, EXIT_FAILURE, EXIT_OK } from './errors.js';
import { failureLine } from './lifecycle/exit.js';
import { prewarmFirstKey } from './identity/key-prewarm.js';
import { controlLevels, Reloader, Runtime, StopSignals, systemClock, type SignalSource } from './lifecycle/index.js';
import { createLogger, loadPrettyFormat } from './log.js';
import { preflightOrThrow, type PreflightContext } from './preflight/index.js';
import { createNotifier, SystemdReporter, Watchdog, watchdogSettings } from './sdnotify/index.js';
import { addProcessMetrics, MetricsRegistry, StatusCenter, StatusServer } from './status/index.js';

export interface MainOptions {
  /** How the configuration is read, now and on every SIGHUP (same inputs each time). */
  readonly load: LoadInput;
  /** The process environment (NOTIFY_SOCKET, WATCHDOG_USEC, ...). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdoutIsTTY: boolean;
  /** Where signals come from (tests inject a fake); default: this process. */
  readonly signals?: SignalSource;
  /** The third stop signal; default: process.exit(1). */
  readonly exitNow?: () => void;
  readonly version: string;
  /** The host as pre-flight sees it (tests: another uid, no addresses); default: this process. */
  readonly preflight?: PreflightContext;
  /** Tests only: return after phase 1 (configuration and pre-flight), before anything starts. */
  readonly untilPreflight?: boolean;
}

/**
 * One turn of the event loop. A chunk's `await import()` resolves in a microtask, so the phases
 * after identity's would load and wire without Node ever polling for I/O: the first key pair's
 * completion, the TLS handshake to istiod and the CSR would all wait for the end of the wiring.
 * Awaited between those phases' imports, it lets them move on in the gaps.
 */
const ioTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs vmlet until it is stopped; resolves to the exit code. Bad configuration throws (exit 2). */
export async function main(opts: MainOptions): Promise<number> {
  // ── Phase 1: config. Every input read and validated once; bad input ends here with exit 2.
  const loaded = loadConfigOrThrow(opts.load);
  let config = loaded.config;
  // The same checks `vmlet validate` runs (src/preflight): a token istiod will refuse, a bad probe,
  // an unknown Envoy user, ... end here with their own code, before anything is started.
  const preflightWarnings = await preflightOrThrow(config, opts.preflight);
  if (opts.untilPreflight === true) return EXIT_OK;
  // First boot (no stored certificate): the first key pair is generated on the thread pool while
  // the modules below load (RSA-2048 alone takes Node 50-350 ms).
  prewarmFirstKey(config);
  const logFormat = resolveLogFormat(config.general.logFormat, opts.stdoutIsTTY);
  if (logFormat === 'pretty') await loadPrettyFormat();
  const logger = createLogger({ level: config.general.logLevel, format: logFormat });
  const levels = controlLevels(logger);
  // A bug that escapes every handler is logged as one JSON line (journald), then vmlet exits 1
  // and systemd restarts it; continuing in an unknown state would be worse.
  const onFatal = (err: unknown) => {
    logger.fatal({ err }, 'uncaught error; exiting [VMLET_INTERNAL]');
    process.exit(EXIT_FAILURE);
  };
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
  for (const p of loaded.problems) logger.warn({ code: p.code, file: p.file, setting: p.key }, `${p.key ?? p.file ?? 'config'}: ${p.message}`);
  for (const f of preflightWarnings) logger.warn({ code: f.error.code, check: f.check }, `${f.error.message} [${f.error.code}]`);
  logger.info({ version: opts.version }, `vmlet ${opts.version} starting`);

  const center = new StatusCenter();
  const metrics = new MetricsRegistry();
  const processMetrics = addProcessMetrics(metrics);
  metrics.gauge('vmlet_build_info', 'vmlet version, always 1.', ['version']).set(1, { version: opts.version });
  const notifier = createNotifier(opts.env, logger.child({ component: 'sdnotify' }));
  const systemd = new SystemdReporter(center, notifier);
  const runtime = new Runtime({
    logger: logger.child({ component: 'lifecycle' }),
    shutdownTimeout: config.general.shutdownTimeout,
    forceStopTimeout: config.general.forceStopTimeout,
    onStopping: () => { center.transitionTo('stopping'); },
  });
  // The status server listens before anything else starts, so a taken port fails at once, and
  // onboarding's attempts are visible in `vmlet status`.
  let reloader: Reloader | undefined;
  const statusServer = new StatusServer({
    address: config.general.statusAddress,
    port: config.general.statusPort,
    allowNonLoopback: config.general.allowNonLoopback,
    center,
    metrics,
    debugConfig: () => ({ config: redactConfig(reloader?.current ?? config) }),
    logger: logger.child({ component: 'status' }),
  });
  await statusServer.listen();
  runtime.mount({ components: [statusServer] });

  // Onboarding (still configuration): with onboarding.provider set and neither a valid stored
  // certificate nor a valid token, the Istio VM files come from the exchange service; then they
  // are read and checked as if istioctl had written them. Loaded only when configured.
  if (config.onboarding.provider !== 'none') {
    systemd.start(); // STATUS= shows the attempts; READY=1 still waits for wiring and gates
    const { onboardingPhase } = await import('./onboard/agent/phase.js');
    const outcome = await onboardingPhase({ config, logger: logger.child({ component: 'onboarding' }), status: center, ...(opts.signals ? { signals: opts.signals } : {}) });
    if (outcome === 'stopped') {
      center.transitionTo('stopping');
      await statusServer.close();
      center.transitionTo('stopped');
      await notifier.flush();
      processMetrics.stop();
      return EXIT_OK;
    }
    if (outcome === 'onboarded') {
      const again = loadConfigOrThrow(opts.load);
      config = again.config;
      for (const p of again.problems) logger.warn({ code: p.code, file: p.file, setting: p.key }, `${p.key ?? p.file ?? 'config'}: ${p.message}`);
      for (const f of await preflightOrThrow(config, opts.preflight)) logger.warn({ code: f.error.code, check: f.check }, `${f.error.message} [${f.error.code}]`);
    }
  }

  const deps: Deps = { config, logger, clock: systemClock, gates: center.gates, status: center, events: center.events, metrics };
  reloader = new Reloader({
    logger: logger.child({ component: 'reload' }),
    initial: config,
    load: () => loadConfigOrThrow(opts.load).config,
    diff: diffConfig,
    onBegin: () => { void systemd.reloading(); },
    onEnd: (report) => {
      center.events.emit('reload', { ok: report.ok, ...(report.error ? { error: report.error } : {}), changes: report.changes.map((c) => ({ key: c.key, outcome: c.outcome })) });
      void systemd.reloaded();
    },
  });

  runtime.mount({
    reload: { name: 'logging', keys: ['general.logLevel'], reload: (next) => { levels.setLevel(next.general.logLevel); return 'applied'; } },
  });

  // ── Phase 2: DNS proxy, then capture (iptables rules applied atomically; removal on stop by
  //    policy). The DNS proxy listens first, so capture never redirects port 53 to a closed port;
  //    capture redirects DNS only in DNS mode capture. Capture comes before identity, as
  //    istio-start.sh runs istio-iptables before pilot-agent: identity's first CSR waits for the
  //    first apply (capture.settled), so the rules never land in the middle of it.
  const dnsDecision = decideDnsMode(config, config.capture.dnsCapture && config.dns.mode === 'auto' ? await readResolverHost() : { stubInResolvConf: false, resolvedRunning: false });
  const dns = dnsDecision.mode === 'off' ? undefined : await (await import('./dns/index.js')).createDns(deps, dnsDecision);
  if (dns) runtime.mount(dns);
  const capture = captureSwitchedOff(deps) ?? (await import('./capture/index.js')).createCapture(deps, { dnsMode: dnsDecision.mode });
  runtime.mount(capture);

  // ── Phase 3: identity (token → CSR → istiod CA → cert store, rotator).
  //    The istiod connector is made here from identity's credentials (certificate and token) and
  //    shared by the CA client and xDS; Envoy's SDS reads identity's source, so any of the three
  //    loads both modules (identity says itself when identity.enabled=false).
  const [identityModule, istiodModule] = config.identity.enabled || config.xds.enabled || config.envoy.enabled
    ? await Promise.all([import('./identity/index.js'), import('./istiod/index.js')])
    : [];
  const identity = identityModule && istiodModule
    ? identityModule.createIdentity(deps, { connect: (credentials) => istiodModule.createIstiodConnector(deps, credentials), beforeFirstCall: capture.settled })
    : undefined;
  if (identity) {
    runtime.mount(identity);
    // The first certificate request starts now, not when runtime.run starts the components: its
    // TLS handshake and istiod's signing then overlap the loading and wiring of phases 4-6 (Envoy,
    // xDS, health), which it used to follow (docs/performance.md). It still waits for
    // capture.settled; identity's component takes it over (a failure ends the run as before).
    identity.begin();
  } else logger.child({ component: 'identity' }).warn('identity.enabled=false: no workload certificate is requested from istiod');

  // ── Phase 4: sidecar — Envoy supervisor and SDS server. The node (id and
  //    metadata) is built once: Envoy's bootstrap and the proxy's checks share it.
  await ioTurn();
  const xdsModule = config.envoy.enabled || config.xds.enabled ? await import('./xds/index.js') : undefined;
  await ioTurn();
  const envoyModule = config.envoy.enabled ? await import('./envoy/index.js') : undefined;
  const node = xdsModule?.buildNode(config, xdsModule.detectHost());
  const sidecar = node && identity && envoyModule ? envoyModule.createSidecar(deps, { identity: identity.source, node }) : undefined;
  if (sidecar) {
    runtime.mount(sidecar);
    capture.watchEnvoy(sidecar.readiness); // capture.failurePolicy=fail-open follows Envoy's readiness
  } else logger.warn('envoy.enabled=false: vmlet does not start Envoy');

  // ── Phase 5: xDS proxy and health (probes AND Envoy readiness, reported to istiod on the stream).
  if (xdsModule && node && identity && config.xds.enabled) {
    const xds = xdsModule.createXds(deps, { connector: identity.connector, node, ...(sidecar?.user ? { socketOwner: sidecar.user } : {}), ...(dns ? { onNameTable: dns.acceptTable } : {}) });
    runtime.mount(xds);
    await ioTurn();
    const { createHealth } = await import('./health/index.js');
    runtime.mount(createHealth(deps, { sink: xds.proxy, instanceIps: xdsModule.instanceIpsOf(node), ...(sidecar ? { envoy: sidecar.readiness } : {}) }));
  } else {
    logger.warn('xds.enabled=false: no xDS proxy and no health reports; istiod will not register this VM');
  }

  // ── Phase 6: ready. Every gate registered above must pass; then READY=1 (once) and 200 on
  //    /healthz/ready. The watchdog pings while the event loop keeps up.
  const watchdog = watchdogSettings(opts.env);
  if (watchdog !== undefined) {
    runtime.mount({ components: [new Watchdog({ settings: watchdog, notifier, logger: logger.child({ component: 'watchdog' }), live: () => center.phase !== 'stopped' })] });
  }
  for (const h of runtime.reloaders) reloader.register(h);
  systemd.start();
  center.wiringComplete();
  // Node writes its compile cache (NODE_COMPILE_CACHE, set by the packaged launcher) only at exit;
  // written now, with every chunk the wiring loaded, a crash or SIGKILL later does not lose it.
  // node:module is imported only then: it brings Node's ES module loader and source-map support
  // with it (about 1 MB of idle RSS on Node 20), which an agent without a cache never uses.
  if (opts.env.NODE_COMPILE_CACHE) ((await import('node:module')) as { flushCompileCache?: () => void }).flushCompileCache?.();

  // ── Phase 7: stop. First SIGTERM/SIGINT: ordered stop (hooks by stage), second: skip drains,
  //    third: exit now. SIGHUP: reload.
  const signals = new StopSignals({
    logger: logger.child({ component: 'signals' }),
    source: opts.signals,
    exitNow: opts.exitNow ?? (() => process.exit(EXIT_FAILURE)),
    reload: () => { void reloader.reload(); },
  });
  try {
    const result = await runtime.run(signals.stop, signals.hurry);
    center.transitionTo('stopped');
    await notifier.flush();
    if (result.outcome === 'failed') {
      const cause = (result.error as { cause?: unknown }).cause ?? result.error;
      logger.error({ err: result.error }, `vmlet stopped because a component failed: ${failureLine(result.error)}`);
      return exitCodeFor(cause);
    }
    logger.info({ forced: result.forced }, 'vmlet stopped');
    return EXIT_OK;
  } finally {
    signals.dispose();
    processMetrics.stop();
    process.off('uncaughtException', onFatal);
    process.off('unhandledRejection', onFatal);
  }
}
