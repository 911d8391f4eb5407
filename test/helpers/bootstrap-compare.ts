/**
 * Compares two Envoy bootstraps on what istiod and the agent's sockets depend on (pure): node
 * identity, node metadata (JSON type and value per key, objects one level deep), the static
 * clusters and listeners (type, timeouts, where they connect or listen, HTTP/2, routes), the admin
 * address and the ADS wiring. Used by the real-istiod tier to hold vmlet's bootstrap against the
 * one pilot-agent writes for the same istioctl files, and by docs/bootstrap.md's table, which
 * lists every difference that remains on purpose.
 */

/** One fact of a bootstrap: a path and its JSON type and value. */
export type View = Map<string, string>;

export interface Difference {
  readonly path: string;
  /** `type value` in the first (Istio's) bootstrap, or undefined when absent there. */
  readonly istio: string | undefined;
  readonly vmlet: string | undefined;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
/** JSON with object keys sorted: Go writes maps in key order, YAML keeps the file's; both mean the same. */
const canonical = (v: unknown): unknown => (Array.isArray(v) ? v.map(canonical)
  : isObj(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])])) : v);
const fact = (v: unknown) => `${typeOf(v)} ${JSON.stringify(canonical(v))}`;

/** Metadata keys whose value is an object of its own keys (compared key by key). */
const NESTED = new Set(['PROXY_CONFIG', 'LABELS', 'STATIC_LABELS', 'ANNOTATIONS', 'PLATFORM_METADATA']);

/** Where an address points: `pipe <path>` or `tcp <address>:<port>`; relative paths resolved against `cwd`. */
function where(address: unknown, cwd: string): string {
  const a = isObj(address) ? address : {};
  if (isObj(a.pipe)) {
    const p = String(a.pipe.path);
    return `pipe ${p.startsWith('./') ? `${cwd.replace(/\/$/, '')}/${p.slice(2)}` : p}`;
  }
  const s = isObj(a.socket_address) ? a.socket_address : {};
  return `tcp ${String(s.address)}:${String(s.port_value)}`;
}

function endpointOf(cluster: Obj, cwd: string): string {
  const la = isObj(cluster.load_assignment) ? cluster.load_assignment : {};
  const eps = Array.isArray(la.endpoints) ? la.endpoints : [];
  const all = eps.flatMap((e) => (isObj(e) && Array.isArray(e.lb_endpoints) ? e.lb_endpoints : []))
    .map((lb) => (isObj(lb) && isObj(lb.endpoint) ? where(lb.endpoint.address, cwd) : '?'));
  return all.join(', ');
}

function protocolOf(cluster: Obj): string {
  const opts = isObj(cluster.typed_extension_protocol_options) ? cluster.typed_extension_protocol_options : {};
  const http = Object.values(opts).find(isObj);
  if (!http) return isObj(cluster.http2_protocol_options) ? 'http2' : 'default';
  const explicit = isObj(http.explicit_http_config) ? http.explicit_http_config : {};
  return isObj(explicit.http2_protocol_options) ? 'http2' : 'http1';
}

function routesOf(listener: Obj): string {
  const out: string[] = [];
  for (const chain of Array.isArray(listener.filter_chains) ? listener.filter_chains : []) {
    for (const f of isObj(chain) && Array.isArray(chain.filters) ? chain.filters : []) {
      const rc = isObj(f) && isObj(f.typed_config) && isObj(f.typed_config.route_config) ? f.typed_config.route_config : undefined;
      for (const vh of rc && Array.isArray(rc.virtual_hosts) ? rc.virtual_hosts : []) {
        for (const r of isObj(vh) && Array.isArray(vh.routes) ? vh.routes : []) {
          if (!isObj(r)) continue;
          const m = isObj(r.match) ? r.match : {};
          const to = isObj(r.route) ? r.route.cluster : isObj(r.direct_response) ? `direct ${String(r.direct_response.status)}` : '?';
          out.push(`${JSON.stringify(m.prefix ?? m.path ?? m)} -> ${String(to)}`);
        }
      }
    }
  }
  return out.join(', ');
}

/**
 * The facts of one bootstrap. `metadataKeys` are the keys istiod reads (every one is listed, absent
 * or not); keys present beyond them are listed too. `cwd` resolves relative socket paths (pilot-agent
 * writes `./etc/istio/proxy/XDS`, relative to the unit's working directory, `/`).
 */
