import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../src/lifecycle/index.js';

const policy = { name: 'test', base: 100, factor: 2, cap: 1000, jitter: 0, resetAfter: 5000 };

describe('Backoff', () => {
  it.each([
    [1, [100]],
    [5, [100, 200, 400, 800, 1000]],
    [7, [100, 200, 400, 800, 1000, 1000, 1000]],
  ])('without jitter, %i delays are %j', (n, expected) => {
    const b = new Backoff(policy);
    expect(Array.from({ length: n }, () => b.next())).toEqual(expected);
  });

  it.each([
    [0, 80],
    [0.5, 100],
    [1, 120],
  ])('jitter 0.2 with random %d gives %d for the first delay', (r, expected) => {
    expect(new Backoff({ ...policy, jitter: 0.2 }, () => r).next()).toBe(expected);
  });

  it('never exceeds the cap with jitter', () => {
    const b = new Backoff({ ...policy, jitter: 0.5 }, () => 1);
    const delays = Array.from({ length: 10 }, () => b.next());
    expect(Math.max(...delays)).toBe(1000);
  });

  it('starts over after a stable run, not after a short one', () => {
    const b = new Backoff(policy);
    b.next(); b.next(); b.next();
    b.ranFor(4999);
    expect(b.next()).toBe(800);
    b.ranFor(5000);
    expect(b.next()).toBe(100);
  });

  it.each([
    [{ base: 0 }], [{ factor: 0.5 }], [{ cap: 50 }], [{ jitter: 2 }],
  ])('refuses a nonsensical policy %j', (over) => {
    expect(() => new Backoff({ ...policy, ...over })).toThrow(/backoff test/);
  });
});
