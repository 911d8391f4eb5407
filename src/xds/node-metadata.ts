/**
 * The node id and metadata istiod sees, built once from the configuration (pure). The Envoy
 * bootstrap and the xDS proxy share this one source, so what Envoy sends and what vmlet checks
 * cannot disagree. Wire types follow istiod's `NodeMetadata` exactly (protocol facts §5.3):
 * StringBool fields are the strings "true"/"false", INSTANCE_IPS is one comma-separated string,
 * POD_PORTS is a JSON string, LABELS an object of strings, PROXY_CONFIG an object.
 */
import { basename } from 'node:path';
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
  'HTTP10', 'DISABLE_ENVOY', 'ENVOY_SKIP_DEPRECATED_LOGS', 'METADATA_DISCOVERY',
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
      // Every ISTIO_METAJSON_* object is merged at the top level, the labels too (pilot-agent does
      // so whatever the name after the prefix): istiod matches an EnvoyFilter's
      // `match.proxy.metadata` against those raw top-level keys, so `app: x` must be there.
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(meta, parsed);
      if (k === 'ISTIO_METAJSON_LABELS') {
        meta['LABELS'] = parsed;
        meta['STATIC_LABELS'] = parsed;
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
  if (ip === undefined) throw new VmletError('VMLET_NODE_NO_INSTANCE_IP', 'no instance IP to register: this host has no non-loopback address; set ISTIO_SVC_IP in cluster.env (node.instanceIps) or give the VM an address', { details: { key: 'node.instanceIps' } });

  meta['NAME'] = name;
  meta['NAMESPACE'] = ns;
  meta['SERVICE_ACCOUNT'] = config.identity.serviceAccount;
  meta['INSTANCE_IPS'] = ips.join(',');
  meta['ISTIO_VERSION'] = node.istioVersion;
  meta['ENVOY_STATUS_PORT'] = config.envoy.statusPort;
  meta['ENVOY_PROMETHEUS_PORT'] = config.envoy.prometheusPort;
  const cluster = node.serviceCluster ?? `istio-proxy.${ns}`;
  meta['PROXY_CONFIG'] = effectiveProxyConfig(config, proxyConfig, cluster);
  // pilot-agent names the xDS server it expects when the control plane is reached over mTLS
  // (always, for vmlet): the host of the discovery address.
  const discovery = String((meta['PROXY_CONFIG'] as Record<string, unknown>)['discoveryAddress']);
  meta['PILOT_SAN'] = [discovery.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1')];
  if (typeof meta['POD_PORTS'] === 'string') meta['POD_PORTS'] = canonicalPodPorts(meta['POD_PORTS']);
  // As pilot-agent sends them (istio-start.sh exports cluster.env, where each can be set):
  // Envoy's peer metadata discovery follows PEER_METADATA_DISCOVERY, else ENABLE_HBONE; the SDS
  // socket's file name in the workload-spiffe-uds directory; deprecation logs skipped unless
  // ENVOY_SKIP_DEPRECATED_LOGS=false.
  const peerDiscovery = typeof env['PEER_METADATA_DISCOVERY'] === 'string' ? normaliseStringBool(env['PEER_METADATA_DISCOVERY']) : undefined;
  meta['METADATA_DISCOVERY'] = peerDiscovery === 'true' || peerDiscovery === 'false' ? peerDiscovery : meta['ENABLE_HBONE'] === 'true' ? 'true' : 'false';
  meta['WORKLOAD_IDENTITY_SOCKET_FILE'] = basename(config.sds.socketPath);
  const skipDeprecated = typeof env['ENVOY_SKIP_DEPRECATED_LOGS'] === 'string' ? normaliseStringBool(env['ENVOY_SKIP_DEPRECATED_LOGS']) : 'true';
  if (skipDeprecated === 'true') meta['ENVOY_SKIP_DEPRECATED_LOGS'] = 'true';
  else delete meta['ENVOY_SKIP_DEPRECATED_LOGS'];

  const domain = node.dnsDomain ?? `${ns}.svc.cluster.local`;
  return Object.freeze({ id: `sidecar~${ip}~${name}.${ns}~${domain}`, cluster, metadata: Object.freeze(meta) });
}

/** The VM's addresses from the node metadata (INSTANCE_IPS), routable first. */
export function instanceIpsOf(node: NodeInfo): string[] {
  const ips = node.metadata['INSTANCE_IPS'];
  return typeof ips === 'string' ? dedupe(ips.split(',')) : [];
}

/**
 * PROXY_CONFIG as pilot-agent sends it: the whole effective ProxyConfig, not only what mesh.yaml
 * says, since istiod reads this in place of its mesh-wide defaultConfig. Istio's defaults for the
 * fields mesh.yaml leaves out, with vmlet's own values where vmlet is what they describe (Envoy's
 * paths and admin port, the drain times, the agent's status port); mesh.yaml's own fields as given.
 */
function effectiveProxyConfig(config: Config, fromMesh: Readonly<Record<string, unknown>>, cluster: string): Record<string, unknown> {
  const seconds = (ms: number) => `${ms / 1000}s`;
  return {
    configPath: config.envoy.configDir,
    binaryPath: config.envoy.binaryPath,
    serviceCluster: cluster,
    drainDuration: seconds(config.envoy.drainTime),
    terminationDrainDuration: seconds(config.general.drainGrace),
    proxyAdminPort: config.envoy.adminPort,
    controlPlaneAuthPolicy: 'MUTUAL_TLS',
    discoveryAddress: config.istiod.caAddress,
    statNameLength: 189, // Istio's default; vmlet does not shorten stat names itself
    statusPort: config.general.statusPort,
    ...fromMesh,
  };
}

/**
 * POD_PORTS as istiod's PodPortList writes it back (pilot-agent parses and re-encodes it): each
 * port with `protocol` present, empty when unset. Text that is not such a list stays as given
 * (checkNodeMetadata reports it).
 */
function canonicalPodPorts(text: string): string {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    return text;
  }
  if (!Array.isArray(list) || !list.every((p) => p !== null && typeof p === 'object')) return text;
  return JSON.stringify(list.map((p: Record<string, unknown>) => ({
    ...(typeof p['name'] === 'string' && p['name'] !== '' ? { name: p['name'] } : {}),
    containerPort: p['containerPort'],
    protocol: typeof p['protocol'] === 'string' ? p['protocol'] : '',
  })));
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
