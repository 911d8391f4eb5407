/**
 * The onboarding bundle: the files `istioctl x workload entry configure` writes for a
 * WorkloadGroup (cluster.env, mesh.yaml, root-cert.pem, hosts), built from the same inputs it
 * reads. Pure: the Kubernetes reads happen in server.ts. Facts from istioctl/pkg/workload/workload.go
 * (Istio master of 2026-08-27), re-implemented:
 *
 * - mesh.yaml is `defaultConfig:` only: the mesh ConfigMap's defaultConfig, overlaid by the
 *   WorkloadGroup's `proxy.istio.io/config` annotations (metadata, then spec.metadata; fields
 *   replaced, proxyMetadata merged), readinessProbe = spec.probe, and proxyMetadata gaining
 *   CANONICAL_SERVICE/REVISION, POD_NAMESPACE, SERVICE_ACCOUNT, TRUST_DOMAIN (the mesh's
 *   trustDomain, empty when the ConfigMap has none), ISTIO_META_CLUSTER_ID, _MESH_ID, _NETWORK,
 *   _POD_PORTS, _WORKLOAD_NAME, ISTIO_METAJSON_LABELS, ISTIO_META_DNS_CAPTURE=true (istioctl's
 *   --capture-dns default) and ISTIO_META_AUTO_REGISTER_GROUP (as with --autoregister: onboarded
 *   VMs register themselves).
 * - cluster.env is that proxyMetadata plus ISTIO_INBOUND_PORTS, ISTIO_NAMESPACE, ISTIO_SERVICE,
 *   ISTIO_SERVICE_CIDR, ISTIO_LOCAL_EXCLUDE_PORTS, SERVICE_ACCOUNT; lines `KEY=value` sorted, the
 *   value quoted as Istio's shellescape.Quote does (its character class is written so that
 *   nearly every value gets single quotes; we match it byte for byte).
 * - Differences, on purpose: ISTIO_INBOUND_PORTS lists ports in port-name order (istioctl's order
 *   is Go map order, i.e. random); an empty serviceAccount is `default` (the API's meaning).
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { WorkloadGroup } from './kube.js';

export interface BundleInputs {
  readonly group: WorkloadGroup;
  /** Key `mesh` of the `istio` ConfigMap in the Istio namespace (YAML). */
  readonly meshConfig: string;
  /** Key `root-cert.pem` of `istio-ca-root-cert` in the group's namespace. */
  readonly rootCertPem: string;
  readonly clusterID: string;
  /** The hosts file's text (config `hosts`). */
  readonly hosts: string;
}

export interface BuiltBundle {
  readonly serviceAccount: string;
  readonly clusterEnv: string;
  readonly meshYaml: string;
  readonly rootCertPem: string;
  readonly hosts: string;
}

const PROXY_CONFIG_ANNOTATION = 'proxy.istio.io/config';
const NAME_LABELS = ['service.istio.io/canonical-name', 'app.kubernetes.io/name', 'app'];
const REVISION_LABELS = ['service.istio.io/canonical-revision', 'app.kubernetes.io/version', 'version'];

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Istio's shellescape.Quote: `''` for empty, else single-quoted unless every char is in [\\w@%+=:,./-] taken literally. */
export function shellQuote(s: string): string {
  if (s === '') return "''";
  if (/[^\\w@%+=:,./-]/.test(s)) return `'${s.replaceAll("'", `'"'"'`)}'`;
  return s;
}

/** JSON as Go's encoding/json writes a map[string]string: keys sorted, <, >, & and U+2028/9 escaped. */
export function goJson(value: unknown): string {
  const sortKeys = (v: unknown): unknown => (Array.isArray(v) ? v.map(sortKeys) : isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])])) : v);
  return JSON.stringify(sortKeys(value)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A message as istioctl writes it (proto3 JSON through protomarshal): fields holding their zero
 * value (0, "", false, empty list) are left out, so a WorkloadGroup probe stored with
 * `initialDelaySeconds: 0` comes out without it.
 */
function withoutZeroFields(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutZeroFields);
  if (!isObject(v)) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === 0 || x === '' || x === false || x === null || (Array.isArray(x) && x.length === 0)) continue;
    out[k] = withoutZeroFields(x);
  }
  return out;
}

function lookup(labels: Record<string, string>, keys: readonly string[]): string | undefined {
  for (const k of keys) if (Object.hasOwn(labels, k)) return labels[k];
  return undefined;
}

