/**
 * The exchange service's configuration (`vmlet onboard-server --config FILE`, a ConfigMap in the
 * cluster): one YAML file holds everything. This module owns the schema, the defaults (each with
 * its unit) and validation: input is unknown and narrowed, unknown keys are errors, every problem
 * is reported at once with file, key and line, and the result is frozen.
 */
import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { VmletError } from '../errors.js';
import { isOnboardProvider, type OnboardProvider } from '../onboard/protocol.js';
import type { TrustConfig } from './attest/types.js';
import './errors.js';

export interface Policy {
  readonly name: string;
  readonly provider: OnboardProvider;
  /** attribute -> allowed values (any of); every attribute listed must match. */
  readonly match: Readonly<Record<string, readonly string[]>>;
  readonly workloadGroup: { readonly namespace: string; readonly name: string };
  /** Distinct instances this policy onboards at most; undefined: no limit. */
  readonly maxVMs?: number;
}

export interface ServerConfig {
  /** host:port of the HTTPS service (default 0.0.0.0:15443; port 0: any free port, printed). */
  readonly listen: { readonly host: string; readonly port: number };
  /** host:port of the plain-HTTP /metrics (default 127.0.0.1:15444). */
  readonly metricsListen: { readonly host: string; readonly port: number };
  readonly tls: { readonly certFile: string; readonly keyFile: string };
  /** GCP tokens' required `aud` (required when trust.gcp is set); also this service's name in audit records. */
  readonly audience: string;
  /** Empty: the in-cluster service account. */
  readonly kubeconfig: string;
  /** Where istiod and its ConfigMaps live (default istio-system). */
  readonly istioNamespace: string;
  /** The ledger (nonces, replay cache, TOFU, VM counts). */
  readonly stateFile: string;
  /** Where join-token Secrets live (default vmlet-onboard). */
  readonly joinTokenNamespace: string;
  /** TokenRequest expirationSeconds (default 3600; at least 600, the apiserver's minimum). */
  readonly tokenLifetimeSeconds: number;
  /** The hosts file's text (what istioctl's --ingressIP would give); default empty. */
  readonly hosts: string;
  /** cluster.env's ISTIO_META_CLUSTER_ID; undefined: read from istio-sidecar-injector as istioctl does. */
  readonly clusterID?: string;
  readonly trust: TrustConfig;
  /** Tolerated clock difference for exp/iat checks, seconds (default 60). */
  readonly clockSkewSeconds: number;
  /** How long Kubernetes reads (WorkloadGroup, ConfigMaps) are reused, seconds (default 5; 0: never). */
  readonly readCacheSeconds: number;
  readonly policies: readonly Policy[];
}

/** The in-cluster Service's URL (deploy/onboard-server); GCP setups must set their own explicitly. */
export const DEFAULT_AUDIENCE = 'https://vmlet-onboard.vmlet-onboard.svc';

const TOP_KEYS = ['listen', 'metricsListen', 'tls', 'audience', 'kubeconfig', 'istioNamespace', 'stateFile', 'joinTokenNamespace', 'tokenLifetime', 'hosts', 'clusterID', 'trust', 'clockSkew', 'readCacheSeconds', 'policies'];

/** "1h", "30m", "90s", "1h30m", "500ms" or a number of seconds -> seconds. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value !== 'string') return undefined;
  const m = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(value.trim());
  if (m === null || value.trim() === '') return undefined;
  const [, h, min, s, ms] = m;
  return Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0) + Number(ms ?? 0) / 1000;
}

/** "host:port" or "[v6]:port" -> parts; undefined when malformed. */
export function parseHostPort(value: unknown): { host: string; port: number } | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(value);
  if (m === null) return undefined;
  const port = Number(m[3]);
  return port <= 65535 ? { host: (m[1] ?? m[2]) as string, port } : undefined;
}

class Problems {
  readonly list: string[] = [];
  constructor(private readonly file: string, private readonly doc: Document, private readonly lines: LineCounter) {}

  /** `file:line: key: message`, the line being where the key (or its nearest parent) is. */
  add(path: readonly (string | number)[], message: string): void {
    this.list.push(`${this.file}${this.lineOf(path)}: ${path.length > 0 ? `${formatPath(path)}: ` : ''}${message}`);
  }

