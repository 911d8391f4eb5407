/**
 * The workload health loop (pilot-agent's WorkloadHealthChecker, protocol facts §6.3): wait the
 * initial delay, check at once, then every period; after `successThreshold` consecutive passes
 * report Healthy, after `failureThreshold` consecutive failures report Unhealthy(reason); only
 * transitions are reported, and a change of reason while unhealthy (pilot-agent keeps the first
 * reason, so istiod went on showing "Envoy is not ready" for an app that was down). A check is the AND of Envoy's readiness and the application probe,
 * the first failure wins.
 */
import type { Clock, Component } from '../lifecycle/types.js';
import type { ProbeSpec } from './probe-spec.js';
import type { ProbeResult } from './probers.js';

export interface HealthState {
  readonly healthy: boolean;
  /** Why not, when unhealthy (sent to istiod as error_detail.message). */
  readonly message?: string;
}

export interface HealthCheckerOptions {
  readonly spec: ProbeSpec;
  /** One application check. */
  readonly probe: () => Promise<ProbeResult>;
  /** Envoy's readiness; undefined = ready, else the reason. */
  readonly envoyReady: () => string | undefined;
  readonly clock: Clock;
  /** Called on every transition (and new reason while unhealthy), never twice with the same state. */
  readonly onChange: (state: HealthState) => void;
}

export class HealthChecker implements Component {
  readonly name = 'health';
  private last: boolean | undefined;
  private passes = 0;
  private failures = 0;
  private current: HealthState | undefined;

  constructor(private readonly opts: HealthCheckerOptions) {}

  /** The last reported state, undefined before the first report. */
  state(): HealthState | undefined {
    return this.current;
  }

  /** One check, and a report if a threshold was crossed (exposed for tests). */
  async checkOnce(): Promise<void> {
    const envoy = this.opts.envoyReady();
    const reason = envoy !== undefined ? `Envoy is not ready: ${envoy}` : await this.opts.probe();
    if (reason === undefined) {
      this.failures = 0;
      this.passes += 1;
      if (this.passes >= this.opts.spec.successThreshold && this.last !== true) this.report({ healthy: true });
    } else {
      this.passes = 0;
      this.failures += 1;
      if (this.failures >= this.opts.spec.failureThreshold && (this.last !== false || this.current?.message !== reason)) {
        this.report({ healthy: false, message: reason });
      }
    }
  }

  private report(state: HealthState): void {
    this.last = state.healthy;
    this.passes = 0;
    this.failures = 0;
    this.current = state;
    this.opts.onChange(state);
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.opts.clock.sleep(this.opts.spec.initialDelay, signal);
      while (!signal.aborted) {
        await this.checkOnce();
        await this.opts.clock.sleep(this.opts.spec.period, signal);
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }
}
