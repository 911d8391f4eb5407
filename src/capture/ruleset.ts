/**
 * iptables-save text ⇄ a small model (table → chains and rules), and the pure functions that
 * turn "what is there" plus "what should be there" into one iptables-restore --noflush payload,
 * and that compare the two. Only vmlet's part is looked at: chains named ISTIO_* and the rules in
 * built-in chains that jump to them. Every other rule is foreign and never touched.
 */
import { CHAIN_PREFIX, TABLES, type FamilyRules, type Rule, type Table } from './rules.js';

export interface SavedTable {
  /** Every chain declared in the table, built-in ones included. */
  readonly chains: readonly string[];
  readonly rules: readonly Rule[];
}

export type Ruleset = ReadonlyMap<string, SavedTable>;

export function parseSave(text: string): Ruleset {
  const out = new Map<string, { chains: string[]; rules: Rule[] }>();
  let cur: { chains: string[]; rules: Rule[] } | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      cur = out.get(line.slice(1).trim()) ?? { chains: [], rules: [] };
      out.set(line.slice(1).trim(), cur);
    } else if (cur && line.startsWith(':')) {
      cur.chains.push(line.slice(1).split(' ')[0] as string);
    } else if (cur && line.startsWith('-A ')) {
      const m = /^-A (\S+) (.*)$/.exec(line.trim());
      if (m) cur.rules.push({ chain: m[1] as string, spec: m[2] as string });
    }
  }
  return out;
}

const isOwnChain = (c: string): boolean => c.startsWith(CHAIN_PREFIX);
const jumpTarget = (spec: string): string | undefined => /(?:^|\s)-[jg] (\S+)/.exec(spec)?.[1];

/** vmlet's part of one table: its chains, and the jumps into them from built-in chains. */
export function ownedPart(t: SavedTable | undefined): { chains: string[]; jumps: Rule[]; inside: Rule[] } {
  if (t === undefined) return { chains: [], jumps: [], inside: [] };
  return {
    chains: t.chains.filter(isOwnChain),
    jumps: t.rules.filter((r) => !isOwnChain(r.chain) && isOwnChain(jumpTarget(r.spec) ?? '')),
    inside: t.rules.filter((r) => isOwnChain(r.chain)),
  };
}

/** Planned jumps from built-in chains into vmlet's, per built-in chain, in plan order. */
function plannedJumps(rules: readonly Rule[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rules) if (!isOwnChain(r.chain)) out.set(r.chain, [...(out.get(r.chain) ?? []), r.spec]);
  return out;
}

const sameRules = (a: readonly Rule[], b: readonly Rule[]): boolean => a.length === b.length && a.every((r, i) => r.spec === b[i]?.spec);

/**
 * One restore payload for one family: deletes the existing jumps into vmlet's chains, replaces
 * (declares = creates or flushes, then appends) every planned chain whose rules differ from the
 * plan, deletes chains no longer planned, and inserts the jumps at the top of their built-in
 * chains (-I <chain> 1..n), so no foreign rule sits ahead of capture. A chain already exactly as
 * planned is left alone, so a small change or a moved jump is a small transaction.
 * `plan` undefined = remove everything of vmlet's. Returns '' when there is nothing to do.
 */
export function renderRestore(plan: FamilyRules | undefined, current: Ruleset): string {
  const lines: string[] = [];
  for (const table of TABLES) {
    const want = plan?.[table] ?? { chains: [], rules: [] };
    const have = ownedPart(current.get(table));
    if (want.rules.length === 0 && have.chains.length === 0 && have.jumps.length === 0) continue;
    const intact = new Set(want.chains.filter((c) => have.chains.includes(c)
      && sameRules(want.rules.filter((r) => r.chain === c), have.inside.filter((r) => r.chain === c))));
    lines.push(`*${table}`);
    const declared = [...new Set([...want.chains, ...have.chains])].filter((c) => !intact.has(c));
    for (const c of declared) lines.push(`:${c} - [0:0]`);
    for (const r of have.jumps) lines.push(`-D ${r.chain} ${r.spec}`);
    for (const c of have.chains.filter((c) => !want.chains.includes(c))) lines.push(`-X ${c}`);
    const position = new Map<string, number>();
    for (const r of want.rules) {
      if (intact.has(r.chain)) continue;
      if (isOwnChain(r.chain)) {
        lines.push(`-A ${r.chain} ${r.spec}`);
      } else {
        const at = (position.get(r.chain) ?? 0) + 1;
        position.set(r.chain, at);
        lines.push(`-I ${r.chain} ${at} ${r.spec}`);
      }
    }
    lines.push('COMMIT');
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export interface Drift {
  readonly table: Table;
  readonly what: string;
}

/** Differences between the plan and what is installed (empty = exactly as planned). */
export function compareOwned(plan: FamilyRules | undefined, current: Ruleset): Drift[] {
  const out: Drift[] = [];
  for (const table of TABLES) {
    const want = plan?.[table] ?? { chains: [], rules: [] };
    const have = ownedPart(current.get(table));
    const wantChains = [...want.chains].sort();
    if (JSON.stringify(wantChains) !== JSON.stringify([...have.chains].sort())) {
      out.push({ table, what: `chains are [${have.chains.join(', ')}], expected [${wantChains.join(', ')}]` });
    }
    const key = (r: Rule) => `${r.chain} ${r.spec}`;
    const wantJumps = want.rules.filter((r) => !r.chain.startsWith(CHAIN_PREFIX)).map(key);
    const haveJumps = have.jumps.map(key);
    if (JSON.stringify(wantJumps.sort()) !== JSON.stringify(haveJumps.sort())) {
      out.push({ table, what: `jumps are [${haveJumps.join('; ')}], expected [${wantJumps.join('; ')}]` });
    } else {
      // Present, but also first in their chain? A rule inserted ahead of a jump bypasses capture.
      for (const [chain, specs] of plannedJumps(want.rules)) {
        const head = (current.get(table)?.rules ?? []).filter((r) => r.chain === chain).slice(0, specs.length);
        if (head.some((r, i) => r.spec !== specs[i])) {
          const ahead = head.find((r) => !specs.includes(r.spec));
          out.push({ table, what: `jump ${chain} ${specs.join(', ')} is no longer first in ${chain}${ahead === undefined ? '' : `: -A ${chain} ${ahead.spec} was put ahead of it`}` });
        }
      }
    }
    for (const chain of want.chains) {
      const w = want.rules.filter((r) => r.chain === chain).map((r) => r.spec);
      const h = have.inside.filter((r) => r.chain === chain).map((r) => r.spec);
      if (JSON.stringify(w) !== JSON.stringify(h)) {
        const idx = w.findIndex((s, i) => h[i] !== s);
        const first = idx === -1 ? w.length : idx;
        out.push({ table, what: `${chain} has ${h.length} rules, expected ${w.length}; first difference at rule ${first + 1}: ${JSON.stringify(h[first] ?? null)} instead of ${JSON.stringify(w[first] ?? null)}` });
      }
    }
  }
  return out;
}
