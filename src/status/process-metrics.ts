/**
 * Process metrics, set at scrape time with the names Prometheus client libraries use, so
 * existing dashboards work: resident memory, heap, CPU seconds, start time, open file
 * descriptors, and the event loop's worst delay since the last scrape.
 */
import { readdirSync } from 'node:fs';
import { LoopLag } from '../sdnotify/loop-lag.js';
import type { MetricsRegistry } from './metrics.js';

export function addProcessMetrics(registry: MetricsRegistry): { stop(): void } {
  const rss = registry.gauge('process_resident_memory_bytes', 'Resident memory size in bytes.');
  const heap = registry.gauge('nodejs_heap_used_bytes', 'V8 heap in use, bytes.');
  const cpu = registry.gauge('process_cpu_seconds_total', 'User and system CPU time spent, seconds.');
  const start = registry.gauge('process_start_time_seconds', 'Start time of the process since the Unix epoch, seconds.');
  const fds = registry.gauge('process_open_fds', 'Open file descriptors.');
  const lag = registry.gauge('nodejs_eventloop_delay_max_seconds', 'Largest event loop delay since the previous scrape, seconds.');
  const startedAt = Date.now() / 1000 - process.uptime();
  // A 100 ms timer noting how late it fires, as the watchdog's check does (its own instance: each
  // reader resets what it takes). Not perf_hooks' monitorEventLoopDelay: its histogram module
  // costs an idle agent about 0.3 MB of resident memory for the one number read here. Started by
  // the first scrape ("since the previous scrape": that one reports 0), so an agent nobody scrapes
  // does not wake up 10 times a second for it.
  let delay: LoopLag | undefined;
  registry.addCollector(() => {
    const mem = process.memoryUsage();
    rss.set(mem.rss);
    heap.set(mem.heapUsed);
    const usage = process.cpuUsage();
    cpu.set((usage.user + usage.system) / 1e6);
    start.set(Math.round(startedAt));
    fds.set(countFds());
    if (delay === undefined) {
      delay = new LoopLag(100);
      delay.start();
      lag.set(0);
    } else {
      lag.set(delay.takeMax() / 1000);
    }
  });
  return { stop: () => delay?.stop() };
}

function countFds(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return 0;
  }
}
