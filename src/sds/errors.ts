/**
 * Error codes of the SDS server Envoy fetches certificates from.
 */
import { registerErrors, type ErrorCatalog } from '../errors.js';

export const SDS_ERRORS = {
  VMLET_SDS_LISTEN_FAILED: { summary: 'The SDS server could not listen on sds.socketPath (directory not writable? another agent serving it?).', retryable: true },
  VMLET_SDS_BAD_REQUEST: { summary: 'Envoy sent an SDS request vmlet cannot serve (no node on the first request, or a resource name vmlet does not know).' },
  VMLET_SDS_SECRET_UNAVAILABLE: { summary: 'A requested secret is not available yet (no workload certificate) or its files cannot be read; Envoy retries.', retryable: true },
  VMLET_SDS_NACK: { summary: 'Envoy rejected a secret vmlet sent (NACK); the log line carries its error_detail.' },
} as const satisfies ErrorCatalog;

registerErrors(SDS_ERRORS);
