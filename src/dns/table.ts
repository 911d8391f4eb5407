/**
 * The mesh name table, built once per NameTable istiod sends and answered from on every query.
 * Which names answer is Istio's agent's rule (pkg/dns/client, read for behaviour):
 *
 * - a table host answers under its own name; a host of the Kubernetes registry inside the VM's
 *   cluster domain also as `short.ns`, `short.ns.svc` and, in the VM's own namespace, `short`;
 *   a Kubernetes host written with a trailing dot, or with no valid address, answers nothing;
 * - `*.example.com` answers every name below example.com that no exact host claims;
 * - any of those names followed by the first resolv.conf search domain answers too (what a stub
 *   resolver asks first). Istio answers these with a CNAME to the host; vmlet answers with the
 *   addresses under the asked name (CNAME-free: the same addresses, one round trip, no chain for
 *   clients that do not follow CNAMEs);
 * - names are matched case-insensitively, with or without the trailing dot.
 *
 * Compact on purpose (10,000 hosts must add well under 10 MB): one Map from the host name to a
 * row, the addresses as strings per row, and the short forms derived at query time from the name
 * asked instead of stored (Istio keeps about four names and four CNAME names per host).
 */
import { isIP } from 'node:net';
import { forEachHost, type NameInfo, type NameTable } from '../proto/nds.js';

export interface TableContext {
  /** The VM's namespace (short names `reviews` resolve in it). */
  readonly namespace: string;
  /** The node's DNS domain, `<ns>.svc.cluster.local` (the namespace label is dropped if first). */
  readonly domain: string;
  /** resolv.conf search domains; only the first one expands names, as in Istio's agent. */
  readonly search: readonly string[];
}

export type TableAnswer =
  | { readonly found: false }
  /** `addresses` may be empty: the host exists without an address of that family (NODATA). */
  | { readonly found: true; readonly host: string; readonly addresses: readonly string[] };

const NOT_FOUND: TableAnswer = Object.freeze({ found: false });
/** Row flag: the host is `short.ns.<domain>` of the Kubernetes registry, so its short forms are derived. */
const DERIVED = 1;

/** Lower case, one trailing dot removed: the form every key is stored in. */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

export class MeshTable {
  /** Table host (normalized) -> row. */
  private readonly rows = new Map<string, number>();
  /** Short forms that cannot be derived from the name (rare: a Kubernetes host not named short.ns.<domain>), and alt_hosts. */
  private readonly extra = new Map<string, number>();
  private readonly hosts: string[] = [];
  /** Per row, the addresses of each family comma-joined (one string instead of an array of strings: half the memory). */
  private readonly v4: (string | undefined)[] = [];
  private readonly v6: (string | undefined)[] = [];
  private readonly flags: number[] = [];
  private readonly ns: string;
  /** `svc.cluster.local`. */
  private readonly domain: string;
  /** `svc`. */
  private readonly domainFirst: string;
  /** `cluster.local`. */
  private readonly domainRest: string;
  private readonly search0: string | undefined;

  /** Hosts in istiod's table (before short forms). */
  readonly size: number;

  /** Builds the table straight from a NameTable message's bytes (throws when they are not one). */
  static fromBytes(bytes: Uint8Array, ctx: TableContext): MeshTable {
    return new MeshTable((add) => forEachHost(bytes, add), ctx);
  }

  /** From a decoded table (tests), or from a function that feeds every host to `add`. */
  constructor(table: NameTable | ((add: (host: string, info: NameInfo) => void) => number), ctx: TableContext) {
    this.ns = ctx.namespace.toLowerCase();
    const parts = normalizeName(ctx.domain).split('.').filter((p) => p !== '');
    if (parts[0] === this.ns) parts.shift();
    this.domain = parts.join('.');
    this.domainFirst = parts[0] ?? '';
    this.domainRest = parts.slice(1).join('.');
    this.search0 = ctx.search[0] === undefined ? undefined : normalizeName(ctx.search[0]);
    if (typeof table === 'function') this.size = table((h, i) => this.add(h, i));
    else {
      for (const [host, info] of table) this.add(host, info);
      this.size = table.size;
    }
  }

