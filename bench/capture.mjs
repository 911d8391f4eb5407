// Benchmark (not a test): time to apply the capture rules and processes spawned, for 10 and
// 1,000 excluded CIDRs and ports, inside a throwaway network namespace (never the host's
// iptables). One iptables-restore per family whatever the size. Target: <= 200 ms for 1,000.
//
//   sudo node bench/capture.mjs [--runs 5] [--backend nft|legacy]
//
// Runs the TypeScript sources through tsx (a dev dependency), like the tests.
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { register } from 'tsx/esm/api';

register();
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, backend: { type: 'string', default: 'nft' } } });
const runs = Math.max(1, Math.min(50, Number(values.runs)));
const backend = values.backend === 'legacy' ? 'legacy' : 'nft';
if (process.getuid?.() !== 0) {
  console.error('bench/capture.mjs needs root (it creates a network namespace)');
  process.exit(2);
}
const { CaptureExecutor, ExecRunner, baseOptions, buildPlan } = await import('../src/capture/index.ts');

const ns = `vmlet-capbench-${process.pid}`;
execFileSync('ip', ['netns', 'add', ns]);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
  for (const n of [10, 1000]) {
    const excludeCidrs = [];
    for (let i = 0; i < n; i++) excludeCidrs.push(`10.${Math.floor(i / 250)}.${i % 250}.0/24`, `2001:db8:${i.toString(16)}::/48`);
    const ports = Array.from({ length: n }, (_, i) => 20000 + i);
    const options = baseOptions({ inboundPorts: '*', localExcludePorts: ports, serviceCidrs: '*', excludeCidrs, localOutboundPortsExclude: ports, ipv6: true });
    const plan = buildPlan(options);
    const rules = plan.v4.nat.rules.length + (plan.v6?.nat.rules.length ?? 0);
    const fresh = [];
    const reapply = [];
    const remove = [];
    let spawnedFresh = 0;
    let spawnedReapply = 0;
    for (let r = 0; r < runs; r++) {
      const runner = new ExecRunner({ netns: ns });
      const exec = new CaptureExecutor({ runner, backend });
      await exec.backend();
      let s = runner.spawned;
      let t = performance.now();
      await exec.apply(plan);
      fresh.push(performance.now() - t);
      spawnedFresh = runner.spawned - s;
      // Re-apply over an installed, changed set (one port fewer): the restart/drift path.
      const changed = buildPlan({ ...options, localExcludePorts: ports.slice(1) });
      s = runner.spawned;
      t = performance.now();
      await exec.apply(changed);
      reapply.push(performance.now() - t);
      spawnedReapply = runner.spawned - s;
      t = performance.now();
      await exec.remove();
      remove.push(performance.now() - t);
    }
    console.log(`${n} excluded CIDRs per family + ${n} inbound + ${n} outbound excluded ports (${rules} nat rules, iptables-${backend}, IPv4+IPv6), median of ${runs}:`);
    console.log(`  apply on a clean host: ${median(fresh).toFixed(1)} ms, ${spawnedFresh} processes (save, restore, verify-save per family)`);
    console.log(`  re-apply changed set:  ${median(reapply).toFixed(1)} ms, ${spawnedReapply} processes`);
    console.log(`  remove:                ${median(remove).toFixed(1)} ms`);
  }
} finally {
  execFileSync('ip', ['netns', 'del', ns]);
}
