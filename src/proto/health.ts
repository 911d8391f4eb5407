/**
 * gRPC's health service (grpc.health.v1.Health/Check), for the gRPC readiness probe: the static
 * code generated from proto/grpc/health.proto. Field numbers from grpc's health/v1/health.proto:
 *   HealthCheckRequest  { service = 1 (string) }
 *   HealthCheckResponse { status = 1 (ServingStatus: UNKNOWN 0, SERVING 1, NOT_SERVING 2, SERVICE_UNKNOWN 3) }
 */
import { grpc } from '../../proto/generated/messages.js';

const { HealthCheckRequest, HealthCheckResponse } = grpc.health.v1;

export const HEALTH_CHECK_PATH = '/grpc.health.v1.Health/Check';
export const SERVING = HealthCheckResponse.ServingStatus.SERVING;

export function encodeHealthCheckRequest(service: string): Uint8Array {
  return HealthCheckRequest.encode({ service }).finish();
}

/** The ServingStatus number (0 when absent). */
export function decodeHealthCheckStatus(bytes: Uint8Array): number {
  return HealthCheckResponse.decode(bytes).status ?? 0;
}
