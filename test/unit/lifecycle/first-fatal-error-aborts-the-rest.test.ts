import { describe, expect, it } from 'vitest';
import { runAll, ComponentError } from '../../../src/lifecycle/index.js';
import type { Component } from '../../../src/lifecycle/types.js';

/** Runs until aborted, recording that it saw the abort. */
function waiter(name: string, seen: string[]): Component {
  return {
    name,
    run: (signal) => new Promise<void>((resolve) => {
      signal.addEventListener('abort', () => {
        seen.push(name);
        resolve();
      }, { once: true });
    }),
  };
}

describe('runAll', () => {
  it('rejects with the first fatal error after aborting and awaiting every other component', async () => {
    const seen: string[] = [];
    const failing: Component = { name: 'bad', run: async () => { await new Promise((r) => setImmediate(r)); throw new Error('boom'); } };
    const ctl = new AbortController();
    const err = await runAll([waiter('a', seen), failing, waiter('b', seen)], ctl.signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ComponentError);
    expect((err as ComponentError).component).toBe('bad');
    expect((err as Error).message).toBe('bad: boom');
    expect(seen.sort()).toEqual(['a', 'b']);
  }, 5000);

  it('resolves when the signal aborts: abort is not failure, even if a component throws while stopping', async () => {
    const seen: string[] = [];
    const throwsOnStop: Component = {
      name: 'noisy',
      run: (signal) => new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(new Error('closed')), { once: true })),
    };
    const ctl = new AbortController();
    const done = runAll([waiter('a', seen), throwsOnStop], ctl.signal);
    ctl.abort('stop');
    await expect(done).resolves.toBeUndefined();
    expect(seen).toEqual(['a']);
  }, 5000);

  it('only the first of two failures is reported', async () => {
    const a: Component = { name: 'first', run: async () => { throw new Error('one'); } };
    const b: Component = { name: 'second', run: async () => { await new Promise((r) => setImmediate(r)); throw new Error('two'); } };
    await expect(runAll([a, b], new AbortController().signal)).rejects.toMatchObject({ component: 'first' });
  }, 5000);
});
