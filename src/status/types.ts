/**
 * What every capability reports to, and nothing else: readiness gates (READY=1 and
 * /healthz/ready wait for all of them), one status line per component (STATUS= and `vmlet
 * status`), events (the /events WebSocket) and metrics (/metrics, Prometheus text format).
 * The status folder implements these; capabilities receive them in their deps and never reach
 * into the status server.
 */

export interface Gate {
  readonly name: string;
  readonly passed: boolean;
  /** The gate is met (idempotent). */
  pass(): void;
  /** The gate is not met, with a reason an operator can act on. */
  fail(reason: string): void;
}

export interface Gates {
  /** Registers a gate before vmlet can be ready; registering the same name twice returns the same gate. */
  register(name: string): Gate;
}

/** `off`: switched off on purpose by configuration (not a problem, not running). */
export type ComponentState = 'starting' | 'ok' | 'off' | 'degraded' | 'failed' | 'stopping' | 'stopped';

export interface StatusBoard {
  /** One human line per component, e.g. identity: ok "spiffe://cluster.local/ns/a/sa/b, expires in 23h". */
  set(component: string, state: ComponentState, detail: string): void;
  /**
   * Serves `read(query)` as JSON at /debug/<name> on the status server (e.g. the xDS view);
   * `query` is the request's search parameters, a promise is awaited.
   */
  expose?(name: string, read: (query: URLSearchParams) => unknown): void;
}

export interface Events {
  /** Publishes one event to /events subscribers (and keeps the latest state for new clients). */
  emit(type: string, data: Record<string, unknown>): void;
}

export type Labels = Readonly<Record<string, string>>;

export interface Counter {
  inc(labels?: Labels, by?: number): void;
}
export interface Gauge {
  set(value: number, labels?: Labels): void;
}
export interface Histogram {
  /** Seconds, by Prometheus convention. */
  observe(value: number, labels?: Labels): void;
}

export interface Metrics {
  /** Names follow Prometheus conventions: `vmlet_<what>_<unit>` and `_total` for counters. */
  counter(name: string, help: string, labelNames?: readonly string[]): Counter;
  gauge(name: string, help: string, labelNames?: readonly string[]): Gauge;
  histogram(name: string, help: string, buckets: readonly number[], labelNames?: readonly string[]): Histogram;
}
