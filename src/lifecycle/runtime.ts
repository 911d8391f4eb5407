/**
 * The runtime that main.ts hands every capability to: it runs their components with runAll and,
 * when a stop is asked for (or a component fails), runs the ordered stop (./shutdown.ts), then
 * aborts the components, then the after-exit hooks. Bounds: general.shutdownTimeout after the
 * stop began the stop is hurried (drains skipped); general.forceStopTimeout after hurry, vmlet
 * stops waiting for components and returns (the caller exits).
 */
import type { Logger } from '../log.js';
import { runAll } from './runner.js';
import { AFTER_EXIT, BEFORE_ABORT, StopHooks, type StopHook } from './shutdown.js';
import type { ReloadHandler } from './reload.js';
import type { Component } from './types.js';

/** What a capability's `create<Capability>(deps)` factory hands back to main.ts. */
export interface Capability {
  readonly components?: readonly Component[];
  readonly stopHooks?: readonly StopHook[];
  readonly reload?: ReloadHandler;
}

export interface RuntimeOptions {
  logger: Logger;
  /** ms from the start of the stop until it is hurried. */
  shutdownTimeout: number;
  /** ms after hurry until vmlet gives up waiting for components. */
  forceStopTimeout: number;
  /** Called once when the stop begins (STOPPING=1, /healthz/ready TERMINATING). */
  onStopping?(reason: string): void;
}

export type RunResult =
  | { readonly outcome: 'stopped'; readonly forced: boolean }
  | { readonly outcome: 'failed'; readonly error: unknown; readonly forced: boolean };

export class Runtime {
  readonly stopHooks = new StopHooks();
  private readonly components: Component[] = [];
  private readonly reloadHandlers: ReloadHandler[] = [];

  constructor(private readonly opts: RuntimeOptions) {}

  /** Adds a capability's components, stop hooks and reload handler. Call before run(). */
  mount(cap: Capability): void {
    this.components.push(...(cap.components ?? []));
    for (const h of cap.stopHooks ?? []) this.stopHooks.register(h);
    if (cap.reload !== undefined) this.reloadHandlers.push(cap.reload);
  }

  get reloaders(): readonly ReloadHandler[] {
    return this.reloadHandlers;
  }

  get componentNames(): readonly string[] {
    return this.components.map((c) => c.name);
  }

  /**
   * Runs until `stop` aborts or a component fails, then stops in order. `hurry` skips drains.
   * Never rejects: the result says how it ended.
   */
  async run(stop: AbortSignal, hurry: AbortSignal): Promise<RunResult> {
    const { logger } = this.opts;
    const abortComponents = new AbortController();
    let failure: { error: unknown } | undefined;
    const running = runAll(this.components, abortComponents.signal, {
      onExit: (name, err) => {
        if (err !== undefined && !abortComponents.signal.aborted) logger.error({ err, failed: name }, `${name} failed`);
        else logger.debug({ stopped: name }, `${name} stopped`);
      },
    }).catch((err: unknown) => {
      failure = { error: err };
    });

    const stopAsked = new Promise<void>((resolve) => {
      if (stop.aborted) resolve();
      else stop.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([running, stopAsked]);

    // A fatal error stops the rest quickly (systemd restarts vmlet); a requested stop is graceful.
    const hurryCtl = new AbortController();
    const onHurry = () => hurryCtl.abort('hurry');
    if (hurry.aborted || failure !== undefined) onHurry();
    else hurry.addEventListener('abort', onHurry, { once: true });
    const reason = failure !== undefined ? 'a component failed' : String(stop.reason ?? 'stop requested');
    this.opts.onStopping?.(reason);
    const timeout = setTimeout(() => {
      logger.warn({ shutdownTimeoutMs: this.opts.shutdownTimeout }, 'stop: shutdownTimeout reached; skipping drains');
      onHurry();
    }, this.opts.shutdownTimeout);
    timeout.unref();

    try {
      await this.stopHooks.runStages(BEFORE_ABORT, hurryCtl.signal, logger);
      abortComponents.abort(reason);
      const forced = !(await this.settleWithin(running, hurryCtl.signal));
      if (forced) logger.error({ components: this.componentNames }, 'stop: components did not stop in time; exiting anyway');
      await this.stopHooks.runStages(AFTER_EXIT, hurryCtl.signal, logger);
      return failure !== undefined ? { outcome: 'failed', error: failure.error, forced } : { outcome: 'stopped', forced };
    } finally {
      clearTimeout(timeout);
      hurry.removeEventListener('abort', onHurry);
    }
  }

  /** Waits for `p`; once `hurry` aborts, waits at most forceStopTimeout more. true if settled. */
  private settleWithin(p: Promise<void>, hurry: AbortSignal): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        timer = setTimeout(() => resolve(false), this.opts.forceStopTimeout);
      };
      if (hurry.aborted) arm();
      else hurry.addEventListener('abort', arm, { once: true });
      void p.then(() => {
        if (timer !== undefined) clearTimeout(timer);
        hurry.removeEventListener('abort', arm);
        resolve(true);
      });
    });
  }
}
