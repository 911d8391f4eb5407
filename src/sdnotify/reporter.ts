/**
 * Connects the status center to systemd: STATUS= follows the one-line status; READY=1 goes out
 * once, when the phase first becomes `ready` (every registered gate passed after wiring);
 * STOPPING=1 when the stop begins. Reloads send RELOADING=1 and, when vmlet was ready, READY=1
 * again at the end (systemd keeps the unit "reloading" until then).
 */
import type { StatusCenter } from '../status/status-center.js';
import type { Notifier } from './notifier.js';

export class SystemdReporter {
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly center: StatusCenter, private readonly notifier: Notifier) {}

  start(): void {
    if (!this.notifier.enabled || this.unsubscribe !== undefined) return;
    let phase = this.center.phase;
    this.unsubscribe = this.center.onChange((s) => {
      if (s.phase === 'ready' && phase !== 'ready') void this.notifier.ready(s.line);
      else if (s.phase === 'stopping' && phase !== 'stopping') void this.notifier.stopping(s.line);
      else void this.notifier.status(s.line);
      phase = s.phase;
    });
    void this.notifier.status(this.center.snapshot().line);
  }

  async reloading(): Promise<void> {
    await this.notifier.reloading();
  }

  /** The reload is over (applied or refused): ready again if vmlet was ready before. */
  async reloaded(): Promise<void> {
    const s = this.center.snapshot();
    if (s.phase === 'ready') await this.notifier.ready(s.line);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }
}
