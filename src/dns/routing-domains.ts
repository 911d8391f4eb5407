/**
 * Which domains systemd-resolved should send to vmlet's DNS proxy (resolved mode), as a pure
 * function of the mesh's names. A routing domain hides everything beneath it from the host's other
 * resolvers (a sibling only the upstream knows then depends on vmlet), so names are routed as
 * narrowly as possible: the cluster domain, then each table host outside it exactly. resolved keeps
 * at most 256 domains per link (LINK_SEARCH_DOMAINS_MAX), so a table with more hosts outside the
 * cluster domain is routed by parent domains instead, one label up at a time, until it fits.
 */

/** systemd-resolved's per-link cap on domains (resolved-link.h, LINK_SEARCH_DOMAINS_MAX). */
export const MAX_LINK_DOMAINS = 256;

export interface RoutingDomains {
  /** Domains to route, without `~`, sorted: what `resolvectl domain LINK ~d ...` gets. */
  readonly domains: readonly string[];
  /** Names routed only through a parent domain that was not asked for (the cap was reached). */
  readonly collapsed: number;
  /** Names left unrouted: even two-label parents did not fit. */
  readonly dropped: readonly string[];
}

/** `Foo.Example.` → `foo.example`; `*.example.com` → `example.com`; `~x` → `x`; invalid → undefined. */
export function normalizeDomain(name: string): string | undefined {
  const d = name.trim().toLowerCase().replace(/^~/, '').replace(/^\*\./, '').replace(/\.$/, '');
  if (d === '' || d.length > 253 || d.includes('*')) return undefined;
  return d.split('.').every((l) => l.length > 0 && l.length <= 63 && /^[a-z0-9_-]+$/.test(l)) ? d : undefined;
}

/** `a.b.c` → `a.b.c`, `b.c`, `c`: the name and every parent (linear in labels, for big tables). */
function selfAndParents(name: string): string[] {
  const out = [name];
  for (let i = name.indexOf('.'); i !== -1; i = name.indexOf('.', i + 1)) out.push(name.slice(i + 1));
  return out;
}

function labels(d: string): number {
  let n = 1;
  for (let i = d.indexOf('.'); i !== -1; i = d.indexOf('.', i + 1)) n++;
  return n;
}

/** The first domain of `set` that `name` is (or is under), or undefined. */
function routedBy(name: string, set: ReadonlySet<string>): string | undefined {
  return selfAndParents(name).find((d) => set.has(d));
}

/** Drops every domain that another one in the set already covers. */
function withoutCovered(set: Iterable<string>): string[] {
  // Shorter names first, so a parent is kept before the names it covers.
  const byLabels = [...new Set(set)].map((d) => [labels(d), d] as const).sort((a, b) => a[0] - b[0]);
  const kept = new Set<string>();
  for (const [, d] of byLabels) if (routedBy(d, kept) === undefined) kept.add(d);
  return [...kept].sort();
}

/**
 * The routing domains for `names`: the cluster domain and the name table's hosts (any case,
 * trailing dots and `*.` wildcards allowed; invalid names are skipped). `max` is resolved's cap;
 * when even two-label parents do not fit, the domains covering the most names are kept.
 */
export function routingDomains(names: Iterable<string>, max = MAX_LINK_DOMAINS): RoutingDomains {
  const all = new Set<string>();
  for (const n of names) {
    const d = normalizeDomain(n);
    if (d !== undefined) all.add(d);
  }
  let level = withoutCovered(all);
  // Collapse the longest names first, one label at a time, never to a bare top-level label.
  while (level.length > max) {
    const deepest = level.reduce((m, d) => Math.max(m, labels(d)), 0);
    if (deepest <= 2) {
      const covers = new Map<string, number>();
      const inLevel = new Set(level);
      for (const n of all) {
        const d = routedBy(n, inLevel);
        if (d !== undefined) covers.set(d, (covers.get(d) ?? 0) + 1);
      }
      level = level.sort((x, y) => (covers.get(y) ?? 0) - (covers.get(x) ?? 0) || x.localeCompare(y)).slice(0, max).sort();
      break;
    }
    level = withoutCovered(level.map((d) => (labels(d) === deepest ? d.slice(d.indexOf('.') + 1) : d)));
  }
  const final = new Set(level);
  let collapsed = 0;
  const dropped: string[] = [];
  for (const n of all) {
    const parents = selfAndParents(n).filter((d) => final.has(d));
    if (parents.some((d) => all.has(d))) continue;
    if (parents.length > 0) collapsed++;
    else dropped.push(n);
  }
  return { domains: level, collapsed, dropped: dropped.sort() };
}
