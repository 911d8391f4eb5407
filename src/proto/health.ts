/**
 * gRPC's health service (grpc.health.v1.Health/Check), for the gRPC readiness probe: a protobufjs
 * descriptor embedded in the bundle. Field numbers from grpc's health/v1/health.proto:
 *   HealthCheckRequest  { service = 1 (string) }
 *   HealthCheckResponse { status = 1 (ServingStatus: UNKNOWN 0, SERVING 1, NOT_SERVING 2, SERVICE_UNKNOWN 3) }
 */
import protobuf from 'protobufjs/light.js';

const root = protobuf.Root.fromJSON({
  nested: {
    grpc: { nested: { health: { nested: { v1: { nested: {
      HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
      HealthCheckResponse: { fields: { status: { type: 'ServingStatus', id: 1 } } },
      ServingStatus: { values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } },
    } } } } } },
  },
});
const Request = root.lookupType('grpc.health.v1.HealthCheckRequest');
const Response = root.lookupType('grpc.health.v1.HealthCheckResponse');

export const HEALTH_CHECK_PATH = '/grpc.health.v1.Health/Check';
export const SERVING = 1;

export function encodeHealthCheckRequest(service: string): Uint8Array {
  return Request.encode(Request.create({ service })).finish();
}

/** The ServingStatus number (0 when absent). */
export function decodeHealthCheckStatus(bytes: Uint8Array): number {
  return (Response.decode(bytes) as unknown as { status?: number }).status ?? 0;
}
