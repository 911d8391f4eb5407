/**
 * createCapture(deps): the capture capability main.ts mounts. At start it applies the rules
 * (gate `capture` until they are in place), then every capture.repairInterval checks them and
 * repairs drift (vmlet_capture_repairs_total). At an explicit stop it removes them unless
 * capture.keepOnRestart; after a crash they stay (fail closed) and the next start replaces them.
 */
import type { Deps } from '../deps.js';
import type { Capability, Component } from '../lifecycle/index.js';
import { CaptureExecutor } from './executor.js';
import { readHostFacts } from './host-facts.js';
import { optionsFromConfig, type HostFacts } from './options.js';
import { buildPlan, type CapturePlan } from './rules.js';
import { ExecRunner, type IptablesRunner } from './runner.js';
import { clearState, readState, writeState } from './state.js';

export interface CaptureExtras {
  /** Tests: run iptables elsewhere (a netns). Default: this host, and only as root. */
  readonly runner?: IptablesRunner;
  /** Tests: fixed host facts instead of reading them. */
  readonly facts?: HostFacts;
  readonly isRoot?: boolean;
}

export interface CaptureCapability extends Capability {
  /** Whether capture is on for this run (false: disabled by config or not root). */
  readonly active: boolean;
}

export function createCapture(deps: Deps, extras: CaptureExtras = {}): CaptureCapability {
  const log = deps.logger.child({ component: 'capture' });
  const c = deps.config.capture;
  const why = !c.enabled ? 'capture.enabled=false' : c.customIptables ? 'ISTIO_CUSTOM_IP_TABLES=true (the operator manages iptables)' : undefined;
  if (why !== undefined) {
    log.warn(`TRAFFIC CAPTURE IS OFF (${why}): applications bypass Envoy unless they use it explicitly`);
    deps.status.set('capture', 'ok', `off: ${why}`);
    return { active: false };
  }
  if (!(extras.isRoot ?? process.getuid?.() === 0)) {
    log.error('TRAFFIC CAPTURE IS OFF: vmlet is not running as root, so it cannot install iptables rules [VMLET_CAPTURE_NOT_ROOT]; run vmlet as root or set capture.enabled=false to silence this');
    deps.status.set('capture', 'degraded', 'off: not root [VMLET_CAPTURE_NOT_ROOT]');
    return { active: false };
  }
  const executor = new CaptureExecutor({ runner: extras.runner ?? new ExecRunner(), backend: c.backend ?? 'auto' });
  const gate = deps.gates.register('capture');
  gate.fail('capture rules not applied yet');
  const repairs = deps.metrics.counter('vmlet_capture_repairs_total', 'Times the capture rules were found changed (drift) and re-applied.');
  const stateDir = deps.config.general.stateDir;
  let plan: CapturePlan | undefined;

  const applyOnce = async (): Promise<void> => {
    if (plan === undefined) {
      const facts = extras.facts ?? await readHostFacts(deps.config);
      const options = optionsFromConfig(deps.config, facts);
      const previous = await readState(stateDir).catch((err: unknown) => { log.warn({ err }, 'ignoring the capture state file'); return undefined; });
      if (previous !== undefined) log.info({ since: previous.appliedAt, pid: previous.pid }, 'capture rules from an earlier run are in place; replacing them atomically');
      plan = buildPlan(options);
      const backend = await executor.backend();
      const r = await executor.apply(plan);
      await writeState(stateDir, { version: 1, backend: backend.name, appliedAt: new Date(deps.clock.now()).toISOString(), pid: process.pid, options });
      log.info({ backend: backend.name, ipv6: options.ipv6, changed: r.changed, proxyUids: options.proxyUids }, 'capture rules applied');
      deps.events.emit('capture', { applied: true, backend: backend.name, ipv6: options.ipv6 });
      return;
    }
    const r = await executor.apply(plan);
    if (r.changed) {
      repairs.inc();
      log.warn({ drift: r.drift.map((d) => `${d.table}: ${d.what}`) }, 'capture rules had drifted (flushed or changed by another tool); repaired');
      deps.events.emit('capture', { repaired: true, drift: r.drift.length });
    }
  };

  const component: Component = {
    name: 'capture',
    async run(signal: AbortSignal): Promise<void> {
      while (!signal.aborted) {
        try {
          await applyOnce();
          if (!gate.passed) gate.pass();
          deps.status.set('capture', 'ok', `rules in place (${(await executor.backend()).name})`);
        } catch (err) {
          const msg = err instanceof Error ? err.message : String(err);
          log.error({ err }, `capture rules could not be applied: ${msg}`);
          deps.status.set('capture', 'degraded', msg);
          if (!gate.passed) gate.fail(msg);
        }
        try {
          await deps.clock.sleep(c.repairInterval, signal);
        } catch {
          return;
        }
      }
    },
  };

  return {
    active: true,
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