  private lineOf(path: readonly (string | number)[]): string {
    for (let n = path.length; n >= 0; n--) {
      const node = path.length === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range !== undefined) return `:${this.lines.linePos(range[0]).line}`;
      if (n === 0) break;
    }
    return '';
  }
}

function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Reads and validates the file; throws VMLET_ONBOARD_SERVER_CONFIG_INVALID listing every problem. */
export function loadServerConfig(file: string): ServerConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new VmletError('VMLET_ONBOARD_SERVER_CONFIG_INVALID', `${file}: cannot read the configuration: ${(err as Error).message}; pass an existing file with --config`, { cause: err, details: { file } });
  }
  return parseServerConfig(text, file);
}

/** Validates YAML text (file names the source in messages). */
export function parseServerConfig(text: string, file: string): ServerConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0].line ?? lines.linePos(e.pos[0]).line;
    throw new VmletError('VMLET_ONBOARD_SERVER_CONFIG_INVALID', `${file}${line === undefined ? '' : `:${line}`}: not valid YAML: ${e.message.split('\n')[0]}`, { details: { file } });
  }
  const raw: unknown = doc.toJS();
  const p = new Problems(file, doc, lines);
  if (!isObject(raw)) {
    throw new VmletError('VMLET_ONBOARD_SERVER_CONFIG_INVALID', `${file}: the configuration must be a YAML mapping (listen, tls, audience, stateFile, policies, ...)`, { details: { file } });
  }
  for (const k of Object.keys(raw)) if (!TOP_KEYS.includes(k)) p.add([k], `unknown key; the keys are ${TOP_KEYS.join(', ')}`);

  const str = (path: (string | number)[], v: unknown, dflt?: string, opts: { nonEmpty?: boolean } = {}): string => {
    if (v === undefined || v === null) {
      if (dflt === undefined) { p.add(path, 'missing; it is required'); return ''; }
      return dflt;
    }
    if (typeof v !== 'string') { p.add(path, `must be a string (quote it), got ${JSON.stringify(v)}`); return dflt ?? ''; }
    if (opts.nonEmpty === true && v === '') p.add(path, 'must not be empty');
    return v;
  };
  const hostPort = (key: string, dflt: string) => {
    const v = raw[key] ?? dflt;
    const hp = parseHostPort(v);
    if (hp === undefined) p.add([key], `${JSON.stringify(v)} is not host:port (e.g. 0.0.0.0:15443, or port 0 for any free port)`);
    return hp ?? { host: '127.0.0.1', port: 0 };
  };
  const seconds = (key: string, dflt: number, min = 0): number => {
    if (raw[key] === undefined) return dflt;
    const s = parseDuration(raw[key]);
    if (s === undefined) { p.add([key], `${JSON.stringify(raw[key])} is not a duration (e.g. 1h, 30m, 600s)`); return dflt; }
    if (s < min) { p.add([key], `${JSON.stringify(raw[key])} is below the minimum of ${min} s`); return dflt; }
    return s;
  };

  const listen = hostPort('listen', '0.0.0.0:15443');
  const metricsListen = hostPort('metricsListen', '127.0.0.1:15444');
  let tls = { certFile: '', keyFile: '' };
  if (!isObject(raw.tls)) p.add(['tls'], 'missing or not a mapping; give {certFile, keyFile} (the service speaks HTTPS only)');
  else {
    for (const k of Object.keys(raw.tls)) if (k !== 'certFile' && k !== 'keyFile') p.add(['tls', k], 'unknown key; the keys are certFile, keyFile');
    tls = { certFile: str(['tls', 'certFile'], raw.tls.certFile, undefined, { nonEmpty: true }), keyFile: str(['tls', 'keyFile'], raw.tls.keyFile, undefined, { nonEmpty: true }) };
  }
  // Only GCP tokens carry an audience; without GCP it only names the service in audit records.
  const needsAudience = raw.trust !== null && typeof raw.trust === 'object' && (raw.trust as Record<string, unknown>).gcp !== undefined;
  const audience = str(['audience'], raw.audience, needsAudience ? undefined : DEFAULT_AUDIENCE, { nonEmpty: true });
  const kubeconfig = str(['kubeconfig'], raw.kubeconfig, '');
  const istioNamespace = str(['istioNamespace'], raw.istioNamespace, 'istio-system');
  const stateFile = str(['stateFile'], raw.stateFile, undefined, { nonEmpty: true });
  const joinTokenNamespace = str(['joinTokenNamespace'], raw.joinTokenNamespace, 'vmlet-onboard');
  for (const [k, v] of [['istioNamespace', istioNamespace], ['joinTokenNamespace', joinTokenNamespace]] as const) {
    if (v !== '' && !DNS_LABEL.test(v)) p.add([k], `${JSON.stringify(v)} is not a Kubernetes namespace name`);
  }
  const tokenLifetimeSeconds = seconds('tokenLifetime', 3600, 600);
  let hosts = str(['hosts'], raw.hosts, '');
  if (hosts !== '' && !hosts.endsWith('\n')) hosts += '\n';
  const clusterID = raw.clusterID === undefined ? undefined : str(['clusterID'], raw.clusterID);
  const clockSkewSeconds = seconds('clockSkew', 60);
  let readCacheSeconds = 5;
  if (raw.readCacheSeconds !== undefined) {
    if (typeof raw.readCacheSeconds !== 'number' || !(raw.readCacheSeconds >= 0)) p.add(['readCacheSeconds'], 'must be a number of seconds >= 0');
    else readCacheSeconds = raw.readCacheSeconds;
  }
  const trust = parseTrust(raw.trust, p, str);
  const policies = parsePolicies(raw.policies, p, doc, str);

  if (p.list.length > 0) {
    throw new VmletError('VMLET_ONBOARD_SERVER_CONFIG_INVALID', `${p.list.length === 1 ? p.list[0] : `${p.list.length} problems:\n  ${p.list.join('\n  ')}`}`, { details: { file, problems: p.list } });
  }
  return Object.freeze({ listen, metricsListen, tls, audience, kubeconfig, istioNamespace, stateFile, joinTokenNamespace, tokenLifetimeSeconds, hosts, ...(clusterID === undefined ? {} : { clusterID }), trust, clockSkewSeconds, readCacheSeconds, policies });
}

