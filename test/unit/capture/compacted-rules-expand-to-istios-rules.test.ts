/**
 * Compaction changes spelling, not capture: expanding vmlet's multiport groups back into one rule
 * per port gives, chain by chain, istio-iptables' rules for the same options (reference §2.4,
 * written in iptables-save's spelling), in the same order up to reordering inside a run of rules
 * with one and the same target (first match wins, so such a run's order cannot matter).
 */
import { describe, expect, it } from 'vitest';
import { baseOptions } from '../../../src/capture/options.js';
import { buildFamilyRules, type FamilyRules } from '../../../src/capture/rules.js';

/** `-p tcp -m multiport --dports 1,3:4 -j X` → `-p tcp -m tcp --dport 1 -j X`, … 3, 4. */
function expand(spec: string): string[] {
  const m = /^-p (tcp|udp) -m (?:multiport --dports|tcp --dport|udp --dport) ([\d,:]+) (-j .*)$/.exec(spec);
  if (!m) return [spec];
  const [, proto, list, rest] = m as unknown as [string, string, string, string];
  return list.split(',').flatMap((item) => {
    const [lo, hi = lo] = item.split(':').map(Number) as [number, number?];
    return Array.from({ length: (hi as number) - lo + 1 }, (_, i) => `-p ${proto} -m ${proto} --dport ${lo + i} ${rest}`);
  });
}

/** Per "table chain": runs of consecutive rules with the same target, each run sorted. */
function shape(rules: Record<string, readonly { chain: string; spec: string }[]>): Record<string, string[][]> {
  const out: Record<string, string[][]> = {};
  for (const [table, list] of Object.entries(rules)) {
    for (const r of list) {
      const key = `${table} ${r.chain}`;
      const runs = (out[key] ??= []);
      for (const spec of expand(r.spec)) {
        const target = /-j (.*)$/.exec(spec)?.[1];
        const last = runs[runs.length - 1];
        if (last !== undefined && /-j (.*)$/.exec(last[0]!)?.[1] === target) last.push(spec);
        else runs.push([spec]);
      }
    }
  }
  for (const runs of Object.values(out)) for (const run of runs) run.sort();
  return out;
}

const ours = (f: FamilyRules) => shape({ nat: f.nat.rules, raw: f.raw.rules });
const istio = (rules: Record<string, string[]>) =>
  shape(Object.fromEntries(Object.entries(rules).map(([table, lines]) => [table, lines.map((l) => ({ chain: l.split(' ')[0]!, spec: l.slice(l.indexOf(' ') + 1) }))])));

