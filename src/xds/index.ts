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
import { shortType } from './sync-view.js';
import { statusName } from '../grpc/status.js';
import './errors.js';

export { buildNode, checkNodeMetadata, instanceIpsOf, type NodeInfo, type HostFacts } from './node-metadata.js';
export { detectHost } from './host-facts.js';
export { XdsProxy, ADS_SERVICE } from './proxy.js';
export { XdsSyncView, shortType, type XdsView, type TypeView, type SyncState } from './sync-view.js';

export interface XdsOptions {
  readonly connector: IstiodConnector;
  readonly node: NodeInfo;
  /** Unix owner for the socket (Envoy's user), when Envoy runs as another user. */
  readonly socketOwner?: { uid: number; gid: number };
  /** DNS on: each NameTable istiod sends goes here (the DNS capability's acceptTable); NDS is requested. */
  readonly onNameTable?: (table: Uint8Array) => void;
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
  const nacks = deps.metrics.counter('vmlet_xds_nacks_total', 'xDS responses Envoy rejected (NACKed), by type (CDS, LDS, ...).', ['type']);

  // A NACK is a warning, not a readiness gate: Envoy keeps serving its last accepted config.
  let warned = false;
  const configWarning = () => {
    const bad = proxy.view.nacked();
    if (bad.length > 0) {
      warned = true;
      const text = bad.map((t) => `${t.short} version ${t.sent?.version || '?'}: ${t.answer?.error ?? ''}`).join('; ');
      deps.status.set('xds-config', 'degraded', `Envoy rejected ${text} (vmlet proxy-status)`);
    } else if (warned) {
      deps.status.set('xds-config', 'ok', 'no type rejected by Envoy on the current xDS stream');
    }
  };
  const proxy = new XdsProxy({
    socketPath: config.xds.socketPath,
    connector: opts.connector,
    logger,
    ...(opts.socketOwner ? { socketOwner: opts.socketOwner } : {}),
    ...(opts.onNameTable ? { onNameTable: opts.onNameTable } : {}),
    events: {
      connected: (flavor) => {
        streams.inc({ flavor });
        configWarning();
        deps.status.set('xds', 'ok', `Envoy's ${flavor} xDS stream proxied to istiod`);
        deps.events.emit('xds', { state: 'connected', flavor });
      },
      rejected: (code, details) => {
        const codeName = statusName(code);
        rejections.inc({ code: codeName });
        const hint = rejectionHint(code, details, ctx);
        deps.status.set('xds', 'degraded', `istiod rejected the stream: ${codeName} ${details} — ${hint}`);
        deps.events.emit('xds', { state: 'rejected', code: codeName, details, hint });
      },
      nacked: (typeUrl, nack) => {
        const short = shortType(typeUrl);
        nacks.inc({ type: short });
        logger.warn({ type: short, typeUrl, nonce: nack.nonce, version: nack.version, detail: nack.error }, `Envoy rejected ${short} (NACK): ${nack.error ?? ''}`);
        deps.events.emit('xds-nack', { type: short, nonce: nack.nonce, detail: nack.error ?? '' });
        configWarning();
      },
      recovered: (typeUrl) => {
        logger.info({ type: shortType(typeUrl) }, `Envoy accepted ${shortType(typeUrl)} again`);
        configWarning();
      },
      healthSent: (r: HealthReport) => deps.events.emit('health-sent', { healthy: r.healthy, ...(r.message ? { message: r.message } : {}) }),
    },
  });

  deps.status.expose?.('xds', () => ({
    node: opts.node.id,
    cluster: String(meta['CLUSTER_ID'] ?? ''),
    istioVersion: String(meta['ISTIO_VERSION'] ?? ''),
    ...proxy.view.view(),
  }));

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
