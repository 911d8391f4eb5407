/**
 * Rule compaction, so a large configuration stays one small, fast restore: CIDRs that overlap or
 * touch are merged into the fewest CIDRs covering exactly the same addresses, and ports become
 * `-m multiport --dports` groups (consecutive ports as a:b ranges). Only lists whose rules all
 * share one target are compacted, so which connections are captured never changes; only the
 * number of rules does (istio-iptables writes one rule per port and per CIDR). Pure.
 */
import { addressBits, cidrBounds, familyOf, formatCidr, type Family } from './cidr.js';

/** iptables' multiport limit: 15 slots per rule, a range a:b takes two. */
export const MULTIPORT_SLOTS = 15;

/** The fewest CIDRs of `family` covering exactly the union of the given ones, by address. */
export function mergeCidrs(cidrs: readonly string[], family: Family): string[] {
  const ranges = cidrs.filter((c) => familyOf(c) === family).map(cidrBounds);
  ranges.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  // text: the block's own CIDR while nothing was merged into it (the common case needs no re-tiling).
  const merged: { first: bigint; last: bigint; text: string | undefined }[] = [];
  for (const r of ranges) {
    const top = merged[merged.length - 1];
    if (top !== undefined && r.first <= top.last + 1n) {
      if (r.last > top.last) {
        top.last = r.last;
        top.text = undefined;
      }
    } else {
      merged.push({ first: r.first, last: r.last, text: r.canonical });
    }
  }
  return merged.flatMap((r) => (r.text !== undefined ? [r.text] : rangeToCidrs(family, r.first, r.last)));
}

/** The aligned blocks that exactly tile first..last, largest first at each step. */
function rangeToCidrs(family: Family, first: bigint, last: bigint): string[] {
  const bits = addressBits(family);
  const out: string[] = [];
  let at = first;
  while (at <= last) {
    let align = 0;
    while (align < bits && ((at >> BigInt(align)) & 1n) === 0n) align++;
    const fits = (last - at + 1n).toString(2).length - 1;
    const host = Math.min(align, fits);
    out.push(formatCidr(family, at, bits - host));
    at += 1n << BigInt(host);
  }
  return out;
}

/**
 * Ports → multiport `--dports` values: sorted, duplicates dropped, consecutive ports as `a:b`,
 * at most MULTIPORT_SLOTS slots each. `[22, 15020, 15021, 15090]` → `['22,15020:15021,15090']`.
 */
export function portGroups(ports: readonly number[]): string[] {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const items: { text: string; slots: number }[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    items.push(j === i ? { text: String(sorted[i]), slots: 1 } : { text: `${sorted[i]}:${sorted[j]}`, slots: 2 });
    i = j + 1;
  }
  const groups: string[][] = [];
  let used = MULTIPORT_SLOTS;
  for (const item of items) {
    if (used + item.slots > MULTIPORT_SLOTS) {
      groups.push([]);
      used = 0;
    }
    groups[groups.length - 1]!.push(item.text);
    used += item.slots;
  }
  return groups.map((g) => g.join(','));
}

/** The match for one group, in iptables-save's spelling: a lone port or range uses `-m <proto>`. */
export function portMatch(proto: 'tcp' | 'udp', group: string): string {
  return group.includes(',') ? `-p ${proto} -m multiport --dports ${group}` : `-p ${proto} -m ${proto} --dport ${group}`;
}
