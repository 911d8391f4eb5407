/**
 * supervised(): resilient() plus the reporting every restarted piece needs, so wiring a
 * capability's long-running piece is one line in its factory:
 *
 *   supervised(envoyProcess, ENVOY_RESTART, deps)
 *
 * On each restart the component's status line says `degraded: restarting (n) in <delay>: <error>`
 * and `vmlet_component_restarts_total{component}` goes up. The component itself reports `ok`
 * when it is healthy again (it knows when that is; the wrapper does not).
 */
import type { Deps } from '../deps.js';
import type { BackoffPolicy } from './backoff.js';
import { resilient } from './resilient.js';
import type { Component } from './types.js';

export function supervised(
  component: Component,
  policy: BackoffPolicy,
  deps: Pick<Deps, 'clock' | 'logger' | 'status' | 'metrics'>,
  opts: { shouldRestart?(err: unknown): boolean } = {},
): Component {
  const restarts = deps.metrics.counter('vmlet_component_restarts_total', 'Restarts of a long-running piece after it failed.', ['component']);
  return resilient(component, policy, {
    clock: deps.clock,
    logger: deps.logger.child({ component: component.name }),
    ...(opts.shouldRestart ? { shouldRestart: opts.shouldRestart } : {}),
    onRestart: (n, delayMs, err) => {
      restarts.inc({ component: component.name });
      const why = err instanceof Error ? err.message : String(err);
      deps.status.set(component.name, 'degraded', `restarting (${n}) in ${delayMs} ms: ${why}`);
    },
  });
}
