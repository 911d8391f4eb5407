/**
 * The service's Prometheus metrics (/metrics on metricsListen), in the agent's registry type.
 * Labels carry codes and providers only, never an instance or a secret (bounded cardinality).
 */
import { MetricsRegistry } from '../status/metrics.js';
import type { Counter, Gauge, Histogram } from '../status/types.js';

export interface OnboardMetrics {
  readonly registry: MetricsRegistry;
  readonly challenges: Counter;
  readonly requests: Counter;
  readonly duration: Histogram;
  readonly tokenRequests: Counter;
  readonly policyVms: Gauge;
}

export function createOnboardMetrics(): OnboardMetrics {
  const registry = new MetricsRegistry();
  return {
    registry,
    challenges: registry.counter('vmlet_onboard_challenges_total', 'Nonces issued by POST /v1/challenge.'),
    requests: registry.counter('vmlet_onboard_requests_total', 'Onboard requests by provider, decision (allowed, refused) and code (OK or ONBOARD_*).', ['provider', 'decision', 'code']),
    duration: registry.histogram('vmlet_onboard_duration_seconds', 'Time from an onboard request to its answer, by decision.', [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], ['decision']),
    tokenRequests: registry.counter('vmlet_onboard_token_requests_total', 'TokenRequests sent to the Kubernetes API, by result (ok, refused).', ['result']),
    policyVms: registry.gauge('vmlet_onboard_policy_vms', 'Distinct instances each policy has onboarded (compare with its maxVMs).', ['policy']),
  };
}
