/**
 * The configuration as it may be shown: `vmlet validate --print`, /debug/config and logs use
 * this and nothing else. Secret fields print as `*****`; so do cluster.env values and
 * proxyMetadata entries whose names look like credentials; the root certificate is summarised
 * and the token is only a path.
 */
import type { Field, Section } from './field.js';
import type { Config } from './schema.js';
import { SECTIONS } from './schema.js';

export const REDACTED = '*****';

type AnySection = Section<Record<string, Field<unknown>>>;

/** Names that carry credentials by convention (XDS_HEADER_authorization, *_TOKEN, *_PASSWORD, ...). */
const SECRET_NAME = /(TOKEN|SECRET|PASSW|CREDENTIAL|AUTHORIZATION|PRIVATE|API[-_]?KEY|COOKIE)/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

function redactMap(map: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(map)) out[k] = isSecretName(k) ? REDACTED : v;
  return out;
}

function redactProxyConfig(pc: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...pc };
  const meta = pc.proxyMetadata;
  if (meta !== null && typeof meta === 'object' && !Array.isArray(meta)) out.proxyMetadata = redactMap(meta as Record<string, unknown>);
  return out;
}

/** A plain, JSON-safe copy of the config with every secret replaced by `*****`. */
export function redactConfig(config: Config, sections: readonly AnySection[] = SECTIONS): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const all = config as unknown as Record<string, Record<string, unknown>>;
  for (const section of sections) {
    const values = all[section.name] ?? {};
    const shown: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(section.fields)) {
      const v = values[name];
      if (field.secret && v !== undefined) shown[name] = REDACTED;
      else if (field.kind === 'stringMap' && v !== undefined && v !== null) shown[name] = redactMap(v as Record<string, unknown>);
      else shown[name] = v;
    }
    out[section.name] = shown;
  }
  const istio = config.istio;
  out.istio = {
    dir: istio.dir,
    clusterEnvPath: istio.clusterEnvPath,
    clusterEnv: redactMap(istio.clusterEnv),
    meshPath: istio.meshPath,
    proxyConfig: redactProxyConfig(istio.proxyConfig),
    rootCertPath: istio.rootCertPath,
    rootCertPem: istio.rootCertPem === undefined ? undefined : `(${countCerts(istio.rootCertPem)} certificate(s), ${istio.rootCertPem.length} bytes)`,
    tokenPath: istio.tokenPath,
    hosts: istio.hosts,
  };
  return out;
}

function countCerts(pem: string): number {
  return (pem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
}

/** Formats one value for a line of `vmlet validate --print`. */
export function formatValue(field: Field<unknown>, value: unknown): string {
  if (value === undefined) return '(unset)';
  if (field.secret) return REDACTED;
  if (field.kind === 'duration' && typeof value === 'number') return formatDuration(value);
  if (field.kind === 'stringMap' && value !== null && typeof value === 'object') return JSON.stringify(redactMap(value as Record<string, unknown>));
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** 90000 -> "1m30s", 1500 -> "1.5s", 250 -> "250ms". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const units: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000]];
  let rest = ms;
  let out = '';
  for (const [unit, size] of units) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  if (rest > 0) out += `${rest / 1000}s`;
  return out;
}
