/**
 * Wall-clock jumps: the system's real-time clock (Date.now, CLOCK_REALTIME) moving differently
 * from the monotonic clock that timers run on (CLOCK_MONOTONIC): an NTP step, a VM resumed from
 * suspend or from a snapshot (monotonic time stands still while suspended), an operator setting
 * the time. Timers do not notice such a jump; whatever is scheduled by the wall clock (certificate
 * renewal) has to look for it. Pure: the caller decides what to log and count.
 */
import type { Clock } from './types.js';

/**
 * Differences up to this between wall and monotonic time over one interval are not jumps: NTP's
 * slew (at most 500 ppm, 15 ms in 30 s) and the reading of two clocks one after the other stay
 * far below it; a step that matters for certificates (minutes, hours) is far above it.
 */
export const CLOCK_JUMP_THRESHOLD_MS = 5_000;

export interface ClockJump {
  readonly direction: 'forward' | 'backward';
  /** How far the wall clock moved beyond (forward) or short of (backward) monotonic time, ms (> 0). */
  readonly ms: number;
}

/** Compares wall and monotonic time between calls of `check()`; each jump is reported once. */
export class ClockJumpWatch {
  private wall: number;
  private mono: number;

  constructor(private readonly clock: Clock, private readonly thresholdMs = CLOCK_JUMP_THRESHOLD_MS) {
    this.wall = clock.now();
    this.mono = clock.monotonic();
  }

  /** The jump since the previous call (or construction), or undefined when the clocks agreed. */
  check(): ClockJump | undefined {
    const wall = this.clock.now();
    const mono = this.clock.monotonic();
    const drift = (wall - this.wall) - (mono - this.mono);
    this.wall = wall;
    this.mono = mono;
    if (Math.abs(drift) <= this.thresholdMs) return undefined;
    return { direction: drift > 0 ? 'forward' : 'backward', ms: Math.abs(drift) };
  }
}
