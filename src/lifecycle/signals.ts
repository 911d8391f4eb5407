/**
 * Operator signals. SIGTERM/SIGINT: the first asks for a graceful stop (`stop` aborts), the
 * second skips the drains (`hurry` aborts), the third exits at once (`exitNow`). SIGHUP asks
 * for a configuration reload. The process is injectable so tests send signals to a fake.
 */
import type { Logger } from '../log.js';

export interface SignalSource {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface StopSignalsOptions {
  logger: Logger;
  /** The third stop signal: leave now, without waiting for anything. */
  exitNow(signal: NodeJS.Signals): void;
  /** SIGHUP. */
  reload?(): void;
  source?: SignalSource;
}

export class StopSignals {
  private readonly stopCtl = new AbortController();
  private readonly hurryCtl = new AbortController();
  private count = 0;
  private readonly source: SignalSource;
  // Bound per signal: the name is not passed to listeners by every emitter.
  private readonly onTerm = () => this.received('SIGTERM');
  private readonly onInt = () => this.received('SIGINT');
  private readonly onHup = () => {
    this.opts.logger.info({ signal: 'SIGHUP' }, 'SIGHUP: reloading the configuration');
    this.opts.reload?.();
  };

  constructor(private readonly opts: StopSignalsOptions) {
    this.source = opts.source ?? process;
    this.source.on('SIGTERM', this.onTerm);
    this.source.on('SIGINT', this.onInt);
    this.source.on('SIGHUP', this.onHup);
  }

  /** Aborts on the first SIGTERM/SIGINT (or requestStop). */
  get stop(): AbortSignal {
    return this.stopCtl.signal;
  }

  /** Aborts on the second SIGTERM/SIGINT (or requestHurry): skip drains and waits. */
  get hurry(): AbortSignal {
    return this.hurryCtl.signal;
  }

  requestStop(reason: string): void {
    if (!this.stopCtl.signal.aborted) this.stopCtl.abort(reason);
  }

  requestHurry(reason: string): void {
    this.requestStop(reason);
    if (!this.hurryCtl.signal.aborted) this.hurryCtl.abort(reason);
  }

  private received(sig: NodeJS.Signals): void {
    this.count += 1;
    const { logger } = this.opts;
    if (this.count === 1) {
      logger.info({ signal: sig }, `${sig}: stopping gracefully (send it again to skip the drain)`);
      this.requestStop(sig);
    } else if (this.count === 2) {
      logger.warn({ signal: sig }, `${sig} again: skipping drains (a third one exits at once)`);
      this.requestHurry(sig);
    } else {
      logger.warn({ signal: sig }, `${sig} a third time: exiting now`);
      this.opts.exitNow(sig);
    }
  }

  dispose(): void {
    this.source.off('SIGTERM', this.onTerm);
    this.source.off('SIGINT', this.onInt);
    this.source.off('SIGHUP', this.onHup);
  }
}
