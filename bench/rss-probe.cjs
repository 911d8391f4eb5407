// Preloaded with `node --require ./bench/rss-probe.cjs` by the benchmarks: on exit, writes the
// process's peak RSS (kB, getrusage maxrss) to the file named by VMLET_BENCH_RSS_FILE. CommonJS,
// as vmlet is: an --import preload would start Node's ESM loader and count its memory against vmlet.
const { appendFileSync } = require('node:fs');

const out = process.env.VMLET_BENCH_RSS_FILE;
if (out) process.on('exit', () => appendFileSync(out, `${process.resourceUsage().maxRSS}\n`));