  /** The answer for `name` and type A or AAAA; found=false: not a mesh name (forward it). */
  lookup(name: string, type: 'A' | 'AAAA'): TableAnswer {
    const n = normalizeName(name);
    const s = this.search0;
    const stripped = s !== undefined && n.endsWith(`.${s}`) ? n.slice(0, -(s.length + 1)) : undefined;
    const expand = stripped !== undefined && !stripped.endsWith(s as string);
    const row = this.exact(n) ?? (expand ? this.exact(stripped) : undefined) ?? this.wildcard(n) ?? (expand ? this.wildcard(stripped) : undefined);
    if (row === undefined) return NOT_FOUND;
    const joined = type === 'A' ? this.v4[row] : this.v6[row];
    return { found: true, host: this.hosts[row] as string, addresses: joined === undefined ? [] : joined.split(',') };
  }

  /** The table's hosts (normalized; wildcards as `*.example.com`), for resolved mode's routing domains. */
  hostNames(): readonly string[] {
    return this.hosts;
  }

  private add(host: string, info: NameInfo): void {
    const k8s = info.registry === 'Kubernetes';
    if (k8s && host.endsWith('.')) return;
    const v4: string[] = [];
    const v6: string[] = [];
    for (const ip of info.ips) {
      const fam = isIP(ip);
      if (fam === 4) v4.push(ip);
      else if (fam === 6) v6.push(ip);
    }
    if (v4.length === 0 && v6.length === 0) return;
    const key = normalizeName(host);
    const row = this.hosts.length;
    this.hosts.push(key);
    this.v4.push(v4.length > 0 ? v4.join(',') : undefined);
    this.v6.push(v6.length > 0 ? v6.join(',') : undefined);
    this.rows.set(key, row);
    let flag = 0;
    if (k8s && this.domain !== '' && key.endsWith(this.domain)) {
      const short = info.shortname.toLowerCase();
      const ns = info.namespace.toLowerCase();
      if (key === `${short}.${ns}.${this.domain}`) flag |= DERIVED;
      else {
        this.extra.set(`${short}.${ns}`, row);
        this.extra.set(`${short}.${ns}.${this.domainFirst}`, row);
        if (ns === this.ns) this.extra.set(short, row);
      }
      for (const alt of info.altHosts) this.extra.set(normalizeName(alt), row);
    }
    this.flags.push(flag);
  }

  private exact(n: string): number | undefined {
    return this.rows.get(n) ?? this.extra.get(n) ?? this.derived(n);
  }

  /** `short`, `short.ns`, `short.ns.svc` -> the row of `short.ns.svc.cluster.local`, when it is one. */
  private derived(n: string): number | undefined {
    if (this.domain === '') return undefined;
    const dots = countDots(n);
    let full: string | undefined;
    if (dots === 0) full = `${n}.${this.ns}.${this.domain}`;
    else if (dots === 1) full = `${n}.${this.domain}`;
    else if (dots === 2 && n.endsWith(`.${this.domainFirst}`)) full = this.domainRest === '' ? n : `${n}.${this.domainRest}`;
    const row = full === undefined ? undefined : this.rows.get(full);
    return row !== undefined && ((this.flags[row] as number) & DERIVED) !== 0 ? row : undefined;
  }

  /** `a.b.example.com` -> the row of `*.b.example.com`, else `*.example.com`, else `*.com`. */
  private wildcard(n: string): number | undefined {
    for (let i = n.indexOf('.'); i !== -1 && i < n.length - 1; i = n.indexOf('.', i + 1)) {
      const key = `*${n.slice(i)}`;
      const row = this.rows.get(key) ?? this.extra.get(key);
      if (row !== undefined) return row;
    }
    return undefined;
  }
}

function countDots(s: string): number {
  let c = 0;
  for (let i = s.indexOf('.'); i !== -1; i = s.indexOf('.', i + 1)) c++;
  return c;
}
