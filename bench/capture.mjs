// Benchmark (not a test): time to apply the capture rules, processes spawned and rules emitted,
// for 10 and 1,000 excluded CIDRs (per family) and ports, with iptables-nft and iptables-legacy,
// inside a throwaway network namespace (never the host's iptables). One iptables-restore per
// family whatever the size. Target: <= 200 ms for 1,000.
//
//   sudo node bench/capture.mjs [--runs 11] [--backend nft|legacy|both] [--steps]
//
// --steps also prints each process of the last clean apply with its time and payload size.
//
// The CIDRs are scattered (no two adjacent) and the ports not consecutive, so CIDR merging and
// port ranges gain nothing: the numbers are the worst case for a list of that size. Runs the
// TypeScript sources through tsx (a dev dependency), like the tests.
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { register } from 'tsx/esm/api';

register();
const { values } = parseArgs({ options: { runs: { type: 'string', default: '11' }, backend: { type: 'string', default: 'both' }, steps: { type: 'boolean', default: false } } });
const runs = Math.max(1, Math.min(50, Number(values.runs)));
const backends = values.backend === 'both' ? ['nft', 'legacy'] : [values.backend === 'legacy' ? 'legacy' : 'nft'];
if (process.getuid?.() !== 0) {
  console.error('bench/capture.mjs needs root (it creates a network namespace)');
  process.exit(2);
}
const { CaptureExecutor, ExecRunner, baseOptions, buildPlan } = await import('../src/capture/index.ts');

const ns = `vmlet-capbench-${process.pid}`;
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const stats = (xs) => `median ${sorted(xs)[Math.floor(xs.length / 2)].toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
const ruleCount = (plan) => [plan.v4, plan.v6].filter(Boolean).reduce((n, f) => n + f.nat.rules.length + f.raw.rules.length, 0);

function options(n) {
  const excludeCidrs = [];
  for (let i = 0; i < n; i++) excludeCidrs.push(`10.${i >> 7}.${(i & 127) * 2}.0/24`, `2001:db8:${(2 * i).toString(16)}::/48`);
  const ports = Array.from({ length: n }, (_, i) => 20000 + 2 * i);
  return baseOptions({ inboundPorts: '*', localExcludePorts: ports, serviceCidrs: '*', excludeCidrs, localOutboundPortsExclude: ports, ipv6: true });
}

/** An ExecRunner that also records each process: command, ms, bytes in and out. */
function timingRunner(netns) {
  const inner = new ExecRunner({ netns });
  const steps = [];
  return {
    steps,
    get spawned() { return inner.spawned; },
    async run(bin, args, stdin) {
      const t = performance.now();
      const r = await inner.run(bin, args, stdin);
      steps.push(`${[bin, ...args].join(' ')}: ${(performance.now() - t).toFixed(1)} ms, ${stdin?.length ?? 0} bytes in, ${r.stdout.length} out`);
      return r;
    },
  };
}

/** Runs `fn` and returns [ms, processes spawned]. */
async function timed(runner, fn) {
  const s = runner.spawned;
  const t = performance.now();
  await fn();
  return [performance.now() - t, runner.spawned - s];
}

execFileSync('ip', ['netns', 'add', ns]);
try {
  execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
  console.log(`capture apply benchmark, ${runs} runs each, IPv4+IPv6, in netns ${ns}`);
  for (const backend of backends) {
    for (const n of [10, 1000]) {
      const o = options(n);
      const builds = [];
      let plan;
      for (let r = 0; r < runs; r++) builds.push((await timed({ spawned: 0 }, async () => { plan = buildPlan(o); }))[0]);
      const changed = buildPlan({ ...o, localExcludePorts: o.localExcludePorts.slice(1) });
      const m = { apply: [], reapply: [], check: [], remove: [] };
      const procs = {};
      let steps = [];
      for (let r = 0; r < runs; r++) {
        const runner = timingRunner(ns);
        const exec = new CaptureExecutor({ runner, backend });
        await exec.backend();
        runner.steps.length = 0;
        for (const [k, fn] of [['apply', () => exec.apply(plan)], ['reapply', () => exec.apply(changed)], ['check', () => exec.apply(changed)], ['remove', () => exec.remove()]]) {
          const [ms, p] = await timed(runner, fn);
          m[k].push(ms);
          procs[k] = p;
          if (k === 'apply') steps = [...runner.steps];
        }
      }
      console.log(`iptables-${backend}: ${n} excluded CIDRs per family, ${n} inbound and ${n} outbound excluded ports -> ${ruleCount(plan)} rules emitted (nat+raw, both families)`);
      console.log(`  build plan (pure):          ${stats(builds)}`);
      console.log(`  apply on a clean netns:     ${stats(m.apply)}, ${procs.apply} processes (per family: save, restore, verify-save)`);
      console.log(`  re-apply a changed set:     ${stats(m.reapply)}, ${procs.reapply} processes`);
      console.log(`  drift check, nothing to do: ${stats(m.check)}, ${procs.check} processes`);
      console.log(`  remove:                     ${stats(m.remove)}, ${procs.remove} processes`);
      if (values.steps) for (const s of steps) console.log(`    clean apply, last run: ${s}`);
    }
  }
} finally {
  execFileSync('ip', ['netns', 'del', ns]);
}
