/**
 * The ordered stop (architecture.md phase 7). Capabilities register stop hooks in named stages;
 * stages run in the order below, hooks within a stage in registration order, one after another,
 * BEFORE the components are aborted — except `after-exit`, which runs once every component has
 * returned. Why this order: istiod must stop routing to the VM (report unhealthy, then wait for
 * that to propagate) before Envoy drains, and the xDS streams carry that report so they close
 * after the drain; capture goes last so traffic keeps flowing through a draining Envoy.
 *
 * Each hook gets the `hurry` signal: it aborts on the second SIGTERM/SIGINT or when
 * general.shutdownTimeout runs out; hooks then cut their waits short. Stages marked skippable
 * (waits and drains) are not started at all once hurried. A failing hook is logged and the stop
 * goes on: a stop never gets stuck on one piece.
 */
import type { Logger } from '../log.js';
import { monotonicMs } from './types.js';

export const STOP_STAGES = [
  'report-unhealthy',
  'propagation-delay',
  'drain',
  'close-streams',
  'remove-capture',
  'after-exit',
] as const;
export type StopStage = (typeof STOP_STAGES)[number];

/** Stages that only wait or drain: skipped once the stop is hurried. */
const SKIPPABLE: ReadonlySet<StopStage> = new Set(['propagation-delay', 'drain']);

export interface StopHook {
  readonly stage: StopStage;
  /** For logs: `xds: report unhealthy`. */
  readonly name: string;
  /** Returns when done; must return promptly once `hurry` aborts. */
  run(hurry: AbortSignal): Promise<void> | void;
}

export class StopHooks {
  private readonly hooks: StopHook[] = [];

  register(hook: StopHook): void {
    if (!STOP_STAGES.includes(hook.stage)) throw new Error(`unknown stop stage ${hook.stage}`);
    this.hooks.push(hook);
  }

  /** The hooks of `stages`, in stage order then registration order. */
  list(stages: readonly StopStage[] = STOP_STAGES): StopHook[] {
    return STOP_STAGES.filter((s) => stages.includes(s)).flatMap((s) => this.hooks.filter((h) => h.stage === s));
  }

  /** Runs the hooks of `stages` in order. Returns the names of hooks skipped because of hurry. */
  async runStages(stages: readonly StopStage[], hurry: AbortSignal, logger: Logger): Promise<string[]> {
    const skipped: string[] = [];
    for (const hook of this.list(stages)) {
      if (hurry.aborted && SKIPPABLE.has(hook.stage)) {
        skipped.push(hook.name);
        logger.warn({ stage: hook.stage, hook: hook.name }, `stop: skipping ${hook.name} (hurried)`);
        continue;
      }
      const started = monotonicMs();
      try {
        logger.info({ stage: hook.stage, hook: hook.name }, `stop: ${hook.name}`);
        await hook.run(hurry);
        logger.debug({ hook: hook.name, ms: Math.round(monotonicMs() - started) }, `stop: ${hook.name} done`);
      } catch (err) {
        logger.error({ err, stage: hook.stage, hook: hook.name }, `stop: ${hook.name} failed; continuing the stop`);
      }
    }
    return skipped;
  }
}

export const BEFORE_ABORT: readonly StopStage[] = STOP_STAGES.filter((s) => s !== 'after-exit');
export const AFTER_EXIT: readonly StopStage[] = ['after-exit'];
