/**
 * Envoy's side of the xDS proxy: the two ADS methods on src/grpc's server, so a response istiod
 * sent is written to Envoy without a copy (grpc-js's server copied every message into a new
 * buffer to prefix its 5-byte header: for a 50 MB response, 1x the message in the proxy's peak
 * memory), with the HTTP/2 window Envoy may fill and keepalive pings.
 */
import { GrpcServer, type ServerCall } from '../grpc/server.js';
import type { XdsFlavor } from './wire.js';

const BASE = '/envoy.service.discovery.v3.AggregatedDiscoveryService';

/** One of Envoy's ADS calls, and which flavor of ADS it speaks. */
export type DownstreamCall = ServerCall & { readonly flavor: XdsFlavor };

export interface DownstreamServerOptions {
  /** HTTP/2 window (stream and connection) Envoy may fill before the proxy reads. */
  readonly windowBytes: number;
  /** Ping Envoy this often; a ping unanswered for timeoutMs closes the connection. */
  readonly keepaliveMs: number;
  readonly keepaliveTimeoutMs: number;
}

/** The server for Envoy's ADS calls; any other method is answered UNIMPLEMENTED. */
export class DownstreamServer extends GrpcServer {
  constructor(opts: DownstreamServerOptions, onCall: (call: DownstreamCall) => void) {
    super({ ...opts, peer: 'Envoy' }, {
      [`${BASE}/StreamAggregatedResources`]: (call) => onCall(Object.assign(call, { flavor: 'sotw' as const })),
      [`${BASE}/DeltaAggregatedResources`]: (call) => onCall(Object.assign(call, { flavor: 'delta' as const })),
    });
  }
}