export function bootstrapView(bootstrap: unknown, metadataKeys: readonly string[], cwd = '/'): View {
  const b = isObj(bootstrap) ? bootstrap : {};
  const view: View = new Map();
  const node = isObj(b.node) ? b.node : {};
  view.set('node.id', fact(node.id));
  view.set('node.cluster', fact(node.cluster));
  if (node.locality !== undefined) view.set('node.locality', fact(node.locality));
  const meta = isObj(node.metadata) ? node.metadata : {};
  for (const key of new Set([...metadataKeys, ...Object.keys(meta)])) {
    if (!(key in meta)) continue;
    const v = meta[key];
    if (NESTED.has(key) && isObj(v)) {
      view.set(`node.metadata.${key}`, 'object');
      for (const [k, x] of Object.entries(v)) view.set(`node.metadata.${key}.${k}`, fact(x));
    } else view.set(`node.metadata.${key}`, fact(v));
  }
  const sr = isObj(b.static_resources) ? b.static_resources : {};
  for (const c of Array.isArray(sr.clusters) ? sr.clusters.filter(isObj) : []) {
    const p = `static_resources.clusters.${String(c.name)}`;
    view.set(`${p}.type`, fact(c.type ?? 'STATIC'));
    view.set(`${p}.connect_timeout`, fact(c.connect_timeout));
    view.set(`${p}.endpoint`, endpointOf(c, cwd));
    view.set(`${p}.protocol`, protocolOf(c));
  }
  for (const l of Array.isArray(sr.listeners) ? sr.listeners.filter(isObj) : []) {
    const p = `static_resources.listeners.${String(l.name)}`;
    view.set(`${p}.address`, where(l.address, cwd));
    view.set(`${p}.routes`, routesOf(l));
  }
  const admin = isObj(b.admin) ? b.admin : {};
  view.set('admin.address', where(admin.address, cwd));
  const dr = isObj(b.dynamic_resources) ? b.dynamic_resources : {};
  for (const k of ['lds_config', 'cds_config']) {
    const c = isObj(dr[k]) ? (dr[k] as Obj) : {};
    view.set(`dynamic_resources.${k}.ads`, fact(c.ads !== undefined));
    view.set(`dynamic_resources.${k}.initial_fetch_timeout`, fact(c.initial_fetch_timeout));
    view.set(`dynamic_resources.${k}.resource_api_version`, fact(c.resource_api_version));
  }
  const ads = isObj(dr.ads_config) ? dr.ads_config : {};
  for (const k of ['api_type', 'transport_api_version', 'set_node_on_first_message_only']) view.set(`dynamic_resources.ads_config.${k}`, fact(ads[k]));
  const services = Array.isArray(ads.grpc_services) ? ads.grpc_services.filter(isObj) : [];
  view.set('dynamic_resources.ads_config.grpc_services', services.map((s) => (isObj(s.envoy_grpc) ? `envoy_grpc ${String(s.envoy_grpc.cluster_name)}` : isObj(s.google_grpc) ? `google_grpc ${String(s.google_grpc.target_uri)}` : '?')).join(', '));
  return view;
}

/** Every path whose fact differs (or exists on one side only), sorted. */
export function diffViews(istio: View, vmlet: View): Difference[] {
  const out: Difference[] = [];
  for (const path of [...new Set([...istio.keys(), ...vmlet.keys()])].sort()) {
    if (istio.get(path) !== vmlet.get(path)) out.push({ path, istio: istio.get(path), vmlet: vmlet.get(path) });
  }
  return out;
}

/**
 * The JSON names of the node-metadata fields istiod parses, from the Go source of its
 * BootstrapNodeMetadata and NodeMetadata structs (`json:"NAME,omitempty"` tags; `-` skipped).
 */
export function metadataKeysFromGo(source: string): string[] {
  const keys: string[] = [];
  for (const struct of ['BootstrapNodeMetadata', 'NodeMetadata']) {
    const start = source.indexOf(`type ${struct} struct {`);
    if (start === -1) throw new Error(`no struct ${struct} in the Go source`);
    const body = source.slice(start, source.indexOf('\n}\n', start));
    for (const m of body.matchAll(/`json:"([^",]+)[^"]*"`/g)) if (m[1] !== '-') keys.push(m[1]!);
  }
  return [...new Set(keys)];
}

/**
 * The rows of the differences table in a Markdown document: the first column's code span is a
 * path, or a prefix ending in `.*` covering every path below it.
 */
export function documentedPaths(markdown: string, heading: string): string[] {
  const at = markdown.indexOf(heading);
  if (at === -1) throw new Error(`no section "${heading}"`);
  const rows: string[] = [];
  for (const line of markdown.slice(at).split('\n').slice(1)) {
    if (/^#{1,6} /.test(line)) break;
    const m = /^\|\s*`([^`]+)`/.exec(line);
    if (m) rows.push(m[1]!);
  }
  return rows;
}

export const covers = (row: string, path: string) => (row.endsWith('.*') ? path.startsWith(row.slice(0, -1)) : row === path);
