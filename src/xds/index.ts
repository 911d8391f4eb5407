/**
 * Into the mesh: the xDS proxy between Envoy and istiod, and the node identity istiod sees. The
 * proxy carries the workload health that src/health hands it (`setHealth`) to istiod on the stream.
 *
 * Owns: the XDS socket, every upstream xDS stream, the NameTable istiod sends.
 * Must not touch: certificates (it asks src/istiod for an HTTP/2 session per stream), Envoy's
 * process, iptables, the probes. On stop it closes the streams after Envoy has drained (health
 * has reported unhealthy and waited for istiod before that).
 */
import type { Capability } from '../lifecycle/index.js';
import type { Deps } from '../deps.js';
import type { IstiodConnector } from '../istiod/types.js';
import { rejectionHint } from './hints.js';
import type { NodeInfo } from './node-metadata.js';
import { XdsProxy, type HealthReport } from './proxy.js';
import { grpcCodeName } from './upstream.js';
import './errors.js';

export { buildNode, checkNodeMetadata, instanceIpsOf, type NodeInfo, type HostFacts } from './node-metadata.js';
export { detectHost } from './host-facts.js';
export { XdsProxy, ADS_SERVICE } from './proxy.js';

export interface XdsOptions {
  readonly connector: IstiodConnector;
  readonly node: NodeInfo;
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

  return {
    proxy,
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
}
