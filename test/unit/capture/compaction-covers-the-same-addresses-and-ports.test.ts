/**
 * Rule compaction (src/capture/compact.ts): merged CIDRs cover exactly the addresses the input
 * covered (checked against node:net's BlockList, an independent implementation), and port groups
 * hold exactly the input ports within multiport's 15-slot limit. The builder uses both, so a
 * 1,000-port exclusion is ~67 rules, not 1,000.
 */
import { BlockList } from 'node:net';
import { describe, expect, it } from 'vitest';
import { mergeCidrs, MULTIPORT_SLOTS, portGroups, portMatch } from '../../../src/capture/compact.js';
import { baseOptions } from '../../../src/capture/options.js';
import { buildFamilyRules } from '../../../src/capture/rules.js';

describe('mergeCidrs', () => {
  it.each([
    [['10.0.0.0/25', '10.0.0.128/25'], 4, ['10.0.0.0/24']],
    [['10.1.0.0/16', '10.0.0.0/8'], 4, ['10.0.0.0/8']],
    [['10.0.1.0/24', '10.0.2.0/24'], 4, ['10.0.1.0/24', '10.0.2.0/24']],
    [['10.0.2.0/23', '10.0.1.0/24'], 4, ['10.0.1.0/24', '10.0.2.0/23']],
    [['10.0.3.0/24', '10.0.1.0/24', '10.0.0.0/24', '10.0.2.0/24'], 4, ['10.0.0.0/22']],
    [['10.0.0.0/24', '10.0.0.7', '10.0.0.9/32'], 4, ['10.0.0.0/24']],
    [['0.0.0.0/1', '128.0.0.0/1'], 4, ['0.0.0.0/0']],
    [['1.1.1.1', '1.1.1.1/32', '1.1.1.2'], 4, ['1.1.1.1/32', '1.1.1.2/32']],
    [['2001:db8::/33', '2001:db8:8000::/33'], 6, ['2001:db8::/32']],
    [['10.0.0.0/8', '2001:db8::/32'], 6, ['2001:db8::/32']],
    [['fd00:ec2::254', 'fd00:ec2::255'], 6, ['fd00:ec2::254/127']],
    [[], 4, []],
  ] as const)('%j (IPv%d) → %j', (input, family, want) => {
    expect(mergeCidrs(input, family)).toEqual(want);
  });

  // Random sets inside a 4,096-address region, every address of the region checked (plus both neighbours).
  const regions = [
    { family: 4 as const, type: 'ipv4' as const, bits: 32, base: 0x0a000000n, text: (n: bigint) => [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.') },
    { family: 6 as const, type: 'ipv6' as const, bits: 128, base: 0x20010db8n << 96n, text: (n: bigint) => Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(':') },
  ];
  for (const r of regions) {
    it(`random IPv${r.family} sets: the merged CIDRs cover exactly the same addresses`, () => {
      const addrs: string[] = [];
      for (let a = -1n; a <= 4096n; a++) addrs.push(r.text(r.base + a));
      let seed = 7;
      const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
      for (let round = 0; round < 40; round++) {
        const input: string[] = [];
        for (let i = 0; i < 1 + rand(30); i++) {
          const host = rand(9); // block of 2^host addresses, aligned
          const offset = BigInt(rand(4096 >> host) << host);
          input.push(`${r.text(r.base + offset)}/${r.bits - host}`);
        }
        const merged = mergeCidrs(input, r.family);
        const want = new BlockList();
        const got = new BlockList();
        for (const c of input) want.addSubnet(c.split('/')[0]!, Number(c.split('/')[1]), r.type);
        for (const c of merged) got.addSubnet(c.split('/')[0]!, Number(c.split('/')[1]), r.type);
        // One expect per mismatch, not per address: 160,000 expects with their messages took
        // this test past its time bound on a loaded machine.
        const wrong: string[] = [];
        for (const addr of addrs) {
          if (got.check(addr, r.type) !== want.check(addr, r.type)) wrong.push(addr);
        }
        expect(wrong, `${input.join(' ')} → ${merged.join(' ')}`).toEqual([]);
        expect(merged.length).toBeLessThanOrEqual(new Set(input).size);
      }
    });
  }
});

describe('portGroups', () => {
  it.each([
    [[], []],
    [[80], ['80']],
    [[22, 15090, 15021, 15020], ['22,15020:15021,15090']],
    [[8080, 8080, 80], ['80,8080']],
    [[1, 2, 3, 4], ['1:4']],
  ])('%j → %j', (ports, want) => {
    expect(portGroups(ports)).toEqual(want);
  });

  it('never puts more than 15 slots in a group (a range takes two) and loses no port', () => {
    const scattered = Array.from({ length: 1000 }, (_, i) => 20000 + 2 * i);
    const ranges = Array.from({ length: 40 }, (_, i) => [30000 + 3 * i, 30001 + 3 * i]).flat();
    for (const ports of [scattered, ranges, [...scattered, ...ranges]]) {
      const groups = portGroups(ports);
      const back = new Set<number>();
      for (const g of groups) {
        const items = g.split(',');
        expect(items.reduce((n, it) => n + (it.includes(':') ? 2 : 1), 0)).toBeLessThanOrEqual(MULTIPORT_SLOTS);
        for (const it of items) {
          const [lo, hi = lo] = it.split(':').map(Number) as [number, number?];
          for (let p = lo; p <= (hi as number); p++) back.add(p);
        }
      }
      expect([...back].sort((a, b) => a - b)).toEqual([...new Set(ports)].sort((a, b) => a - b));
    }
    expect(portGroups(scattered)).toHaveLength(Math.ceil(1000 / 15));
  });

  it('spells a lone port or range with -m tcp/udp and a list with multiport, as iptables-save does', () => {
    expect(portMatch('tcp', '80')).toBe('-p tcp -m tcp --dport 80');
    expect(portMatch('udp', '80:90')).toBe('-p udp -m udp --dport 80:90');
    expect(portMatch('tcp', '80,443')).toBe('-p tcp -m multiport --dports 80,443');
  });
});

describe('the builder compacts large exclusion lists', () => {
  it('1,000 scattered ports and 1,000 CIDRs, 500 of them adjacent pairs', () => {
    const ports = Array.from({ length: 1000 }, (_, i) => 20000 + 2 * i);
    const excludeCidrs = Array.from({ length: 1000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`).filter((_, i) => i % 4 < 2);
    const rules = buildFamilyRules(baseOptions({ inboundPorts: '*', localExcludePorts: ports, serviceCidrs: '*', excludeCidrs, localOutboundPortsExclude: ports }), 4).nat.rules;
    const count = (re: RegExp) => rules.filter((r) => re.test(r.spec)).length;
    expect(count(/-m multiport --dports .* -j RETURN/)).toBe(3 * 67);
    expect(count(/^-d 10\.\d+\.\d+\.0\/23 -j RETURN$/)).toBe(250);
    // The SSH safety exemption stays a rule of its own, ahead of the groups.
    expect(rules.filter((r) => r.chain === 'ISTIO_INBOUND').map((r) => r.spec).slice(0, 2)).toEqual(['-p tcp -m tcp --dport 15008 -j RETURN', '-p tcp -m tcp --dport 22 -j RETURN']);
  });
});
