/**
 * The node id and metadata istiod sees, built once from the configuration (pure). The Envoy
 * bootstrap and the xDS proxy share this one source, so what Envoy sends and what vmlet checks
 * cannot disagree. Wire types follow istiod's `NodeMetadata` exactly (protocol facts §5.3):
 * StringBool fields are the strings "true"/"false", INSTANCE_IPS is one comma-separated string,
 * POD_PORTS is a JSON string, LABELS an object of strings, PROXY_CONFIG an object.
 */
import type { Config } from '../config/schema.js';
import { VmletError } from '../errors.js';
import './errors.js';

export interface NodeInfo {
  /** `sidecar~<ip>~<name>.<ns>~<domain>`. */
  readonly id: string;
  /** Envoy's service cluster (node.cluster). */
  readonly cluster: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly locality?: { readonly region?: string; readonly zone?: string; readonly subZone?: string };
}

/** Metadata keys istiod parses as StringBool: a JSON boolean there fails the whole stream. */
export const STRING_BOOL_KEYS = [
  'DNS_CAPTURE', 'DNS_AUTO_ALLOCATE', 'ENABLE_HBONE', 'EXIT_ON_ZERO_ACTIVE_CONNECTIONS',
  'HTTP10', 'DISABLE_ENVOY', 'ENVOY_SKIP_DEPRECATED_LOGS',
] as const;

/** What the host offers when the configuration names no address (edge code passes it in). */
export interface HostFacts {
  readonly hostname: string;
  /** Non-loopback addresses in the kernel's order. */
  readonly addresses: readonly string[];
}

const BOOL_TEXT = new Set(['true', 'false']);

function normaliseStringBool(value: string): string {
  const v = value.trim().toLowerCase();
  if (v === '1' || v === 'yes' || v === 'on') return 'true';
  if (v === '0' || v === 'no' || v === 'off' || v === '') return 'false';
  return BOOL_TEXT.has(v) ? v : value;
}

/**
 * Assembles metadata as pilot-agent does (§5.2): ProxyConfig.proxyMetadata ISTIO_META_* first,
 * then cluster.env's ISTIO_META_* (the process environment under istio-start.sh), then
 * ISTIO_METAJSON_* merged at the top level, then the computed keys.
 */
export function buildNode(config: Config, host: HostFacts): NodeInfo {
  const env = config.istio.clusterEnv;
  const proxyConfig = config.istio.proxyConfig;
  const proxyMetadata = (proxyConfig['proxyMetadata'] ?? {}) as Record<string, unknown>;
  const meta: Record<string, unknown> = {};

  const layers: Record<string, unknown>[] = [proxyMetadata, env];
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      if (k.startsWith('ISTIO_META_') && typeof v === 'string') meta[k.slice('ISTIO_META_'.length)] = v;
    }
  }
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      if (!k.startsWith('ISTIO_METAJSON_') || typeof v !== 'string') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(v);
      } catch {
        throw new VmletError('VMLET_NODE_METADATA_INVALID', `cluster.env or mesh.yaml proxyMetadata: ${k} is not valid JSON: quote it as istioctl does (${k}='{"key":"value"}')`, { details: { key: k } });
      }
      if (k === 'ISTIO_METAJSON_LABELS') {
        meta['LABELS'] = parsed;
        meta['STATIC_LABELS'] = parsed;
      } else if (parsed !== null && typeof parsed === 'object') {
        Object.assign(meta, parsed);
      }
    }
  }
  for (const key of STRING_BOOL_KEYS) {
    if (typeof meta[key] === 'string') meta[key] = normaliseStringBool(meta[key] as string);
  }

  const node = config.node;
  const ns = config.identity.namespace;
  const name = node.name ?? host.hostname.split('.')[0] ?? 'vm';
  const ips = dedupe([...(node.instanceIps ?? []), ...host.addresses]);
  const ip = ips[0];
  if (ip === undefined) throw new Error('no instance IP: set node.instanceIps (ISTIO_SVC_IP) or give the VM a non-loopback address');

  meta['NAME'] = name;
  meta['NAMESPACE'] = ns;
  meta['SERVICE_ACCOUNT'] = config.identity.serviceAccount;
  meta['INSTANCE_IPS'] = ips.join(',');
  meta['ISTIO_VERSION'] = node.istioVersion;
  meta['ENVOY_STATUS_PORT'] = 15021;
  meta['ENVOY_PROMETHEUS_PORT'] = 15090;
  meta['PROXY_CONFIG'] = { ...proxyConfig };
  if (typeof meta['INTERCEPTION_MODE'] !== 'string') meta['INTERCEPTION_MODE'] = 'REDIRECT';

  const domain = node.dnsDomain ?? `${ns}.svc.cluster.local`;
  const cluster = node.serviceCluster ?? `istio-proxy.${ns}`;
  return Object.freeze({ id: `sidecar~${ip}~${name}.${ns}~${domain}`, cluster, metadata: Object.freeze(meta) });
}

/** The VM's addresses from the node metadata (INSTANCE_IPS), routable first. */
export function instanceIpsOf(node: NodeInfo): string[] {
  const ips = node.metadata['INSTANCE_IPS'];
  return typeof ips === 'string' ? dedupe(ips.split(',')) : [];
}

function dedupe(list: readonly string[]): string[] {
  return [...new Set(list.map((s) => s.trim()).filter((s) => s.length > 0))];
}

/**
 * The checks istiod's ParseMetadata makes on the keys vmlet sends, as one problem list (empty =
 * valid). Used by tests and by the in-repo simulator, which rejects a stream as istiod would.
 */
export function checkNodeMetadata(meta: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const key of STRING_BOOL_KEYS) {
    const v = meta[key];
    if (v !== undefined && (typeof v !== 'string' || !BOOL_TEXT.has(v))) {
      problems.push(`${key}: ${JSON.stringify(v)} is not a StringBool ("true" or "false" as a string)`);
    }
  }
  const stringKeys = ['INSTANCE_IPS', 'NAMESPACE', 'SERVICE_ACCOUNT', 'CLUSTER_ID', 'MESH_ID', 'NETWORK', 'ISTIO_VERSION',
    'AUTO_REGISTER_GROUP', 'WORKLOAD_ENTRY', 'WORKLOAD_NAME', 'POD_PORTS', 'INTERCEPTION_MODE', 'NAME'];
  for (const key of stringKeys) {
    const v = meta[key];
    if (v !== undefined && typeof v !== 'string') problems.push(`${key}: ${JSON.stringify(v)} must be a string`);
  }
  if (typeof meta['POD_PORTS'] === 'string') {
    try {
      if (!Array.isArray(JSON.parse(meta['POD_PORTS']))) problems.push('POD_PORTS: the JSON string must hold an array');
    } catch {
      problems.push('POD_PORTS: is not a JSON string of ports');
    }
  }
  for (const key of ['LABELS', 'PROXY_CONFIG']) {
    const v = meta[key];
    if (v !== undefined && (v === null || typeof v !== 'object' || Array.isArray(v))) problems.push(`${key}: must be an object`);
  }
  const labels = meta['LABELS'];
  if (labels && typeof labels === 'object') {
    for (const [k, v] of Object.entries(labels)) if (typeof v !== 'string') problems.push(`LABELS.${k}: must be a string`);
  }
  return problems;
}
