// The watchdog's event-loop sampler runs at a quarter of the lag it tolerates, so under the unit's
// WatchdogSec=30s it wakes the idle agent every 1.9 s, not 10 times a second.
import { describe, expect, it } from 'vitest';
import { watchdogSampleMs, watchdogSettings } from '../../../src/sdnotify/watchdog.js';

describe('watchdog sampler', () => {
  it.each([
    ['30000000', 15_000, 7_500, 1_875],
    ['3000000', 1_500, 750, 187],
    ['600000', 300, 150, 37],
    ['20000', 10, 5, 5],
  ])('WATCHDOG_USEC=%s: ping every %i ms, tolerate %i ms, sample every %i ms', (usec, intervalMs, maxLagMs, sampleMs) => {
    const s = watchdogSettings({ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: usec }, 1);
    expect(s).toEqual({ intervalMs, maxLagMs });
    expect(watchdogSampleMs(s!.maxLagMs)).toBe(sampleMs);
  });
});
