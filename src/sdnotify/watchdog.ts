/**
 * The systemd watchdog (WatchdogSec=): WATCHDOG=1 every WATCHDOG_USEC/2 while vmlet is live.
 * "Live" means two things: the `live()` check passes, and the event loop has not been stuck —
 * the worst event-loop delay since the previous ping stayed under `maxLagMs` (default: half the
 * ping interval). A loop that only gets short breaks between long blocking stretches would
 * still fire a plain timer; measuring the delay makes such a vmlet miss its pings so systemd
 * restarts it. Honours WATCHDOG_PID (pings only when it names this process).
 */
import { LogSampler, type Logger } from '../log.js';
import type { Component } from '../lifecycle/types.js';
import { LoopLag } from './loop-lag.js';
import type { Notifier } from './notifier.js';

export interface WatchdogSettings {
  /** Ping interval, ms (WATCHDOG_USEC / 2). */
  readonly intervalMs: number;
  /** Largest tolerated event-loop delay between pings, ms. */
  readonly maxLagMs: number;
}

/** The watchdog settings from the environment, or undefined when systemd wants no pings. */
export function watchdogSettings(env: Readonly<Record<string, string | undefined>>, pid = process.pid): WatchdogSettings | undefined {
  if (env.NOTIFY_SOCKET === undefined || env.NOTIFY_SOCKET === '') return undefined;
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isSafeInteger(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== '' && Number(env.WATCHDOG_PID) !== pid) return undefined;
  const intervalMs = Math.max(1, Math.floor(usec / 2000));
  return { intervalMs, maxLagMs: Math.max(1, Math.floor(intervalMs / 2)) };
}

/** How often the event loop's lag is sampled for a tolerated lag of `maxLagMs` (ms). */
export function watchdogSampleMs(maxLagMs: number): number {
  return Math.max(5, Math.floor(maxLagMs / 4));
}

/** Pure decision, for tests: ping when live and the loop kept up. */
export function shouldPing(lagMs: number, live: boolean, maxLagMs: number): boolean {
  return live && lagMs <= maxLagMs;
}

export interface WatchdogOptions {
  settings: WatchdogSettings;
  notifier: Notifier;
  logger: Logger;
  /** Extra liveness check (e.g. no component in a failed state); default always live. */
  live?(): boolean;
  /** Called on each tick with the measured lag (metrics, tests). */
  onTick?(lagMs: number, pinged: boolean): void;
}

export class Watchdog implements Component {
  readonly name = 'systemd-watchdog';
  private readonly skipped = new LogSampler(3, 20);

  constructor(private readonly opts: WatchdogOptions) {}

  run(signal: AbortSignal): Promise<void> {
    const { settings, notifier, logger } = this.opts;
    // A quarter of the tolerated lag: a stall longer than maxLagMs is still seen (a sample fires
    // late by the stall less at most one period), and under WatchdogSec=30s the sampler wakes the
    // idle agent every 1.9 s instead of 10 times a second (a 100 ms timer cost the packaged
    // runtime ~1.6 ms of CPU a second, more than pilot-agent's whole idle agent).
    const lag = new LoopLag(watchdogSampleMs(settings.maxLagMs));
    lag.start();
    logger.info({ intervalMs: settings.intervalMs, maxLagMs: settings.maxLagMs }, `systemd watchdog: pinging every ${settings.intervalMs} ms`);
    return new Promise<void>((resolve) => {
      const tick = () => {
        const lagMs = lag.takeMax();
        const live = this.opts.live?.() ?? true;
        const ping = shouldPing(lagMs, live, settings.maxLagMs);
        if (ping) {
          void notifier.watchdog();
        } else {
          const { log, suppressed } = this.skipped.shouldLog();
          if (log) logger.warn({ lagMs: Math.round(lagMs), live, suppressed }, 'systemd watchdog: not pinging (event loop stuck or not live)');
        }
        this.opts.onTick?.(lagMs, ping);
      };
      // Ping once at start so a short WatchdogSec is met right away, then on the interval.
      tick();
      const timer = setInterval(tick, settings.intervalMs);
      signal.addEventListener('abort', () => {
        clearInterval(timer);
        lag.stop();
        resolve();
      }, { once: true });
    });
  }
}
