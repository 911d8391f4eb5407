// Preloaded with `node --import ./bench/rss-probe.mjs` by the benchmarks: on exit, writes the
// process's peak RSS (kB, getrusage maxrss) to the file named by VMLET_BENCH_RSS_FILE.
import { appendFileSync } from 'node:fs';

const out = process.env.VMLET_BENCH_RSS_FILE;
if (out) process.on('exit', () => appendFileSync(out, `${process.resourceUsage().maxRSS}\n`));
