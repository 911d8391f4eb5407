/**
 * SIGHUP: load the configuration again with the same inputs, compare it with the running one,
 * and for each changed key say what happened: `applied` (a capability's reload handler took it
 * live), `restart-needed` (nobody handles it, a handler declined, or the field is not live),
 * or `failed` (a handler threw; the old value stays). A new configuration with errors is refused
 * as a whole and the running one stays. Reloads never overlap: a SIGHUP during a reload runs
 * once more after it.
 */
import type { Config } from '../config/schema.js';
import type { ConfigChange } from '../config/diff.js';
import type { Logger } from '../log.js';

export type ReloadOutcome = 'applied' | 'restart-needed';

export interface ReloadHandler {
  /** For logs: the capability's name. */
  readonly name: string;
  /** Keys it can take live: `general.logLevel`, or a whole section as `health.*`. */
  readonly keys: readonly string[];
  /** Applies the new values of its keys; returns whether they now run. */
  reload(next: Config, changes: readonly ConfigChange[]): Promise<ReloadOutcome> | ReloadOutcome;
}

export interface ReloadedChange extends ConfigChange {
  readonly outcome: ReloadOutcome | 'failed';
  /** Who applied it (handler names), when applied. */
  readonly by: readonly string[];
}

export interface ReloadReport {
  readonly ok: boolean;
  /** Why the new configuration was refused, when ok is false. */
  readonly error?: string;
  readonly changes: readonly ReloadedChange[];
}

export interface ReloaderOptions {
  logger: Logger;
  /** Loads and validates the configuration again; throws (VMLET_CONFIG_INVALID) on bad input. */
  load(): Config;
  /** The configuration vmlet started with. */
  initial: Config;
  diff(before: Config, after: Config): ConfigChange[];
  /** Around each reload (sd_notify RELOADING=1 ... READY=1, events). */
  onBegin?(): void;
  onEnd?(report: ReloadReport): void;
}

export function keyMatches(pattern: string, key: string): boolean {
  return pattern.endsWith('.*') ? key.startsWith(pattern.slice(0, -1)) : pattern === key;
}

export class Reloader {
  private readonly handlers: ReloadHandler[] = [];
  private config: Config;
  private running: Promise<ReloadReport> | undefined;
  private again = false;

  constructor(private readonly opts: ReloaderOptions) {
    this.config = opts.initial;
  }

  /** The configuration last loaded successfully (what /debug/config shows). */
  get current(): Config {
    return this.config;
  }

  register(handler: ReloadHandler): void {
    this.handlers.push(handler);
  }

  /** Reloads now, or once more after the reload in progress. */
  reload(): Promise<ReloadReport> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let report: ReloadReport;
      do {
        this.again = false;
        report = await this.once();
      } while (this.again);
      return report;
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async once(): Promise<ReloadReport> {
    const { logger } = this.opts;
    this.opts.onBegin?.();
    let report: ReloadReport;
    try {
      report = await this.apply();
    } catch (err) {
      report = { ok: false, error: (err as Error).message, changes: [] };
      logger.error({ err }, 'reload refused: the new configuration is invalid; the running one stays');
    }
    this.opts.onEnd?.(report);
    return report;
  }

  private async apply(): Promise<ReloadReport> {
    const { logger } = this.opts;
    const next = this.opts.load();
    const changes = this.opts.diff(this.config, next);
    if (changes.length === 0) {
      logger.info('reload: nothing changed');
      return { ok: true, changes: [] };
    }
    const outcome = new Map<string, { outcome: ReloadedChange['outcome']; by: string[] }>(
      changes.map((c) => [c.key, { outcome: 'restart-needed', by: [] }]),
    );
    for (const handler of this.handlers) {
      const mine = changes.filter((c) => c.live && handler.keys.some((k) => keyMatches(k, c.key)));
      if (mine.length === 0) continue;
      let result: ReloadOutcome | 'failed';
      try {
        result = await handler.reload(next, mine);
      } catch (err) {
        logger.error({ err, handler: handler.name }, `reload: ${handler.name} failed to apply ${mine.map((c) => c.key).join(', ')}`);
        result = 'failed';
      }
      for (const c of mine) {
        const o = outcome.get(c.key)!;
        if (o.outcome === 'failed') continue;
        if (result === 'applied') {
          o.by.push(handler.name);
          if (o.by.length === 1) o.outcome = 'applied';
        } else {
          o.outcome = result;
        }
      }
    }
    this.config = next;
    const out = changes.map((c) => ({ ...c, ...outcome.get(c.key)! }));
    for (const c of out) {
      logger.info({ setting: c.key, before: c.before, after: c.after, outcome: c.outcome }, `reload: ${c.key} ${c.before} -> ${c.after}: ${c.outcome}`);
    }
    const restart = out.filter((c) => c.outcome !== 'applied').map((c) => c.key);
    if (restart.length > 0) logger.warn({ settings: restart }, `reload: restart vmlet to apply ${restart.join(', ')}`);
    return { ok: true, changes: out };
  }
}
