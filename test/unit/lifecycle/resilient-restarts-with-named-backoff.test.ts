import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { resilient } from '../../../src/lifecycle/index.js';
import type { Component } from '../../../src/lifecycle/types.js';
import { createLogger } from '../../../src/log.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { waitFor } from '../../helpers/wait-for.js';

const policy = { name: 'flaky-restart', base: 100, factor: 2, cap: 400, jitter: 0, resetAfter: 1000 };

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb(); } });
  return { logger: createLogger({ destination, level: 'warn' }), lines };
}

/** Fails `failures` times (after `upFor` fake ms each), then runs until aborted. */
function flaky(clock: FakeClock, failures: number, upFor = 0): Component & { starts: number } {
  const c = {
    name: 'flaky',
    starts: 0,
    async run(signal: AbortSignal) {
      c.starts += 1;
      if (c.starts <= failures) {
        if (upFor > 0) await clock.advance(upFor);
        throw new Error(`crash ${c.starts}`);
      }
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    },
  };
  return c;
}

describe('resilient', () => {
  it('restarts after each crash with the named backoff (100, 200, 400, 400 ms) and stops on abort', async () => {
    const clock = new FakeClock();
    const inner = flaky(clock, 4);
    const restarts: [number, number][] = [];
    const ctl = new AbortController();
    const done = resilient(inner, policy, { clock, onRestart: (n, d) => restarts.push([n, d]) }).run(ctl.signal);
    for (let i = 0; i < 4; i++) {
      await waitFor(() => clock.waiting === 1, { what: `backoff sleep ${i + 1}` });
      await clock.advance(clock.sleeps.at(-1)!);
    }
    await waitFor(() => inner.starts === 5, { what: 'fifth start' });
    expect(clock.sleeps).toEqual([100, 200, 400, 400]);
    expect(restarts).toEqual([[1, 100], [2, 200], [3, 400], [4, 400]]);
    ctl.abort();
    await expect(done).resolves.toBeUndefined();
  }, 5000);

  it('goes back to the base delay after a run that stayed up for resetAfter', async () => {
    const clock = new FakeClock();
    const inner = flaky(clock, 3, 0);
    const ctl = new AbortController();
    const done = resilient(inner, policy, { clock }).run(ctl.signal);
    await waitFor(() => clock.waiting === 1);
    await clock.advance(100);
    await waitFor(() => clock.waiting === 1 && clock.sleeps.length === 2);
    expect(clock.sleeps).toEqual([100, 200]);
    ctl.abort();
    await done;

    const clock2 = new FakeClock();
    const stable = flaky(clock2, 3, 1000);
    const ctl2 = new AbortController();
    const done2 = resilient(stable, policy, { clock: clock2 }).run(ctl2.signal);
    await waitFor(() => clock2.sleeps.length === 1);
    await clock2.advance(100);
    await waitFor(() => clock2.sleeps.length === 2);
    expect(clock2.sleeps).toEqual([100, 100]);
    ctl2.abort();
    await done2;
  }, 5000);

  it('an abort during the backoff wait ends the run at once', async () => {
    const clock = new FakeClock();
    const ctl = new AbortController();
    const done = resilient(flaky(clock, 99), policy, { clock }).run(ctl.signal);
    await waitFor(() => clock.waiting === 1);
    ctl.abort();
    await expect(done).resolves.toBeUndefined();
  }, 5000);

  it('an error shouldRestart refuses is fatal', async () => {
    const clock = new FakeClock();
    const run = resilient(flaky(clock, 1), policy, { clock, shouldRestart: () => false }).run(new AbortController().signal);
    await expect(run).rejects.toThrow('crash 1');
  }, 5000);

  it('logs the first five restarts, then samples (one in ten) with the suppressed count', async () => {
    const clock = new FakeClock();
    const { logger, lines } = captureLogger();
    const inner = flaky(clock, 16);
    const ctl = new AbortController();
    const done = resilient(inner, { ...policy, cap: 100, factor: 1 }, { clock, logger }).run(ctl.signal);
    for (let i = 0; i < 16; i++) {
      await waitFor(() => clock.waiting === 1, { what: `sleep ${i}` });
      await clock.advance(100);
    }
    await waitFor(() => inner.starts === 17);
    ctl.abort();
    await done;
    const logged = lines.filter((l) => l.backoff === 'flaky-restart');
    expect(logged.map((l) => l.restarts)).toEqual([1, 2, 3, 4, 5, 15]);
    expect(logged.at(-1)).toMatchObject({ suppressed: 9, msg: 'flaky failed; restarting in 100 ms' });
  }, 5000);
});
