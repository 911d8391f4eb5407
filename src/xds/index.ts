/**
 * Into the mesh: the xDS proxy between Envoy and istiod, the node identity istiod sees, and the
 * workload health reported on the xDS stream so istiod keeps the WorkloadEntry's Healthy
 * condition true to life.
 *
 * Owns: the XDS socket, every upstream xDS stream, the NameTable istiod sends, the health loop.
 * Must not touch: certificates (it asks src/istiod for an HTTP/2 session per stream), Envoy's
 * process, iptables. On stop it reports unhealthy first, waits for istiod to propagate that, and closes
 * the streams after Envoy has drained.
 */
import type { Capability, StopHook } from '../lifecycle/index.js';
import type { Deps } from '../deps.js';
import { VmletError } from '../errors.js';
import type { IstiodConnector } from '../istiod/types.js';
import type { EnvoyReadiness } from '../envoy/readiness.js';
import { HealthChecker } from '../health/checker.js';
import { parseProbe } from '../health/probe-spec.js';
import { runProbe } from '../health/probers.js';
import { rejectionHint } from './hints.js';
import type { NodeInfo } from './node-metadata.js';
import { XdsProxy, type HealthReport } from './proxy.js';
import { grpcCodeName } from './upstream.js';
import './errors.js';

export { buildNode, checkNodeMetadata, type NodeInfo, type HostFacts } from './node-metadata.js';
export { detectHost } from './host-facts.js';
export { XdsProxy, ADS_SERVICE } from './proxy.js';

export interface XdsOptions {
  readonly connector: IstiodConnector;
  readonly node: NodeInfo;
  readonly envoy?: EnvoyReadiness;
  /** Unix owner for the socket (Envoy's user), when Envoy runs as another user. */
  readonly socketOwner?: { uid: number; gid: number };
}

export interface Xds extends Capability {
  readonly proxy: XdsProxy;
}

export function createXds(deps: Deps, opts: XdsOptions): Xds {
  const { config } = deps;
  const logger = deps.logger.child({ component: 'xds' });
  const meta = opts.node.metadata;
  const ctx = {
    namespace: String(meta['NAMESPACE'] ?? ''),
    serviceAccount: String(meta['SERVICE_ACCOUNT'] ?? ''),
    ...(typeof meta['AUTO_REGISTER_GROUP'] === 'string' ? { group: meta['AUTO_REGISTER_GROUP'] } : {}),
  };
  const rejections = deps.metrics.counter('vmlet_xds_rejections_total', 'xDS streams istiod ended with an error, by gRPC code.', ['code']);
  const streams = deps.metrics.counter('vmlet_xds_streams_total', 'Upstream xDS streams opened to istiod.', ['flavor']);
  const healthGauge = deps.metrics.gauge('vmlet_health_healthy', '1 when the last health report sent to istiod was healthy.');

  const proxy = new XdsProxy({
    socketPath: config.xds.socketPath,
    connector: opts.connector,
    logger,
    ...(opts.socketOwner ? { socketOwner: opts.socketOwner } : {}),
    events: {
      connected: (flavor) => {
        streams.inc({ flavor });
        deps.status.set('xds', 'ok', `Envoy's ${flavor} xDS stream proxied to istiod`);
        deps.events.emit('xds', { state: 'connected', flavor });
      },
      rejected: (code, details) => {
        const codeName = grpcCodeName(code);
        rejections.inc({ code: codeName });
        const hint = rejectionHint(code, details, ctx);
        deps.status.set('xds', 'degraded', `istiod rejected the stream: ${codeName} ${details} — ${hint}`);
        deps.events.emit('xds', { state: 'rejected', code: codeName, details, hint });
      },
      healthSent: (r: HealthReport) => deps.events.emit('health-sent', { healthy: r.healthy, ...(r.message ? { message: r.message } : {}) }),
    },
  });

  const capability: { components: Capability['components']; stopHooks: StopHook[] } = {
    components: [{
      name: 'xds',
      run: async (signal) => {
        await proxy.listen();
        deps.status.set('xds', 'starting', `listening on ${config.xds.socketPath}; waiting for Envoy`);
        await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
        proxy.destroy();
      },
    }],
    stopHooks: [
      { stage: 'close-streams', name: 'xds: close streams', run: () => proxy.close() },
    ],
  };

  const parsed = parseProbe(config.istio.proxyConfig['readinessProbe']);
  if (parsed.problems.length > 0) {
    throw new VmletError('VMLET_HEALTH_PROBE_INVALID', `mesh.yaml: defaultConfig.${parsed.problems.join('; ')}: fix the WorkloadGroup's probe and re-run istioctl x workload entry configure`, { details: { file: config.istio.meshPath } });
  }
  if (parsed.spec) {
    const spec = parsed.spec;
    const ips = String(meta['INSTANCE_IPS'] ?? '').split(',').filter((s) => s !== '');
    const target = {
      defaultHost: config.health.rewriteProbeToLocalhost || ips.length === 0 ? 'localhost' : (ips[0] as string),
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
        proxy.setHealth(state);
        healthGauge.set(state.healthy ? 1 : 0);
        deps.status.set('health', state.healthy ? 'ok' : 'degraded', state.healthy ? 'workload healthy' : `workload unhealthy: ${state.message}`);
        deps.events.emit('health', { healthy: state.healthy, ...(state.message ? { message: state.message } : {}) });
        logger.info({ healthy: state.healthy, reason: state.message }, state.healthy ? 'workload healthy' : 'workload unhealthy');
        gate.pass();
      },
    });
    capability.components = [...(capability.components ?? []), checker];
    capability.stopHooks.unshift(
      {
        stage: 'report-unhealthy',
        name: 'health: report unhealthy',
        run: () => proxy.setHealth({ healthy: false, message: 'vmlet is stopping' }),
      },
      {
        stage: 'propagation-delay',
        name: 'health: wait for istiod to propagate',
        run: (hurry) => deps.clock.sleep(config.health.propagationDelay, hurry).catch(() => undefined),
      },
    );
  } else {
    deps.status.set('health', 'ok', 'no readinessProbe in mesh.yaml: no health reports (as Istio)');
  }
  return { ...capability, proxy };
}