type Str = (path: (string | number)[], v: unknown, dflt?: string, opts?: { nonEmpty?: boolean }) => string;

function strList(path: (string | number)[], v: unknown, p: Problems): string[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && x !== '')) {
    p.add(path, 'must be a non-empty list of strings (quote numbers: "123456789012")');
    return [];
  }
  return v as string[];
}

function parseTrust(v: unknown, p: Problems, str: Str): TrustConfig {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) { p.add(['trust'], 'must be a mapping with aws, gcp and/or azure'); return {}; }
  const out: { -readonly [K in keyof TrustConfig]: TrustConfig[K] } = {};
  for (const k of Object.keys(v)) if (!['aws', 'gcp', 'azure'].includes(k)) p.add(['trust', k], 'unknown provider; use aws, gcp or azure');
  const section = (name: string, keys: string[]): Record<string, unknown> | undefined => {
    const s = v[name];
    if (s === undefined || s === null) return undefined;
    if (!isObject(s)) { p.add(['trust', name], 'must be a mapping'); return undefined; }
    for (const k of Object.keys(s)) if (!keys.includes(k)) p.add(['trust', name, k], `unknown key; the keys are ${keys.join(', ')}`);
    return s;
  };
  const aws = section('aws', ['certificates']);
  if (aws !== undefined) out.aws = { certificates: strList(['trust', 'aws', 'certificates'], aws.certificates, p) };
  const gcp = section('gcp', ['jwksFile', 'jwksUrl', 'issuer', 'maxAge']);
  if (gcp !== undefined) {
    const jwksFile = str(['trust', 'gcp', 'jwksFile'], gcp.jwksFile, '');
    const jwksUrl = str(['trust', 'gcp', 'jwksUrl'], gcp.jwksUrl, '');
    if (jwksFile === '' && jwksUrl === '') p.add(['trust', 'gcp'], 'needs jwksUrl (Google: https://www.googleapis.com/oauth2/v3/certs) or jwksFile');
    let maxAgeSeconds = 3600;
    if (gcp.maxAge !== undefined) {
      const s = parseDuration(gcp.maxAge);
      if (s === undefined || s <= 0) p.add(['trust', 'gcp', 'maxAge'], `${JSON.stringify(gcp.maxAge)} is not a positive duration (e.g. 1h)`);
      else maxAgeSeconds = s;
    }
    out.gcp = { ...(jwksFile === '' ? {} : { jwksFile }), ...(jwksUrl === '' ? {} : { jwksUrl }), issuer: str(['trust', 'gcp', 'issuer'], gcp.issuer, 'https://accounts.google.com'), maxAgeSeconds };
  }
  const azure = section('azure', ['roots', 'sanSuffixes', 'aiaHosts']);
  if (azure !== undefined) {
    out.azure = {
      roots: strList(['trust', 'azure', 'roots'], azure.roots, p),
      sanSuffixes: azure.sanSuffixes === undefined ? ['metadata.azure.com'] : strList(['trust', 'azure', 'sanSuffixes'], azure.sanSuffixes, p),
      ...(azure.aiaHosts === undefined ? {} : { aiaHosts: strList(['trust', 'azure', 'aiaHosts'], azure.aiaHosts, p) }),
    };
  }
  return out;
}

