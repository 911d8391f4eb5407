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
  it('reports 0 at the first scrape, a 300 ms stall at the next, and resets after it', async () => {
    const registry = new MetricsRegistry();
    const proc = addProcessMetrics(registry);
    try {
      expect(lagOf(registry.render())).toBe(0);
      await sleep(250);
      block(300);
      await sleep(150);
      const stalled = lagOf(registry.render());
      expect(stalled).toBeGreaterThanOrEqual(0.2);
      expect(stalled).toBeLessThan(2);
      await sleep(300);
      expect(lagOf(registry.render())).toBeLessThan(0.2);
    } finally {
      proc.stop();
    }
  });
});
