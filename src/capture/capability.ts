/**
 * createCapture(deps): the capture capability main.ts mounts. At start it applies the rules
 * (gate `capture` until they are in place; a first apply failing for a reason that is not
 * retryable ends the run), then every capture.repairInterval checks them and repairs drift (vmlet_capture_repairs_total). At an explicit stop it removes them unless
 * capture.keepOnRestart; after a crash they stay (fail closed) and the next start replaces them.
 * With capture.failurePolicy=fail-open, outbound capture is lifted while Envoy has been unready
 * for capture.failOpenGrace, and restored when it is ready.
 */
import type { Deps } from '../deps.js';
import { isRetryable } from '../errors.js';
import type { Capability, Component } from '../lifecycle/index.js';
import { CaptureExecutor } from './executor.js';
import { readHostFacts } from './host-facts.js';
import type { DnsMode } from '../dns/types.js';
import { optionsFromConfig, type CaptureOptions, type HostFacts } from './options.js';
import { buildPlan, type CapturePlan } from './rules.js';
import { ExecRunner, type IptablesRunner } from './runner.js';
import { clearState, readState, writeState } from './state.js';
import { captureSwitchedOff } from './switched-off.js';

export interface CaptureExtras {
  /** Tests: run iptables elsewhere (a netns). Default: this host, and only as root. */
  readonly runner?: IptablesRunner;
  /** Tests: fixed host facts instead of reading them. */
  readonly facts?: HostFacts;
  readonly isRoot?: boolean;
  /** The DNS mode main.ts decided (src/dns/mode.ts); DNS rules are installed only in capture mode. */
  readonly dnsMode?: DnsMode;
}

/** What capture needs from Envoy's readiness (src/envoy's EnvoyReadiness fits). */
export interface EnvoyReadinessView {
  ready(): boolean;
  subscribe(fn: (ready: boolean) => void): () => void;
}

export interface CaptureCapability extends Capability {
  /** Whether capture is on for this run (false: disabled by config or not root). */
  readonly active: boolean;
  /** Lets capture.failurePolicy=fail-open follow Envoy (main.ts: `capture.watchEnvoy(sidecar.readiness)`). */
  watchEnvoy(readiness: EnvoyReadinessView): void;
  /**
   * Resolves once the first apply has been tried (applied or failed; at once when capture is
   * off). Identity waits for it before its first call to istiod, as istio-start.sh runs
   * istio-iptables before pilot-agent dials: rules landing in the middle of the first CSR lost
   * its answer (package tier: a 10 s CA timeout on one cold start in three).
   */
  readonly settled: Promise<void>;
}

