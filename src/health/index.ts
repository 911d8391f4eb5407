/**
 * Workload health: the WorkloadGroup's readiness probe from mesh.yaml (plus Envoy's readiness),
 * checked as pilot-agent's health checker does, and every transition handed to a `HealthSink`
 * (the xDS proxy, which sends it to istiod on the stream so the WorkloadEntry's Healthy
 * condition stays true to life).
 *
 * Owns: the probe loop, the `health` gate, status line and metric, and the first two stop stages
 * (report unhealthy, then wait for istiod to propagate it before Envoy drains).
 * Must not touch: the xDS streams (it only calls `setHealth`), Envoy's process, certificates.
 */
import type { Deps } from '../deps.js';
import type { EnvoyReadiness } from '../envoy/readiness.js';
import type { Capability } from '../lifecycle/index.js';
import { HealthChecker, type HealthState } from './checker.js';
import { probeError } from './preflight.js';
import { parseProbe } from './probe-spec.js';
import { runProbe } from './probers.js';

export type { HealthState } from './checker.js';

/** Where health reports go: the one method of the xDS proxy that health may call. */
export interface HealthSink {
  setHealth(state: HealthState): void;
}

export interface HealthOptions {
  readonly sink: HealthSink;
  /** The VM's addresses (node metadata INSTANCE_IPS), routable first: the default probe host. */
  readonly instanceIps: readonly string[];
  readonly envoy?: EnvoyReadiness;
}

/**
 * The health capability. Without a readinessProbe in mesh.yaml it has nothing to run and sends
 * no reports (as Istio). A probe that does not parse throws VMLET_HEALTH_PROBE_INVALID.
 */
export function createHealth(deps: Deps, opts: HealthOptions): Capability {
  const { config } = deps;
  const parsed = parseProbe(config.istio.proxyConfig['readinessProbe']);
  if (parsed.problems.length > 0) {
    throw probeError(parsed.problems, config.istio.meshPath);
  }
  const spec = parsed.spec;
  if (!spec) {
    deps.status.set('health', 'ok', 'no readinessProbe in mesh.yaml: no health reports (as Istio)');
    return {};
  }
  const logger = deps.logger.child({ component: 'health' });
  const healthGauge = deps.metrics.gauge('vmlet_health_healthy', '1 when the last health report sent to istiod was healthy.');
  const target = {
    defaultHost: config.health.rewriteProbeToLocalhost || opts.instanceIps.length === 0 ? 'localhost' : (opts.instanceIps[0] as string),
    httpSource: config.health.probeSourceAddress,
  };
  const gate = deps.gates.register('health');
  gate.fail('no health report sent yet');
  const checker = new HealthChecker({
    spec,
    probe: () => runProbe(spec.action, target, spec.timeout),
    envoyReady: () => (opts.envoy === undefined || opts.envoy.ready() ? undefined : 'Envoy has not received its configuration yet'),
    clock: deps.clock,
    onChange: (state) => {
      opts.sink.setHealth(state);
      healthGauge.set(state.healthy ? 1 : 0);
      deps.status.set('health', state.healthy ? 'ok' : 'degraded', state.healthy ? 'workload healthy' : `workload unhealthy: ${state.message}`);
      deps.events.emit('health', { healthy: state.healthy, ...(state.message ? { message: state.message } : {}) });
      logger.info({ healthy: state.healthy, reason: state.message }, state.healthy ? 'workload healthy' : 'workload unhealthy');
      gate.pass();
    },
  });
  return {
    components: [checker],
    stopHooks: [
      {
        stage: 'report-unhealthy',
        name: 'health: report unhealthy',
        run: () => opts.sink.setHealth({ healthy: false, message: 'vmlet is stopping' }),
      },
      {
        stage: 'propagation-delay',
        name: 'health: wait for istiod to propagate',
        run: (hurry) => deps.clock.sleep(config.health.propagationDelay, hurry).catch(() => undefined),
      },
    ],
  };
}
