/**
 * Error codes of the SDS server Envoy fetches certificates from.
 */
import { defineErrors } from '../errors.js';

export const SDS_ERRORS = defineErrors({
  retryable: {
    VMLET_SDS_LISTEN_FAILED: 'The SDS server could not listen on sds.socketPath (directory not writable? another agent serving it?).',
    VMLET_SDS_SECRET_UNAVAILABLE: 'A requested secret is not available yet (no workload certificate) or its files cannot be read; Envoy retries.',
  },
  other: {
    VMLET_SDS_BAD_REQUEST: 'Envoy sent an SDS request vmlet cannot serve (no node on the first request, or a resource name vmlet does not know).',
    VMLET_SDS_NACK: 'Envoy rejected a secret vmlet sent (NACK); the log line carries its error_detail.',
  },
});