const POLICY_KEYS = ['name', 'provider', 'match', 'workloadGroup', 'maxVMs'];

function parsePolicies(v: unknown, p: Problems, doc: Document, str: Str): Policy[] {
  if (v === undefined || v === null) return []; // deny everything: valid, if useless
  if (!Array.isArray(v) || !isSeq(doc.get('policies', true))) { p.add(['policies'], 'must be a list of policies'); return []; }
  const names = new Set<string>();
  const out: Policy[] = [];
  v.forEach((item: unknown, i) => {
    const at = ['policies', i];
    if (!isObject(item) || !isMap(doc.getIn(at, true))) { p.add(at, 'must be a mapping {name, provider, match, workloadGroup, maxVMs}'); return; }
    for (const k of Object.keys(item)) if (!POLICY_KEYS.includes(k)) p.add([...at, k], `unknown key; the keys are ${POLICY_KEYS.join(', ')}`);
    const name = str([...at, 'name'], item.name, undefined, { nonEmpty: true });
    if (name !== '' && names.has(name)) p.add([...at, 'name'], `${JSON.stringify(name)} is used by an earlier policy; names key the VM counts, so they must be unique`);
    names.add(name);
    let provider: OnboardProvider = 'aws';
    if (!isOnboardProvider(item.provider)) p.add([...at, 'provider'], `${JSON.stringify(item.provider)}: use aws, gcp, azure or join-token`);
    else provider = item.provider;
    const match: Record<string, string[]> = {};
    if (item.match !== undefined && item.match !== null) {
      if (!isObject(item.match)) p.add([...at, 'match'], 'must be a mapping attribute -> list of allowed values');
      else {
        for (const [k, vals] of Object.entries(item.match)) {
          const list = typeof vals === 'string' ? [vals] : strList([...at, 'match', k], vals, p);
          match[k] = list;
        }
      }
    }
    if (provider !== 'join-token' && Object.keys(match).length === 0) {
      p.add([...at, 'match'], `a ${provider} policy needs at least one condition (e.g. accountId, project_id, subscriptionId): an empty match would admit every ${provider} VM anywhere`);
    }
    let workloadGroup = { namespace: '', name: '' };
    const wg = item.workloadGroup;
    if (!isObject(wg)) p.add([...at, 'workloadGroup'], 'missing; give {namespace, name} of the WorkloadGroup');
    else {
      for (const k of Object.keys(wg)) if (k !== 'namespace' && k !== 'name') p.add([...at, 'workloadGroup', k], 'unknown key; the keys are namespace, name');
      workloadGroup = { namespace: str([...at, 'workloadGroup', 'namespace'], wg.namespace, undefined, { nonEmpty: true }), name: str([...at, 'workloadGroup', 'name'], wg.name, undefined, { nonEmpty: true }) };
      if (workloadGroup.namespace !== '' && !DNS_LABEL.test(workloadGroup.namespace)) p.add([...at, 'workloadGroup', 'namespace'], `${JSON.stringify(workloadGroup.namespace)} is not a namespace name`);
    }
    let maxVMs: number | undefined;
    if (item.maxVMs !== undefined && item.maxVMs !== null) {
      if (typeof item.maxVMs !== 'number' || !Number.isInteger(item.maxVMs) || item.maxVMs < 0) p.add([...at, 'maxVMs'], `${JSON.stringify(item.maxVMs)} is not a whole number >= 0`);
      else maxVMs = item.maxVMs;
    }
    out.push({ name, provider, match, workloadGroup, ...(maxVMs === undefined ? {} : { maxVMs }) });
  });
  return out;
}
