/**
 * Tables from Envoy's admin answers, as `istioctl proxy-config` prints them: clusters, listeners
 * and routes from /config_dump (envoy.admin.v3.ConfigDump in proto3 JSON), endpoints from
 * /clusters?format=json (envoy.admin.v3.Clusters), secrets from the dump's SecretsConfigDump.
 * Pure: JSON in, rows out. Secrets never yield key material: only the certificates' public facts
 * (serial, validity, trust domain) are read, and private_key is never looked at.
 */
import { X509Certificate } from 'node:crypto';

type Json = Record<string, unknown>;
export type Row = Readonly<Record<string, string>>;

const ADMIN = 'type.googleapis.com/envoy.admin.v3.';
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const TCP = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';

const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** The ConfigDump's section of `kind` (`ClustersConfigDump`, ...), or {} when Envoy left it out. */
export function section(dump: unknown, kind: string): Json {
  return arr(obj(dump)['configs']).find((c) => c['@type'] === `${ADMIN}${kind}`) ?? {};
}

/** `outbound|80|v1|reviews.default.svc.cluster.local` → its parts (Istio's cluster naming). */
function istioCluster(name: string): { fqdn: string; port: string; subset: string; direction: string } {
  const p = name.split('|');
  if (p.length === 4 && (p[0] === 'outbound' || p[0] === 'inbound')) return { direction: p[0], port: p[1] || '-', subset: p[2] || '-', fqdn: p[3] || '-' };
  return { fqdn: name, port: '-', subset: '-', direction: '-' };
}

function clusterType(c: Json): string {
  if (typeof c['type'] === 'string') return c['type'];
  const custom = str(obj(c['cluster_type'])['name']);
  return custom || 'STATIC';
}

/**
 * The Istio config a cluster or route was made from, as `name.namespace`: istiod writes its path
 * (`/apis/networking.istio.io/v1/namespaces/<ns>/<kind>/<name>`) into the resource's
 * metadata.filter_metadata.istio.config; `-` when there is none.
 */
function istioConfigRef(resource: Json, kind: 'destination-rule' | 'virtual-service'): string {
  const cfg = str(obj(obj(obj(resource['metadata'])['filter_metadata'])['istio'])['config']);
  const m = new RegExp(`namespaces/([^/]+)/${kind}/([^/]+)`).exec(cfg);
  return m ? `${m[2]}.${m[1]}` : '-';
}

export function clusterRows(dump: unknown): Row[] {
  const s = section(dump, 'ClustersConfigDump');
  const all = [...arr(s['static_clusters']), ...arr(s['dynamic_active_clusters']), ...arr(s['dynamic_warming_clusters'])];
  return all.map((e) => {
    const c = obj(e['cluster']);
    const n = istioCluster(str(c['name']));
    return { 'SERVICE FQDN': n.fqdn, PORT: n.port, SUBSET: n.subset, DIRECTION: n.direction, TYPE: clusterType(c), 'DESTINATION RULE': istioConfigRef(c, 'destination-rule') };
  }).sort((a, b) => a['SERVICE FQDN']!.localeCompare(b['SERVICE FQDN']!) || a.PORT!.localeCompare(b.PORT!));
}

/** Where a listener's filter chains send traffic: `Route: <name>`, `Cluster: <name>`, or `-`. */
function destinations(l: Json): string {
  const out = new Set<string>();
  const chains = [...arr(l['filter_chains']), ...(l['default_filter_chain'] ? [obj(l['default_filter_chain'])] : [])];
  for (const chain of chains) {
    for (const f of arr(chain['filters'])) {
      const t = obj(f['typed_config']);
      if (t['@type'] === HCM) {
        const rds = str(obj(t['rds'])['route_config_name']);
        out.add(rds ? `Route: ${rds}` : t['route_config'] ? 'Inline Route' : 'HTTP');
      } else if (t['@type'] === TCP) {
        out.add(`Cluster: ${str(t['cluster']) || 'weighted'}`);
      } else if (str(f['name'])) {
        out.add(str(f['name']));
      }
    }
  }
  return out.size === 0 ? '-' : [...out].join(', ');
}

/** An Envoy Address (socket_address or pipe): a pipe's path, or the address and port. */
function address(a: unknown): { pipe?: string; address: string; port: string } {
  const sa = obj(obj(a)['socket_address']);
  const pipe = str(obj(obj(a)['pipe'])['path']);
  return pipe ? { pipe, address: pipe, port: '-' } : { address: str(sa['address']) || '-', port: str(sa['port_value']) || '-' };
}

export function listenerRows(dump: unknown): Row[] {
  const s = section(dump, 'ListenersConfigDump');
  const rows: Row[] = [];
  const push = (l: Json, state: string, error = '') => {
    const a = address(l['address']);
    rows.push({ NAME: str(l['name']), ADDRESS: a.address, PORT: a.port, DIRECTION: str(l['traffic_direction']) || '-', DESTINATION: destinations(l), STATE: state, ...(error ? { ERROR: error } : {}) });
  };
  for (const e of arr(s['static_listeners'])) push(obj(e['listener']), 'STATIC');
  for (const e of arr(s['dynamic_listeners'])) {
    const active = obj(e['active_state']);
    const warming = obj(e['warming_state']);
    const draining = obj(e['draining_state']);
    const error = obj(e['error_state']);
    if (active['listener']) push(obj(active['listener']), 'ACTIVE');
    if (warming['listener']) push(obj(warming['listener']), 'WARMING');
    if (draining['listener']) push(obj(draining['listener']), 'DRAINING');
    if (error['failed_configuration'] || error['details']) {
      const failed = obj(error['failed_configuration']);
      push(failed['name'] ? failed : { name: e['name'] }, 'REJECTED', str(error['details']));
    }
  }
  return rows;
}

