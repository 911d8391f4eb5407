// Part of the FAKE Envoy (test/fakes/fake-envoy.mjs; not Envoy): what it holds of its
// configuration, and its admin views of it. Resources received over ADS (and the two SDS secrets)
// are kept per type as Envoy keeps them (SotW replaces a type's set, delta adds and removes by
// name), and rendered as Envoy's admin API renders them: GET /config_dump is an
// envoy.admin.v3.ConfigDump in proto3 JSON with proto field names (Bootstrap, Clusters, Listeners,
// Routes, Secrets; Endpoints with ?include_eds), private keys "[redacted]"; GET
// /clusters?format=json is an envoy.admin.v3.Clusters built from the EDS assignments.
import { envoyProtoRoot } from './envoy-proto-root.mjs';

const T = {
  cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  route: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  endpoint: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  secret: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
};
export const TYPES = T;
const ADMIN = 'type.googleapis.com/envoy.admin.v3.';

let root;
/** Envoy's protos: discovery, the four xDS resource types, HCM (for RDS names), the admin dump. */
export function configRoot() {
  root ??= envoyProtoRoot([
    'envoy/service/discovery/v3/discovery.proto',
    'envoy/config/cluster/v3/cluster.proto',
    'envoy/config/listener/v3/listener.proto',
    'envoy/config/route/v3/route.proto',
    'envoy/config/endpoint/v3/endpoint.proto',
    'envoy/config/bootstrap/v3/bootstrap.proto',
    'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
    'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
    'envoy/extensions/filters/http/router/v3/router.proto',
    'envoy/extensions/transport_sockets/tls/v3/secret.proto',
    'envoy/extensions/transport_sockets/tls/v3/tls.proto',
    'envoy/admin/v3/config_dump.proto',
    'envoy/admin/v3/clusters.proto',
  ]);
  return root;
}

const b64 = (bytes) => Buffer.from(bytes ?? []).toString('base64');
const WRAPPERS = new Set(['DoubleValue', 'FloatValue', 'Int64Value', 'UInt64Value', 'Int32Value', 'UInt32Value', 'BoolValue', 'StringValue', 'BytesValue']);

/** A decoded protobufjs message as proto3 JSON (proto field names, as Envoy's admin prints). */
export function toJson(type, msg) {
  const full = type.fullName.slice(1);
  if (full.startsWith('google.protobuf.')) return wellKnown(type, full.slice(16), msg);
  const out = {};
  for (const field of type.fieldsArray) {
    const v = msg[field.name];
    if (v === undefined || v === null) continue;
    if (field.partOf && msg[field.partOf.name] !== field.name) continue;
    field.resolve();
    if (field.map) {
      if (Object.keys(v).length) out[field.name] = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value(field, x)]));
    } else if (field.repeated) {
      if (v.length) out[field.name] = v.map((x) => value(field, x));
    } else if (field.partOf || field.resolvedType?.fieldsArray || !isDefault(field, v)) {
      out[field.name] = value(field, v);
    }
  }
  return out;
}

function isDefault(field, v) {
  if (field.resolvedType && field.resolvedType.values) return v === 0;
  if (field.type === 'bytes') return v.length === 0;
  if (field.type === 'string') return v === '';
  if (field.type === 'bool') return v === false;
  return Number(v) === 0;
}

function value(field, v) {
  const rt = field.resolvedType;
  if (rt && rt.values) return rt.valuesById[v] ?? v;
  if (rt) return toJson(rt, v);
  if (field.type === 'bytes') return b64(v);
  if (['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64'].includes(field.type)) return String(v);
  return v;
}

function wellKnown(type, name, msg) {
  if (name === 'Any') return anyJson(msg.type_url, msg.value);
  if (name === 'Duration' || name === 'Timestamp') {
    const secs = Number(msg.seconds ?? 0);
    const nanos = msg.nanos ?? 0;
    if (name === 'Timestamp') return new Date(secs * 1000 + Math.floor(nanos / 1e6)).toISOString();
    return `${secs}${nanos ? `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}` : ''}s`;
  }
  if (name === 'Struct') return Object.fromEntries(Object.entries(msg.fields ?? {}).map(([k, v]) => [k, structValue(v)]));
  if (name === 'Value') return structValue(msg);
  if (name === 'ListValue') return (msg.values ?? []).map(structValue);
  if (name === 'Empty') return {};
  if (WRAPPERS.has(name)) return value(type.fields.value, msg.value ?? (type.fields.value.type === 'bool' ? false : 0));
  return toJson(type, msg);
}

