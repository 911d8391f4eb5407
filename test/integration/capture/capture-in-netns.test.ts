/**
 * Real iptables, real traffic, inside network namespaces this test creates (never the host's):
 * apply → connections land where Istio's rules send them; idempotent; re-apply with other
 * options; a half-applied run is repaired; remove leaves a foreign rule the test added.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureExecutor } from '../../../src/capture/executor.js';
import { baseOptions, type CaptureOptions } from '../../../src/capture/options.js';
import { buildPlan } from '../../../src/capture/rules.js';
import { ExecRunner } from '../../../src/capture/runner.js';
import { hasBinary, isRoot, requireOrSkip } from '../../helpers/env.js';
import { NetnsPair, OTHER_V4, OTHER_V6, PEER_V4, PEER_V6, VM_V4, VM_V6 } from '../../helpers/netns.js';

const ok = requireOrSkip(isRoot() && hasBinary('ip') && hasBinary('iptables-nft-restore') && hasBinary('iptables-legacy-restore') && hasBinary('python3'),
  'capture integration tests need root, iproute2, iptables (nft and legacy) and python3');

const PROXY_UID = 1337;
const OPTIONS: CaptureOptions = baseOptions({
  inboundPorts: '*',
  localExcludePorts: [15020, 15090],
  serviceCidrs: '*',
  excludeCidrs: [`${OTHER_V4}/32`, `${OTHER_V6}/128`],
  localOutboundPortsExclude: [5432, 6379],
  proxyUids: [PROXY_UID],
  proxyGids: [PROXY_UID],
  ipv6: true,
});

describe.skipIf(!ok).each(['nft', 'legacy'] as const)('capture with iptables-%s in a netns', (backend) => {
  const ns = new NetnsPair('cap');
  let exec: CaptureExecutor;
  const ipt = (fam: 4 | 6, args: string[]) => ns.exec(ns.vm, `${fam === 4 ? 'iptables' : 'ip6tables'}-${backend}`, ['-w', ...args]);
  const save = (fam: 4 | 6) => ns.exec(ns.vm, `${fam === 4 ? 'iptables' : 'ip6tables'}-${backend}-save`, []).split('\n').filter((l) => !l.startsWith('#')).join('\n');
  const FOREIGN = ['-t', 'nat', '-A', 'OUTPUT', '-p', 'tcp', '--dport', '9', '-j', 'RETURN'];

  beforeAll(async () => {
    ns.create();
    exec = new CaptureExecutor({ runner: new ExecRunner({ netns: ns.vm }), backend });
    await ns.serve(ns.vm, [15001, 15006, 22, 15020, 15053]);
    await ns.serve(ns.peer, [80, 5432, 53]);
    ipt(4, FOREIGN);
    ipt(6, FOREIGN);
  }, 30_000);
  afterAll(() => ns.destroy());

  it('applies exactly the plan, once per family, and keeps the foreign rule', async () => {
    const before = exec['opts'].runner.spawned;
    const r = await exec.apply(buildPlan(OPTIONS));
    expect(r.changed).toBe(true);
    expect(exec['opts'].runner.spawned - before).toBeLessThanOrEqual(2 + 3 * 2);
    for (const s of await exec.status(buildPlan(OPTIONS))) expect(s.drift).toEqual([]);
    expect(save(4)).toContain('-A OUTPUT -p tcp -m tcp --dport 9 -j RETURN');
    expect(save(6)).toContain('-A OUTPUT -p tcp -m tcp --dport 9 -j RETURN');
  }, 20_000);

  it('outbound TCP is redirected to 15001, which reads the original destination (IPv4 and IPv6)', () => {
    expect(ns.connect(ns.vm, PEER_V4, 80)).toBe(`15001 ${PEER_V4}:80`);
    expect(ns.connect(ns.vm, PEER_V6, 80)).toBe(`15001 [${PEER_V6}]:80`);
  });

  it('the proxy uid, excluded ports, excluded CIDRs and cloud metadata pass untouched', () => {
    expect(ns.connect(ns.vm, PEER_V4, 80, PROXY_UID)).toMatch(/^80 /);
    expect(ns.connect(ns.vm, PEER_V6, 80, PROXY_UID)).toMatch(/^80 /);
    expect(ns.connect(ns.vm, PEER_V4, 5432)).toMatch(/^5432 /);
    expect(ns.connect(ns.vm, OTHER_V4, 80)).toMatch(/^80 /);
    expect(ns.connect(ns.vm, OTHER_V6, 80)).toMatch(/^80 /);
    expect(ns.connect(ns.vm, '169.254.169.254', 80)).toMatch(/^80 /);
    expect(ns.connect(ns.vm, 'fd00:ec2::254', 80)).toMatch(/^80 /);
  });

  it('inbound to an application port lands on 15006; SSH and excluded ports do not', () => {
    expect(ns.connect(ns.peer, VM_V4, 8080)).toBe(`15006 ${VM_V4}:8080`);
    expect(ns.connect(ns.peer, VM_V6, 8080)).toBe(`15006 [${VM_V6}]:8080`);
    expect(ns.connect(ns.peer, VM_V4, 22)).toMatch(/^22 /);
    expect(ns.connect(ns.peer, VM_V6, 22)).toMatch(/^22 /);
    expect(ns.connect(ns.peer, VM_V4, 15020)).toMatch(/^15020 /);
  });

  it('applying twice changes nothing and gives the same ruleset', async () => {
    const [a4, a6] = [save(4), save(6)];
    expect((await exec.apply(buildPlan(OPTIONS))).changed).toBe(false);
    expect([save(4), save(6)]).toEqual([a4, a6]);
  });

  it('re-applies with changed options (DNS on, other uid, no IPv6): exactly the new plan, old chains gone', async () => {
    const next = { ...OPTIONS, dnsCapture: true, dnsServers: ['10.77.0.2'], proxyUids: [4242], proxyGids: [4242], ipv6: false };
    await exec.apply(buildPlan(next));
    for (const s of await exec.status(buildPlan(next))) expect(s.drift).toEqual([]);
    expect(save(4)).toContain(':ISTIO_OUTPUT_DNS');
    expect(save(6)).not.toContain('ISTIO_');
    expect(save(4)).toContain('--dport 9 -j RETURN');
    expect(ns.connect(ns.vm, PEER_V4, 80, PROXY_UID)).toBe(`15001 ${PEER_V4}:80`);
    expect(ns.connect(ns.vm, PEER_V4, 53)).toBe(`15053 ${PEER_V4}:53`);
    expect(ns.connect(ns.vm, PEER_V4, 53, 4242)).toMatch(/^53 /);
  });

  it('repairs a half-applied run (only IPv4 done) and a flushed chain', async () => {
    await exec.converge(4, buildPlan(OPTIONS).v4);
    ipt(4, ['-t', 'nat', '-F', 'ISTIO_OUTPUT']);
    const r = await exec.apply(buildPlan(OPTIONS));
    expect(r.drift.length).toBeGreaterThan(0);
    for (const s of await exec.status(buildPlan(OPTIONS))) expect(s.drift).toEqual([]);
    expect(ns.connect(ns.vm, PEER_V6, 80)).toBe(`15001 [${PEER_V6}]:80`);
  });

  it('remove deletes only vmlet rules and chains; the foreign rule stays; traffic flows directly', async () => {
    expect((await exec.remove()).changed).toBe(true);
    for (const fam of [4, 6] as const) {
      expect(save(fam)).not.toContain('ISTIO_');
      expect(save(fam)).toContain('-A OUTPUT -p tcp -m tcp --dport 9 -j RETURN');
    }
    expect(ns.connect(ns.vm, PEER_V4, 80)).toMatch(/^80 /);
    expect((await exec.remove()).changed).toBe(false);
  });
});
