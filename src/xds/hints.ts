/**
 * Turns istiod's rejection of an xDS stream into one line an operator can act on (pure).
 */
import { Status } from '../grpc/status.js';

export interface RejectionContext {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly group?: string;
}

export function rejectionHint(code: number, details: string, ctx: RejectionContext): string {
  const d = details.toLowerCase();
  if (code === Status.FAILED_PRECONDITION && d.includes('workloadgroup')) {
    return `create WorkloadGroup ${ctx.group ?? '<AUTO_REGISTER_GROUP>'} in namespace ${ctx.namespace} (kubectl apply, or istioctl x workload group create); vmlet registers as soon as it exists`;
  }
  if (code === Status.PERMISSION_DENIED) {
    return `the certificate's identity does not match NAMESPACE=${ctx.namespace} / SERVICE_ACCOUNT=${ctx.serviceAccount}: regenerate the VM files for this namespace and service account`;
  }
  if (code === Status.UNAUTHENTICATED) {
    return 'istiod could not authenticate vmlet: no valid workload certificate and no valid istio-token (see `vmlet status` identity line)';
  }
  if (code === Status.INVALID_ARGUMENT) {
    return 'istiod refused the node metadata: check cluster.env ISTIO_META_* values (StringBool fields must be "true"/"false")';
  }
  if (code === Status.UNAVAILABLE) return 'istiod is unreachable or not ready yet; Envoy reconnects with backoff';
  if (code === Status.RESOURCE_EXHAUSTED) return 'istiod is rate-limiting new streams (PILOT_MAX_REQUESTS_PER_SECOND); Envoy retries';
  return 'see istiod logs for this proxy';
}
