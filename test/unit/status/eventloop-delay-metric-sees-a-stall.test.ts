// nodejs_eventloop_delay_max_seconds: the first scrape starts the sampler (and reports 0); a
// later scrape reports the worst stall of the event loop since the scrape before it, then resets.
import { describe, expect, it } from 'vitest';
import { addProcessMetrics, MetricsRegistry } from '../../../src/status/index.js';

const lagOf = (text: string) => Number(/^nodejs_eventloop_delay_max_seconds (\S+)$/m.exec(text)?.[1]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const block = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until) { /* a synchronous stall, as a runaway handler would make */ }
};

describe('event-loop delay metric', () => {
  it('reports 0 at the first scrape, a 600 ms stall at the next, and resets after it', async () => {
    const registry = new MetricsRegistry();
    const proc = addProcessMetrics(registry);
    try {
      expect(lagOf(registry.render())).toBe(0);
      // The waits below are turns for the sampler's 10 ms timer to run, not margins: on a loaded
      // machine they only get longer, which changes no assertion.
      await sleep(50);
      block(600);
      await sleep(50);
      const stalled = lagOf(registry.render());
      expect(stalled).toBeGreaterThanOrEqual(0.5);
      // Reset: the scrape after it no longer carries that stall.
      await sleep(50);
      expect(lagOf(registry.render())).toBeLessThan(stalled);
    } finally {
      proc.stop();
    }
  });
});