function overlay(dc: Json, text: string, where: string): void {
  const over: unknown = parseYaml(text);
  if (over === null || over === undefined) return;
  if (!isObject(over)) throw new Error(`${where}: annotation ${PROXY_CONFIG_ANNOTATION} is not a ProxyConfig mapping`);
  const merged = { ...(isObject(dc.proxyMetadata) ? dc.proxyMetadata : {}), ...(isObject(over.proxyMetadata) ? over.proxyMetadata : {}) };
  Object.assign(dc, over);
  dc.proxyMetadata = merged;
}

export function buildBundle(inp: BundleInputs): BuiltBundle {
  const wg = inp.group;
  const ns = wg.metadata.namespace;
  const name = wg.metadata.name;
  const where = `WorkloadGroup ${ns}/${name}`;
  const mesh: unknown = inp.meshConfig.trim() === '' ? {} : parseYaml(inp.meshConfig);
  if (!isObject(mesh)) throw new Error('ConfigMap istio: key mesh is not a MeshConfig mapping');
  const dc: Json = isObject(mesh.defaultConfig) ? structuredClone(mesh.defaultConfig) : {};
  dc.proxyMetadata = isObject(dc.proxyMetadata) ? { ...dc.proxyMetadata } : {};
  for (const annotations of [wg.metadata.annotations, wg.spec.metadata?.annotations]) {
    const text = annotations?.[PROXY_CONFIG_ANNOTATION];
    if (text !== undefined) overlay(dc, text, where);
  }
  const template = wg.spec.template ?? {};
  const serviceAccount = template.serviceAccount !== undefined && template.serviceAccount !== '' ? template.serviceAccount : 'default';
  const labels: Record<string, string> = { ...(wg.spec.metadata?.labels ?? {}), ...(template.labels ?? {}) };
  if (wg.spec.probe === undefined || wg.spec.probe === null) delete dc.readinessProbe;
  else dc.readinessProbe = withoutZeroFields(wg.spec.probe);

  const md = dc.proxyMetadata as Record<string, string>;
  md.CANONICAL_SERVICE = lookup(labels, NAME_LABELS) ?? name;
  md.CANONICAL_REVISION = lookup(labels, REVISION_LABELS) ?? 'latest';
  md.POD_NAMESPACE = ns;
  md.SERVICE_ACCOUNT = serviceAccount;
  md.TRUST_DOMAIN = typeof mesh.trustDomain === 'string' ? mesh.trustDomain : '';
  md.ISTIO_META_CLUSTER_ID = inp.clusterID;
  md.ISTIO_META_MESH_ID = typeof dc.meshId === 'string' ? dc.meshId : '';
  md.ISTIO_META_NETWORK = template.network ?? '';
  const ports = Object.entries(template.ports ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // Go's model.PodPort in field order: name (omitempty), containerPort, protocol (always, empty).
  if (ports.length > 0) md.ISTIO_META_POD_PORTS = `[${ports.map(([n, p]) => `{${n === '' ? '' : `"name":${goJson(n)},`}"containerPort":${p},"protocol":""}`).join(',')}]`;
  md.ISTIO_META_WORKLOAD_NAME = name;
  labels['service.istio.io/canonical-name'] = md.CANONICAL_SERVICE;
  labels['service.istio.io/canonical-revision'] = md.CANONICAL_REVISION;
  md.ISTIO_METAJSON_LABELS = goJson(labels);
  md.ISTIO_META_DNS_CAPTURE = 'true';
  md.ISTIO_META_AUTO_REGISTER_GROUP = name;

  const statusPort = typeof dc.statusPort === 'number' ? dc.statusPort : 0;
  let exclude = '22,15090,15021';
  if (statusPort !== 15090 && statusPort !== 15021) exclude += statusPort !== 0 ? `,${statusPort}` : ',15020';
  const env: Record<string, string> = {
    ...Object.fromEntries(Object.entries(md).map(([k, v]) => [k, String(v)])),
    ISTIO_INBOUND_PORTS: ports.length > 0 ? ports.map(([, p]) => String(p)).join(',') : '*',
    ISTIO_NAMESPACE: ns,
    ISTIO_SERVICE: `${name}.${ns}`,
    ISTIO_SERVICE_CIDR: '*',
    ISTIO_LOCAL_EXCLUDE_PORTS: exclude,
    SERVICE_ACCOUNT: serviceAccount,
  };
  const lines = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  return {
    serviceAccount,
    clusterEnv: `${lines.join('\n')}\n`,
    meshYaml: stringifyYaml({ defaultConfig: dc }, { sortMapEntries: true }),
    rootCertPem: inp.rootCertPem,
    hosts: inp.hosts,
  };
}
