/**
 * Status: what vmlet says about itself, locally.
 *
 * Owns: readiness gates, the per-component status board and phase (StatusCenter), the event hub
 * behind /events, the metrics registry (Prometheus text), process metrics, the one-line STATUS=
 * text, and the local status server on 127.0.0.1:15020. Capabilities only see the interfaces
 * in ./types.ts (Gates, StatusBoard, Events, Metrics) through their deps. Must not touch:
 * capabilities' state, the configuration beyond general.status*, anything off loopback unless
 * general.allowNonLoopback says so.
 */
export type { Gate, Gates, StatusBoard, Events, Metrics, Counter, Gauge, Histogram, Labels, ComponentState } from './types.js';
export { GateRegistry, type GateState } from './gates.js';
export { EventHub, HISTORY_SIZE, type VmletEvent } from './events.js';
export { RingBuffer } from './ring-buffer.js';
export { MetricsRegistry, type Collector } from './metrics.js';
export { addProcessMetrics } from './process-metrics.js';
export { StatusCenter } from './status-center.js';
export { statusLine, type Phase, type StatusSnapshot, type ComponentStatus } from './status-line.js';
export { StatusServer, type StatusServerOptions } from './server.js';
export { STATUS_ERRORS } from './errors.js';