// protobufjs names Value's members in camelCase even under keepCase; accept both.
function structValue(v) {
  const k = v.kind ?? Object.keys(v)[0];
  const get = (snake, camel) => v[snake] ?? v[camel];
  if (k === 'stringValue' || k === 'string_value') return get('string_value', 'stringValue');
  if (k === 'numberValue' || k === 'number_value') return get('number_value', 'numberValue');
  if (k === 'boolValue' || k === 'bool_value') return get('bool_value', 'boolValue');
  if (k === 'structValue' || k === 'struct_value') return wellKnownStruct(get('struct_value', 'structValue'));
  if (k === 'listValue' || k === 'list_value') return (get('list_value', 'listValue').values ?? []).map(structValue);
  return null;
}
const wellKnownStruct = (s) => Object.fromEntries(Object.entries(s.fields ?? {}).map(([k, v]) => [k, structValue(v)]));

/** An Any as proto3 JSON: {"@type", ...fields}; a type the fake's protos lack keeps its bytes. */
export function anyJson(typeUrl, bytes) {
  const type = configRoot().lookup(typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
  if (!type || !type.fieldsArray) return { '@type': typeUrl, value: b64(bytes) };
  const inner = toJson(type, type.decode(bytes));
  return type.fullName.startsWith('.google.protobuf.') && !type.fullName.endsWith('Struct') ? { '@type': typeUrl, value: inner } : { '@type': typeUrl, ...inner };
}

/** What the fake Envoy holds: per type, name -> { version, bytes, at }. */
export class FakeEnvoyConfig {
  constructor(bootstrap) {
    this.bootstrap = bootstrap;
    this.byType = new Map();
    this.versions = new Map();
    this.rejected = new Map();
  }

  /** The name of a resource (every xDS type here names it in field 1 or cluster_name). */
  nameOf(typeUrl, bytes) {
    const type = configRoot().lookupType(typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
    const m = type.decode(bytes);
    return m.name ?? m.cluster_name ?? '';
  }

  decode(typeUrl, bytes) {
    return configRoot().lookupType(typeUrl.slice(typeUrl.lastIndexOf('/') + 1)).decode(bytes);
  }

  /** A SotW response: the type's whole set (for EDS and RDS: the named ones it answers). */
  replace(typeUrl, version, anys) {
    const now = new Date().toISOString();
    const next = new Map();
    for (const a of anys) next.set(this.nameOf(typeUrl, a.value), { version, bytes: a.value, at: now });
    this.byType.set(typeUrl, next);
    this.versions.set(typeUrl, version);
  }

  /** A delta response: adds or updates `resources` ({name, version, resource: Any}), removes `removed`. */
  apply(typeUrl, systemVersion, resources, removed) {
    const now = new Date().toISOString();
    const map = this.byType.get(typeUrl) ?? new Map();
    for (const r of resources) if (r.resource?.value) map.set(r.name || this.nameOf(typeUrl, r.resource.value), { version: r.version, bytes: r.resource.value, at: now });
    for (const name of removed ?? []) map.delete(name);
    this.byType.set(typeUrl, map);
    this.versions.set(typeUrl, systemVersion);
  }

  /** A NACKed response: kept only as an error state (Envoy's listener error_state). */
  reject(typeUrl, details, anys) {
    this.rejected.set(typeUrl, { details, at: new Date().toISOString(), anys });
  }

  names(typeUrl) {
    return [...(this.byType.get(typeUrl)?.keys() ?? [])];
  }

  /** Cluster names Envoy asks EDS for: the EDS clusters' service_name, else their name. */
  edsNames() {
    const out = [];
    for (const { bytes } of this.byType.get(T.cluster)?.values() ?? []) {
      const c = this.decode(T.cluster, bytes);
      if (c.type === 3) out.push(c.eds_cluster_config?.service_name || c.name);
    }
    return out.sort();
  }

  /** Route names Envoy asks RDS for: every HTTP connection manager's rds.route_config_name. */
  rdsNames() {
    const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
    const HcmType = configRoot().lookupType('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager');
    const names = new Set();
    for (const { bytes } of this.byType.get(T.listener)?.values() ?? []) {
      const l = this.decode(T.listener, bytes);
      for (const chain of [...(l.filter_chains ?? []), ...(l.default_filter_chain ? [l.default_filter_chain] : [])]) {
        for (const f of chain.filters ?? []) {
          if (f.typed_config?.type_url !== HCM) continue;
          const name = HcmType.decode(f.typed_config.value).rds?.route_config_name;
          if (name) names.add(name);
        }
      }
    }
    return [...names].sort();
  }

  /** envoy.admin.v3.ConfigDump as Envoy's /config_dump prints it. */
  configDump({ includeEds = false } = {}) {
    const started = this.startedAt ??= new Date().toISOString();
    const dyn = (typeUrl) => [...(this.byType.get(typeUrl)?.entries() ?? [])];
    const res = (typeUrl, bytes) => anyJson(typeUrl, bytes);
    const staticClusters = (this.bootstrap.static_resources?.clusters ?? []).map((c) => ({ cluster: { '@type': T.cluster, ...c }, last_updated: started }));
    const staticListeners = (this.bootstrap.static_resources?.listeners ?? []).map((l) => ({ listener: { '@type': T.listener, ...l }, last_updated: started }));
    const listenerError = this.rejected.get(T.listener);
    const configs = [
      { '@type': `${ADMIN}BootstrapConfigDump`, bootstrap: this.bootstrap, last_updated: started },
      {
        '@type': `${ADMIN}ClustersConfigDump`,
        ...(this.versions.get(T.cluster) ? { version_info: this.versions.get(T.cluster) } : {}),
        static_clusters: staticClusters,
        dynamic_active_clusters: dyn(T.cluster).map(([, r]) => ({ version_info: r.version, cluster: res(T.cluster, r.bytes), last_updated: r.at })),
      },
      ...(includeEds ? [{
        '@type': `${ADMIN}EndpointsConfigDump`,
        dynamic_endpoint_configs: dyn(T.endpoint).map(([, r]) => ({ version_info: r.version, endpoint_config: res(T.endpoint, r.bytes), last_updated: r.at })),
      }] : []),
      {
        '@type': `${ADMIN}ListenersConfigDump`,
        ...(this.versions.get(T.listener) ? { version_info: this.versions.get(T.listener) } : {}),
        static_listeners: staticListeners,
        dynamic_listeners: [
          ...dyn(T.listener).map(([name, r]) => ({ name, active_state: { version_info: r.version, listener: res(T.listener, r.bytes), last_updated: r.at } })),
          ...(listenerError ? listenerError.anys.map((a) => ({
            name: this.nameOf(T.listener, a.value),
            error_state: { failed_configuration: res(T.listener, a.value), last_update_attempt: listenerError.at, details: listenerError.details },
          })) : []),
        ],
      },
      {
        '@type': `${ADMIN}RoutesConfigDump`,
        dynamic_route_configs: dyn(T.route).map(([, r]) => ({ version_info: r.version, route_config: res(T.route, r.bytes), last_updated: r.at })),
      },
      {
        '@type': `${ADMIN}SecretsConfigDump`,
        dynamic_active_secrets: dyn(T.secret).map(([name, r]) => ({ name, version_info: r.version, last_updated: r.at, secret: redacted(res(T.secret, r.bytes)) })),
      },
    ];
    return { configs };
  }

  /** envoy.admin.v3.Clusters (/clusters?format=json): every cluster with its EDS hosts. */
  clustersJson() {
    const assignments = new Map();
    for (const { bytes } of this.byType.get(T.endpoint)?.values() ?? []) {
      const cla = this.decode(T.endpoint, bytes);
      assignments.set(cla.cluster_name, cla);
    }
    const statuses = [];
    for (const c of this.bootstrap.static_resources?.clusters ?? []) statuses.push({ name: c.name, host_statuses: [] });
    for (const { bytes } of this.byType.get(T.cluster)?.values() ?? []) {
      const c = this.decode(T.cluster, bytes);
      const cla = assignments.get(c.eds_cluster_config?.service_name || c.name) ?? c.load_assignment;
      const hosts = [];
      for (const group of cla?.endpoints ?? []) {
        for (const lb of group.lb_endpoints ?? []) {
          const sa = lb.endpoint?.address?.socket_address;
          if (!sa) continue;
          const eds = configRoot().lookupEnum('envoy.config.core.v3.HealthStatus').valuesById[lb.health_status ?? 0] ?? 'UNKNOWN';
          hosts.push({
            address: { socket_address: { address: sa.address, port_value: sa.port_value } },
            health_status: { eds_health_status: eds === 'UNKNOWN' ? 'HEALTHY' : eds },
            weight: lb.load_balancing_weight?.value ?? 1,
            ...(group.locality ? { locality: toJson(configRoot().lookupType('envoy.config.core.v3.Locality'), group.locality) } : {}),
          });
        }
      }
      statuses.push({ name: c.name, added_via_api: true, host_statuses: hosts });
    }
    return { cluster_statuses: statuses };
  }
}

/** Envoy never prints key material: private keys become "[redacted]". */
function redacted(secret) {
  const pk = secret.tls_certificate?.private_key;
  if (pk) secret.tls_certificate.private_key = { inline_bytes: Buffer.from('[redacted]').toString('base64') };
  return secret;
}
