/**
 * Envoy readiness as pilot-agent judges it (status/ready/probe.go), from the admin API:
 * configuration received (cluster_manager.cds.update_success > 0 and listener_manager.lds.update_success
 * > 0) and Envoy live (server.state == 0, LIVE, and listener_manager.workers_started == 1). Both
 * latch once true, as in Istio; they reset only when a new Envoy process starts. Feeds the
 * `envoy` gate and whoever subscribes (capture, health).
 */
import type { Clock } from '../lifecycle/types.js';
import type { Logger } from '../log.js';
import type { Gate } from '../status/types.js';
import { parseStats, type EnvoyAdmin } from './admin-client.js';

/** What other capabilities may ask about Envoy's readiness. */
export interface EnvoyReadiness {
  ready(): boolean;
  /** Called with every change; returns an unsubscribe function. */
  subscribe(fn: (ready: boolean) => void): () => void;
}

const CONFIG_FILTER = '/stats?usedonly&filter=' + encodeURIComponent('^(cluster_manager\\.cds|listener_manager\\.lds)\\.(update_success|update_rejected)$');
const LIVE_FILTER = '/stats?usedonly&filter=' + encodeURIComponent('^(server\\.state|listener_manager\\.workers_started)');

export interface ReadinessCheck {
  readonly ready: boolean;
  readonly configReceived: boolean;
  readonly live: boolean;
  /** Why not ready, for the gate and status. */
  readonly reason: string;
}

export class AdminReadiness implements EnvoyReadiness {
  private configReceived = false;
  private live = false;
  private readonly listeners = new Set<(ready: boolean) => void>();

  constructor(
    private readonly admin: EnvoyAdmin,
    private readonly gate: Gate,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly intervalMs = 500,
  ) {}

  ready(): boolean {
    return this.configReceived && this.live;
  }

  subscribe(fn: (ready: boolean) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** A new Envoy process: everything must be proven again. */
  reset(reason: string): void {
    const was = this.ready();
    this.configReceived = false;
    this.live = false;
    this.gate.fail(reason);
    if (was) this.notify(false);
  }

  /** One probe, as pilot-agent does it. */
  async check(): Promise<ReadinessCheck> {
    let reason = '';
    try {
      if (!this.configReceived) {
        const s = parseStats(await this.admin.get(CONFIG_FILTER));
        const cds = s.get('cluster_manager.cds.update_success') ?? 0;
        const lds = s.get('listener_manager.lds.update_success') ?? 0;
        this.configReceived = cds > 0 && lds > 0;
        if (!this.configReceived) {
          const rejected = (s.get('cluster_manager.cds.update_rejected') ?? 0) + (s.get('listener_manager.lds.update_rejected') ?? 0);
          reason = rejected > 0
            ? `Envoy received config from istiod but rejected it (cds/lds update_rejected ${rejected})`
            : `Envoy has not received config from istiod yet (cds update_success ${cds}, lds ${lds})`;
        }
      }
      if (this.configReceived && !this.live) {
        const s = parseStats(await this.admin.get(LIVE_FILTER));
        const state = s.get('server.state');
        this.live = state === 0 && s.get('listener_manager.workers_started') === 1;
        if (!this.live) reason = `Envoy is not live yet (server.state ${state ?? 'unknown'}, workers_started ${s.get('listener_manager.workers_started') ?? 0})`;
      }
    } catch (err) {
      reason = `Envoy admin API not answering: ${(err as Error).message}`;
    }
    const ready = this.ready();
    if (ready) this.gate.pass();
    else this.gate.fail(reason);
    return { ready, configReceived: this.configReceived, live: this.live, reason };
  }

  /** Probes every intervalMs until ready (then the result latches) or `signal` aborts. */
  async watch(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && !this.ready()) {
      const r = await this.check();
      if (r.ready) {
        this.logger.info('Envoy is ready (config received, server LIVE, workers started)');
        this.notify(true);
        return;
      }
      try {
        await this.clock.sleep(this.intervalMs, signal);
      } catch {
        return;
      }
    }
  }

  private notify(ready: boolean): void {
    for (const fn of this.listeners) fn(ready);
  }
}