describe('vmlet rules, groups expanded, are istio-iptables rules', () => {
  it('reference §2.4: istioctl cluster.env, DNS capture, uid 998 (safety toggles off)', () => {
    const o = baseOptions({ inboundPorts: '*', localExcludePorts: [22, 15090, 15021, 15020], serviceCidrs: '*', dnsCapture: true, dnsServers: ['127.0.0.53'], proxyUids: [998], proxyGids: [998], sshExempt: false, metadataExempt: false });
    expect(ours(buildFamilyRules(o, 4))).toEqual(istio({
      nat: [
        'ISTIO_INBOUND -p tcp -m tcp --dport 15008 -j RETURN',
        'ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001',
        'ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006',
        'PREROUTING -p tcp -j ISTIO_INBOUND',
        'ISTIO_INBOUND -p tcp -m tcp --dport 22 -j RETURN',
        'ISTIO_INBOUND -p tcp -m tcp --dport 15090 -j RETURN',
        'ISTIO_INBOUND -p tcp -m tcp --dport 15021 -j RETURN',
        'ISTIO_INBOUND -p tcp -m tcp --dport 15020 -j RETURN',
        'ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT',
        'OUTPUT -j ISTIO_OUTPUT',
        'ISTIO_OUTPUT -s 127.0.0.6/32 -o lo -j RETURN',
        'ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -p tcp -m multiport ! --dports 53,15008 -m owner --uid-owner 998 -j ISTIO_IN_REDIRECT',
        'ISTIO_OUTPUT -o lo -p tcp -m tcp ! --dport 53 -m owner ! --uid-owner 998 -j RETURN',
        'ISTIO_OUTPUT -m owner --uid-owner 998 -j RETURN',
        'ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -p tcp -m tcp ! --dport 15008 -m owner --gid-owner 998 -j ISTIO_IN_REDIRECT',
        'ISTIO_OUTPUT -o lo -p tcp -m tcp ! --dport 53 -m owner ! --gid-owner 998 -j RETURN',
        'ISTIO_OUTPUT -m owner --gid-owner 998 -j RETURN',
        'ISTIO_OUTPUT -j ISTIO_OUTPUT_DNS',
        'ISTIO_OUTPUT_DNS -d 127.0.0.53/32 -p tcp -m tcp --dport 53 -j REDIRECT --to-ports 15053',
        'ISTIO_OUTPUT_DNS -d 127.0.0.53/32 -p udp -m udp --dport 53 -j REDIRECT --to-ports 15053',
        'ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
        'ISTIO_OUTPUT -j ISTIO_REDIRECT',
      ],
      raw: [
        'OUTPUT -j ISTIO_OUTPUT_DNS',
        'ISTIO_OUTPUT_DNS -p udp -m udp --dport 53 -m owner --uid-owner 998 -j CT --zone 1',
        'ISTIO_OUTPUT_DNS -p udp -m udp --sport 15053 -m owner --uid-owner 998 -j CT --zone 2',
        'ISTIO_OUTPUT_DNS -p udp -m udp --dport 53 -m owner --gid-owner 998 -j CT --zone 1',
        'ISTIO_OUTPUT_DNS -p udp -m udp --sport 15053 -m owner --gid-owner 998 -j CT --zone 2',
        'PREROUTING -j ISTIO_INBOUND',
        'ISTIO_OUTPUT_DNS -d 127.0.0.53/32 -p udp -m udp --dport 53 -j CT --zone 2',
        'ISTIO_INBOUND -s 127.0.0.53/32 -p udp -m udp --sport 53 -j CT --zone 1',
      ],
    }));
  });

  it('long lists: 300 excluded ports each way, 40 outbound ports, 50 scattered CIDRs (one rule each in Istio)', () => {
    const ports = Array.from({ length: 300 }, (_, i) => 20000 + 3 * i + (i % 2));
    const outbound = Array.from({ length: 40 }, (_, i) => 30000 + i * (i % 3 === 0 ? 1 : 5));
    const cidrs = Array.from({ length: 50 }, (_, i) => `10.${i}.${i * 2}.0/24`);
    const o = baseOptions({ inboundPorts: '*', localExcludePorts: ports, serviceCidrs: [], outboundPorts: outbound, excludeCidrs: cidrs, localOutboundPortsExclude: ports, sshExempt: false, metadataExempt: false });
    const u = '--uid-owner 1337';
    const g = '--gid-owner 1337';
    expect(ours(buildFamilyRules(o, 4))).toEqual(istio({
      nat: [
        'ISTIO_INBOUND -p tcp -m tcp --dport 15008 -j RETURN',
        'ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001',
        'ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006',
        'PREROUTING -p tcp -j ISTIO_INBOUND',
        ...ports.map((p) => `ISTIO_INBOUND -p tcp -m tcp --dport ${p} -j RETURN`),
        'ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT',
        'OUTPUT -j ISTIO_OUTPUT',
        ...ports.flatMap((p) => [`ISTIO_OUTPUT -p tcp -m tcp --dport ${p} -j RETURN`, `ISTIO_OUTPUT -p udp -m udp --dport ${p} -j RETURN`]),
        'ISTIO_OUTPUT -s 127.0.0.6/32 -o lo -j RETURN',
        `ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -p tcp -m tcp ! --dport 15008 -m owner ${u} -j ISTIO_IN_REDIRECT`,
        `ISTIO_OUTPUT -o lo -m owner ! ${u} -j RETURN`,
        `ISTIO_OUTPUT -m owner ${u} -j RETURN`,
        `ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -p tcp -m tcp ! --dport 15008 -m owner ${g} -j ISTIO_IN_REDIRECT`,
        `ISTIO_OUTPUT -o lo -m owner ! ${g} -j RETURN`,
        `ISTIO_OUTPUT -m owner ${g} -j RETURN`,
        'ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
        ...cidrs.map((c) => `ISTIO_OUTPUT -d ${c} -j RETURN`),
        ...outbound.map((p) => `ISTIO_OUTPUT -p tcp -m tcp --dport ${p} -j ISTIO_REDIRECT`),
      ],
      raw: [],
    }));
    expect(buildFamilyRules(o, 4).nat.rules.length).toBeLessThan(150); // Istio: 1,004
  });
});