function matchText(route: Json): string {
  const m = obj(route['match']);
  // istioctl's notation: a prefix ends in *, an exact path is itself.
  if (typeof m['prefix'] === 'string') return `${m['prefix']}*`;
  if (typeof m['path_separated_prefix'] === 'string') return `${m['path_separated_prefix']}/*`;
  if (typeof m['path'] === 'string') return m['path'];
  const re = str(obj(m['safe_regex'])['regex']);
  return re ? `regex ${re}` : '-';
}

export function routeRows(dump: unknown): Row[] {
  const s = section(dump, 'RoutesConfigDump');
  const rows: Row[] = [];
  for (const e of [...arr(s['static_route_configs']), ...arr(s['dynamic_route_configs'])]) {
    const rc = obj(e['route_config']);
    const vhosts = arr(rc['virtual_hosts']);
    if (vhosts.length === 0) rows.push({ NAME: str(rc['name']), 'VHOST NAME': '-', DOMAINS: '-', MATCH: '-', 'VIRTUAL SERVICE': '-' });
    for (const vh of vhosts) {
      const domains = arr(vh['domains']) as unknown as string[];
      const routes = arr(vh['routes']);
      rows.push({
        NAME: str(rc['name']),
        'VHOST NAME': str(vh['name']),
        DOMAINS: domains.length > 1 ? `${domains[0]} +${domains.length - 1} more...` : (domains[0] ?? '-'),
        MATCH: routes.length > 0 ? matchText(routes[0]!) : '-',
        'VIRTUAL SERVICE': routes.length > 0 ? istioConfigRef(routes[0]!, 'virtual-service') : '-',
      });
    }
  }
  return rows;
}

/** From /clusters?format=json: one row per host. */
export function endpointRows(clusters: unknown): Row[] {
  const rows: Row[] = [];
  for (const c of arr(obj(clusters)['cluster_statuses'])) {
    for (const h of arr(c['host_statuses'])) {
      const a = address(h['address']);
      const hs = obj(h['health_status']);
      const eds = str(hs['eds_health_status']) || 'HEALTHY';
      rows.push({
        ENDPOINT: a.pipe !== undefined ? `unix://${a.pipe}` : `${a.address}:${a.port}`,
        STATUS: eds,
        'OUTLIER CHECK': hs['failed_outlier_check'] === true ? 'FAILED' : 'OK',
        CLUSTER: str(c['name']),
      });
    }
  }
  return rows.sort((a, b) => a.CLUSTER!.localeCompare(b.CLUSTER!) || a.ENDPOINT!.localeCompare(b.ENDPOINT!));
}

/** The public facts of a PEM certificate (the first of a chain). */
function certFacts(pem: string, now: number): { serial: string; notBefore: string; notAfter: string; valid: boolean; trustDomain: string } | undefined {
  try {
    const cert = new X509Certificate(pem);
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    const spiffe = /URI:spiffe:\/\/([^/,\s]+)/.exec(cert.subjectAltName ?? '')?.[1];
    const org = /^O=(.+)$/m.exec(cert.subject)?.[1];
    return { serial: cert.serialNumber.toLowerCase(), notBefore: new Date(from).toISOString(), notAfter: new Date(to).toISOString(), valid: now >= from && now <= to, trustDomain: spiffe ?? org ?? '-' };
  } catch {
    return undefined;
  }
}

const inlinePem = (ds: unknown): string => {
  const d = obj(ds);
  if (typeof d['inline_string'] === 'string') return d['inline_string'];
  if (typeof d['inline_bytes'] === 'string') return Buffer.from(d['inline_bytes'], 'base64').toString('utf8');
  return '';
};

/**
 * One row per secret: name, type (Cert Chain or CA), state, whether the certificate is valid now,
 * serial, validity and trust domain. Reads certificate_chain and trusted_ca only.
 */
export function secretRows(dump: unknown, now: number): Row[] {
  const s = section(dump, 'SecretsConfigDump');
  const rows: Row[] = [];
  const add = (e: Json, state: string) => {
    const secret = obj(e['secret']);
    const name = str(e['name']) || str(secret['name']);
    const chain = inlinePem(obj(obj(secret['tls_certificate'])['certificate_chain']));
    const ca = inlinePem(obj(obj(secret['validation_context'])['trusted_ca']));
    const pem = chain || ca;
    const facts = pem ? certFacts(pem, now) : undefined;
    rows.push({
      'RESOURCE NAME': name,
      TYPE: chain ? 'Cert Chain' : ca ? 'CA' : '-',
      STATUS: state,
      'VALID CERT': facts ? (facts.valid ? 'true' : 'false') : '-',
      'SERIAL NUMBER': facts?.serial ?? '-',
      'NOT AFTER': facts?.notAfter ?? '-',
      'NOT BEFORE': facts?.notBefore ?? '-',
      'TRUST DOMAIN': facts?.trustDomain ?? '-',
    });
  };
  for (const e of arr(s['static_secrets'])) add(e, 'STATIC');
  for (const e of arr(s['dynamic_active_secrets'])) add(e, 'ACTIVE');
  for (const e of arr(s['dynamic_warming_secrets'])) add(e, 'WARMING');
  return rows;
}
