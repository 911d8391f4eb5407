import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Runtime, StopSignals, type SignalSource } from '../../../src/lifecycle/index.js';
import type { Component } from '../../../src/lifecycle/types.js';
import { silentLogger } from '../../../src/log.js';
import { waitFor } from '../../helpers/wait-for.js';

const logger = silentLogger();

function component(name: string, log: string[]): Component {
  return {
    name,
    run: (signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => {
      log.push(`abort ${name}`);
      resolve();
    }, { once: true })),
  };
}

/** A drain that waits until hurried (or `ms`). */
function slowDrain(log: string[], ms = 60_000) {
  return {
    stage: 'drain' as const,
    name: 'envoy: drain',
    run: (hurry: AbortSignal) => new Promise<void>((resolve) => {
      log.push('drain start');
      const t = setTimeout(resolve, ms);
      hurry.addEventListener('abort', () => { clearTimeout(t); log.push('drain cut short'); resolve(); }, { once: true });
    }),
  };
}

function fakeProcess(): SignalSource & { emit(sig: string): void } {
  return new EventEmitter() as unknown as SignalSource & { emit(sig: string): void };
}

describe('ordered stop', () => {
  it('runs hooks stage by stage before aborting components, and after-exit hooks last', async () => {
    const log: string[] = [];
    const rt = new Runtime({ logger, shutdownTimeout: 5000, forceStopTimeout: 1000, onStopping: () => log.push('stopping') });
    // Registered out of order on purpose: stages decide the order, not registration.
    rt.mount({
      components: [component('envoy', log)],
      stopHooks: [
        { stage: 'after-exit', name: 'capture: remove (after exit)', run: () => { log.push('after-exit'); } },
        { stage: 'close-streams', name: 'xds: close', run: () => { log.push('close-streams'); } },
        { stage: 'report-unhealthy', name: 'xds: unhealthy', run: () => { log.push('report-unhealthy'); } },
      ],
    });
    rt.mount({
      components: [component('xds', log)],
      stopHooks: [
        { stage: 'propagation-delay', name: 'xds: wait', run: () => { log.push('propagation-delay'); } },
        { stage: 'drain', name: 'envoy: drain', run: async () => { log.push('drain'); } },
        { stage: 'remove-capture', name: 'capture: remove', run: () => { log.push('remove-capture'); } },
      ],
    });
    const stop = new AbortController();
    const result = rt.run(stop.signal, new AbortController().signal);
    stop.abort('SIGTERM');
    await expect(result).resolves.toEqual({ outcome: 'stopped', forced: false });
    expect(log).toEqual([
      'stopping', 'report-unhealthy', 'propagation-delay', 'drain', 'close-streams', 'remove-capture',
      'abort envoy', 'abort xds', 'after-exit',
    ]);
  }, 5000);

  it('a second SIGTERM cuts the drain short and skips waits not yet started; a third exits now', async () => {
    const log: string[] = [];
    const proc = fakeProcess();
    const exits: string[] = [];
    const signals = new StopSignals({ logger, source: proc, exitNow: (sig) => exits.push(sig) });
    const rt = new Runtime({ logger, shutdownTimeout: 60_000, forceStopTimeout: 1000 });
    rt.mount({
      components: [component('envoy', log)],
      stopHooks: [
        slowDrain(log),
        { stage: 'drain', name: 'second drain', run: () => { log.push('second drain'); } },
        { stage: 'close-streams', name: 'xds: close', run: () => { log.push('close-streams'); } },
      ],
    });
    const result = rt.run(signals.stop, signals.hurry);
    proc.emit('SIGTERM');
    await waitFor(() => log.includes('drain start'), { what: 'the drain to begin' });
    expect(log).toEqual(['drain start']);
    proc.emit('SIGINT');
    await expect(result).resolves.toMatchObject({ outcome: 'stopped' });
    expect(log).toEqual(['drain start', 'drain cut short', 'close-streams', 'abort envoy']);
    expect(exits).toEqual([]);
    proc.emit('SIGTERM');
    expect(exits).toEqual(['SIGTERM']);
    signals.dispose();
  }, 5000);

  it('shutdownTimeout hurries a stop that nobody hurried', async () => {
    const log: string[] = [];
    const rt = new Runtime({ logger, shutdownTimeout: 50, forceStopTimeout: 1000 });
    rt.mount({ components: [component('envoy', log)], stopHooks: [slowDrain(log)] });
    const stop = new AbortController();
    const result = rt.run(stop.signal, new AbortController().signal);
    stop.abort();
    await result;
    // The 60 s drain was cut short though nobody hurried it: only shutdownTimeout can have.
    expect(log).toEqual(['drain start', 'drain cut short', 'abort envoy']);
  }, 5000);

  it('a component that ignores abort is given up on forceStopTimeout after hurry', async () => {
    const stuck: Component = { name: 'stuck', run: () => new Promise<void>(() => {}) };
    const rt = new Runtime({ logger, shutdownTimeout: 30, forceStopTimeout: 30 });
    rt.mount({ components: [stuck] });
    const stop = new AbortController();
    const result = rt.run(stop.signal, new AbortController().signal);
    stop.abort();
    await expect(result).resolves.toEqual({ outcome: 'stopped', forced: true });
  }, 5000);

  it('a failing component aborts the rest at once (runAll), then the hooks run with drains skipped', async () => {
    const log: string[] = [];
    const bad: Component = { name: 'identity', run: async () => { throw new Error('CA refused'); } };
    const rt = new Runtime({ logger, shutdownTimeout: 60_000, forceStopTimeout: 1000 });
    rt.mount({ components: [component('envoy', log), bad], stopHooks: [slowDrain(log), { stage: 'remove-capture', name: 'rm', run: () => { log.push('remove-capture'); } }] });
    const result = await rt.run(new AbortController().signal, new AbortController().signal);
    expect(result.outcome).toBe('failed');
    expect((result as { error: Error }).error.message).toBe('identity: CA refused');
    expect(log).toEqual(['abort envoy', 'remove-capture']);
  }, 5000);

  it('a hook that throws does not stop the rest of the stop', async () => {
    const log: string[] = [];
    const rt = new Runtime({ logger, shutdownTimeout: 5000, forceStopTimeout: 1000 });
    rt.mount({ stopHooks: [
      { stage: 'report-unhealthy', name: 'boom', run: () => { throw new Error('istiod gone'); } },
      { stage: 'close-streams', name: 'close', run: () => { log.push('close'); } },
    ] });
    const stop = new AbortController();
    stop.abort();
    await rt.run(stop.signal, new AbortController().signal);
    expect(log).toEqual(['close']);
  }, 5000);
});
