/**
 * The graceful half of stopping Envoy (pilot-agent's terminate(), pkg/envoy/agent.go), run as a
 * stop hook before components are aborted: fail Envoy's health check, drain inbound listeners
 * gracefully, then wait — general.drainGrace, or with exitOnZeroActiveConnections at least
 * minimumDrainDuration and then until no downstream connection is active. The `hurry` signal
 * (second SIGTERM, or the stop timeout) ends the wait at once. SIGTERM and SIGKILL follow when
 * the Envoy component is aborted (./envoy-process.ts).
 */
import type { Clock } from '../lifecycle/types.js';
import type { Logger } from '../log.js';
import { activeDownstreamConnections, parseStats, type EnvoyAdmin } from './admin-client.js';
import type { EnvoyStateMachine } from './states.js';

export interface DrainOptions {
  readonly admin: EnvoyAdmin;
  readonly states: EnvoyStateMachine;
  readonly clock: Clock;
  readonly logger: Logger;
  /** ms to wait after starting the drain (general.drainGrace). */
  readonly drainGrace: number;
  readonly exitOnZeroActiveConnections: boolean;
  readonly minimumDrainDuration: number;
  /** Upper bound of the wait for zero connections (ms). */
  readonly maxDrainWait: number;
  /** Listeners not counted (Envoy's own 15021 and 15090). */
  readonly skipPorts: readonly number[];
  /** Resolves when Envoy exits (the wait ends early). */
  readonly exited: () => Promise<void>;
}

export type DrainOutcome = 'not-running' | 'waited' | 'zero-connections' | 'envoy-exited' | 'hurried';

export async function drainEnvoy(o: DrainOptions, hurry: AbortSignal): Promise<DrainOutcome> {
  if (o.states.state !== 'running' || !o.states.transitionTo('draining', 'vmlet is stopping')) return 'not-running';
  for (const path of ['/healthcheck/fail', '/drain_listeners?inboundonly&graceful']) {
    try {
      await o.admin.post(path, 2000);
    } catch (err) {
      o.logger.warn({ err, path }, `drain: POST ${path} failed; continuing the stop`);
    }
  }
  if (hurry.aborted) return 'hurried';
  const stopWait = new AbortController();
  const onHurry = () => stopWait.abort('hurry');
  hurry.addEventListener('abort', onHurry, { once: true });
  let exited = false;
  void o.exited().then(() => { exited = true; stopWait.abort('exited'); });
  try {
    if (!o.exitOnZeroActiveConnections) {
      o.logger.info({ drainGraceMs: o.drainGrace }, `drain: waiting ${o.drainGrace} ms for connections to close`);
      await o.clock.sleep(o.drainGrace, stopWait.signal);
      return 'waited';
    }
    return await waitForZero(o, stopWait.signal);
  } catch {
    return hurry.aborted ? 'hurried' : exited ? 'envoy-exited' : 'waited';
  } finally {
    hurry.removeEventListener('abort', onHurry);
  }
}

async function waitForZero(o: DrainOptions, signal: AbortSignal): Promise<DrainOutcome> {
  const started = o.clock.monotonic();
  await o.clock.sleep(o.minimumDrainDuration, signal);
  let errors = 0;
  while (o.clock.monotonic() - started < o.maxDrainWait) {
    try {
      const stats = parseStats(await o.admin.get('/stats?usedonly&filter=downstream_cx_active$', 2000));
      const active = activeDownstreamConnections(stats, o.skipPorts);
      if (stats.size === 0 || active === 0) {
        o.logger.info('drain: no active downstream connections left');
        return 'zero-connections';
      }
      o.logger.debug({ active }, `drain: ${active} downstream connections still active`);
      errors = 0;
    } catch (err) {
      if (++errors >= 5) {
        o.logger.warn({ err }, 'drain: 5 failed stats calls in a row; stopping the wait');
        return 'waited';
      }
    }
    await o.clock.sleep(1000, signal);
  }
  return 'waited';
}