export function createCapture(deps: Deps, extras: CaptureExtras = {}): CaptureCapability {
  const off = captureSwitchedOff(deps, extras.isRoot ?? process.getuid?.() === 0);
  if (off !== undefined) return off;
  const log = deps.logger.child({ component: 'capture' });
  const c = deps.config.capture;
  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => { settle = resolve; });
  const executor = new CaptureExecutor({ runner: extras.runner ?? new ExecRunner(), backend: c.backend });
  const gate = deps.gates.register('capture');
  gate.fail('capture rules not applied yet');
  const repairs = deps.metrics.counter('vmlet_capture_repairs_total', 'Times the capture rules were found changed (drift) and re-applied.');
  const stateDir = deps.config.general.stateDir;
  let full: CapturePlan | undefined;
  let open: CapturePlan | undefined;
  let installed: 'full' | 'open' | undefined;
  let envoy: EnvoyReadinessView | undefined;
  let unreadySince: number | undefined;
  let wake = new AbortController();
  let applied: CaptureOptions | undefined;

  const prepare = async (): Promise<void> => {
    if (full !== undefined) return;
    const facts = extras.facts ?? await readHostFacts(deps.config, extras.dnsMode);
    const options = optionsFromConfig(deps.config, { ...facts, ...(extras.dnsMode ? { dnsMode: extras.dnsMode } : {}) });
    if (deps.config.capture.dnsCapture && !options.dnsCapture) log.info({ dnsMode: facts.dnsMode ?? extras.dnsMode }, 'DNS capture rules are not installed: the DNS mode is not capture (port 53 is left alone)');
    const previous = await readState(stateDir).catch((err: unknown) => { log.warn({ err }, 'ignoring the capture state file'); return undefined; });
    if (previous !== undefined) log.info({ since: previous.appliedAt, pid: previous.pid }, 'capture rules from an earlier run are in place; replacing them atomically');
    full = buildPlan(options);
    // fail-open: inbound capture stays (nothing listens elsewhere anyway); outbound and DNS go.
    open = buildPlan({ ...options, serviceCidrs: [], outboundPorts: [], dnsCapture: false });
    applied = options;
  };

  /** Which plan should be in place now, and how long until that may change (ms). */
  const desired = (): { kind: 'full' | 'open'; recheckMs: number } => {
    if (c.failurePolicy !== 'fail-open' || envoy === undefined || envoy.ready()) {
      unreadySince = undefined;
      return { kind: 'full', recheckMs: c.repairInterval };
    }
    const now = deps.clock.monotonic();
    unreadySince ??= now;
    const left = c.failOpenGrace - (now - unreadySince);
    return left <= 0 ? { kind: 'open', recheckMs: c.repairInterval } : { kind: 'full', recheckMs: Math.min(c.repairInterval, left) };
  };

  const converge = async (kind: 'full' | 'open'): Promise<void> => {
    await prepare();
    const plan = (kind === 'full' ? full : open) as CapturePlan;
    const r = await executor.apply(plan);
    const backend = (await executor.backend()).name;
    if (installed === undefined) {
      await writeState(stateDir, { version: 1, backend, appliedAt: new Date(deps.clock.now()).toISOString(), pid: process.pid, options: applied as CaptureOptions });
      log.info({ backend, changed: r.changed, policy: c.failurePolicy }, 'capture rules applied');
      deps.events.emit('capture', { applied: true, backend, mode: kind });
    } else if (installed !== kind) {
      if (kind === 'open') log.warn(`FAIL-OPEN: Envoy has not been ready for ${c.failOpenGrace} ms; outbound capture lifted, applications reach the network directly`);
      else log.info('Envoy is ready: outbound capture restored');
      deps.events.emit('capture', { mode: kind });
    } else if (r.changed) {
      repairs.inc();
      log.warn({ drift: r.drift.map((d) => `${d.table}: ${d.what}`) }, 'capture rules had drifted (flushed or changed by another tool); repaired');
      deps.events.emit('capture', { repaired: true, drift: r.drift.length });
    }
    installed = kind;
    deps.status.set('capture', kind === 'full' ? 'ok' : 'degraded', kind === 'full' ? `rules in place (${backend})` : `FAIL-OPEN: outbound capture lifted while Envoy is unready (${backend})`);
  };

  const component: Component = {
    name: 'capture',
    async run(signal: AbortSignal): Promise<void> {
      while (!signal.aborted) {
        // A new wake-up before deciding: a readiness change during the apply is not lost.
        wake = new AbortController();
        const want = desired();
        try {
          await converge(want.kind);
          if (!gate.passed) gate.pass();
        } catch (err) {
          const msg = err instanceof Error ? err.message : String(err);
          log.error({ err }, `capture rules could not be applied: ${msg}`);
          deps.status.set('capture', 'degraded', msg);
          if (!gate.passed) gate.fail(msg);
          // The first apply failing for a reason retrying cannot mend (no iptables backend) ends
          // the start: vmlet exits saying why instead of running uncaptured while "starting".
          if (installed === undefined && !isRetryable(err)) {
            settle();
            throw err;
          }
        }
        settle();
        const stop = wake.abort.bind(wake);
        signal.addEventListener('abort', stop, { once: true });
        try {
          await deps.clock.sleep(want.recheckMs, wake.signal);
        } catch {
          if (signal.aborted) return;
        } finally {
          signal.removeEventListener('abort', stop);
        }
      }
    },
  };

  return {
    active: true,
    settled,
    watchEnvoy(readiness) {
      envoy = readiness;
      readiness.subscribe(() => wake.abort());
    },
    components: [component],
    stopHooks: [{
      stage: 'remove-capture',
      name: 'capture: remove rules',
      async run() {
        if (c.keepOnRestart) {
          log.info('keeping the capture rules (capture.keepOnRestart): captured traffic fails until vmlet is back');
          return;
        }
        try {
          await executor.remove();
          await clearState(stateDir);
          log.info('capture rules removed');
        } catch (err) {
          log.error({ err }, 'capture rules could not be removed; run `vmlet capture remove`');
        }
      },
    }],
  };
}
