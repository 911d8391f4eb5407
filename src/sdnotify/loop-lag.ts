import { monotonicMs } from '../lifecycle/types.js';

/**
 * Event-loop lag, measured the plain way: a timer every `sampleMs` notes how late it fired. The
 * worst lateness since the last `takeMax()` is what the watchdog checks. takeMax() also counts
 * the time since the sampler last ran, so a reader that runs first after a blocked stretch (the
 * timers of one loop turn run in no promised order) still sees the block.
 */
export class LoopLag {
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  private max = 0;

  constructor(private readonly sampleMs: number, private readonly now: () => number = monotonicMs) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.last = this.now();
    this.timer = setInterval(() => {
      const t = this.now();
      this.max = Math.max(this.max, t - this.last - this.sampleMs);
      this.last = t;
    }, this.sampleMs);
    this.timer.unref();
  }

  /** Worst lag in ms since the previous call (including a stretch still in progress), then resets. */
  takeMax(): number {
    const pending = this.now() - this.last - this.sampleMs;
    const worst = Math.max(0, this.max, pending);
    this.max = 0;
    return worst;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
