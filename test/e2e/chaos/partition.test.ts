// Chaos scenario 4: a network partition between the VM and the control plane (iptables DROP in
// the filter table of the VM's own namespace, never the host's), held until both sides have
// noticed, then healed; and the kube-apiserver down while istiod runs. Each ends in the shared
// convergence check (converge.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inVm, until } from './harness.js';
import { controlPlaneState, openScene, type Scene } from './scene.js';

const LINK = 21;
const CP_SIDE = `10.213.${LINK}.1`;
// Dropped both ways in the VM's namespace; the capture rules live in nat and raw, these in filter.
const DROP = [['OUTPUT', '-d'], ['INPUT', '-s']] as const;

describe.skipIf(!controlPlaneState())('chaos 4: partition, apiserver down', () => {
  let s: Scene;
  let partitioned = false;
  const partition = (on: boolean) => {
    for (const [chain, dir] of DROP) inVm(s.vm.vmNs, 'iptables', [on ? '-I' : '-D', chain, dir, CP_SIDE, '-j', 'DROP', '-m', 'comment', '--comment', 'chaos-partition']);
    partitioned = on;
  };
  beforeAll(async () => {
    s = await openScene('part', { link: LINK, set: ['--set', 'identity.certTtl=60s', '--set', 'identity.renewRatio=0.9'] });
    s.vm.start();
    await s.conv.converged('first start');
  });
  afterAll(async () => {
    if (s && partitioned) partition(false);
    await s?.close();
  });

  it('4a: partitioned until vmlet and istiod both noticed, then healed: it converges', async () => {
    const { vm, cp, conv } = s;
    partition(true);
    const t0 = Date.now();
    // vmlet notices (its keepalive on the istiod stream) and shows it.
    const shown = await until(async () => { const c = await vm.component('xds'); return c && c.state !== 'ok' ? c : undefined; }, 120_000, 'status to show the partition', 500);
    const vmletMs = Date.now() - t0;
    // istiod notices too: the entry is marked disconnected (or already deleted after the grace period).
    await until(() => {
      const out = JSON.parse(cp.kubectl(['-n', vm.w.ns, 'get', 'workloadentries', '-o', 'json'], undefined, 15_000)) as { items: { metadata: { name: string; annotations?: Record<string, string> } }[] };
      const e = out.items.find((x) => x.metadata.name === conv.entryName);
      return !e || e.metadata.annotations?.['istio.io/disconnectedAt'] !== undefined;
    }, 180_000, 'istiod to see the VM gone', 1000);
    const istiodMs = Date.now() - t0;
    const ready = await vm.statusGet('/healthz/ready');
    partition(false);
    const healed = Date.now();
    const convMs = await conv.converged('after the partition healed');
    console.log(`chaos result: 4a partition of ${Math.round((healed - t0) / 1000)} s: vmlet showed it after ${vmletMs} ms ("${shown.detail}"), istiod after ${istiodMs} ms; /healthz/ready ${ready.status} while partitioned; converged ${convMs} ms after it healed`);
    expect(convMs).toBeLessThanOrEqual(60_000);
  });

  it('4b: kube-apiserver down while istiod runs: vmlet stays READY and keeps renewing over mTLS; once it is back, it converges', async () => {
    const { vm, cp, conv } = s;
    await cp.kill('kube-apiserver', 'SIGTERM');
    let restarted = false;
    try {
      // istiod signs a renewal over mTLS without the apiserver (no TokenReview): two renewals in a row.
      await vm.nextLine(/^identity renewed/, 30_000);
      await vm.nextLine(/^identity renewed/, 30_000);
      const ready = await vm.statusGet('/healthz/ready');
      expect(ready.status, ready.body).toBe(200);
      await cp.restart('kube-apiserver');
      restarted = true;
      const back = Date.now();
      const ms = await conv.converged('after the apiserver came back');
      console.log(`chaos result: 4b apiserver down: vmlet stayed READY and renewed twice without it; converged ${Date.now() - back} ms after the apiserver was back (check ${ms} ms)`);
    } finally {
      if (!restarted) await cp.restart('kube-apiserver');
    }
  });
});
