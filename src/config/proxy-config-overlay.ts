/**
 * PROXY_CONFIG: a ProxyConfig in YAML or JSON that pilot-agent applies over mesh.yaml's
 * defaultConfig (istio-start.sh and sidecar.env users set it; Istio's `ApplyProxyConfig`).
 * Top-level fields replace, except proxyMetadata, which is merged key by key, as Istio does.
 * vmlet reads it from cluster.env (Istio VM files tier) and from the process environment
 * (environment tier). Pure.
 */
import { parse } from 'yaml';
import { problem, type Problem } from './problems.js';

export interface OverlayWhere {
  readonly file?: string;
  readonly line?: number;
  /** How to name it in a message: `PROXY_CONFIG` or `environment PROXY_CONFIG`. */
  readonly key: string;
}

export function parseProxyConfigOverlay(text: string, where: OverlayWhere): { overlay?: Record<string, unknown>; problems: Problem[] } {
  if (text.trim() === '') return { problems: [] };
  let value: unknown;
  try {
    value = parse(text);
  } catch (err) {
    const why = ((err as Error).message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    return { problems: [bad(where, `is not valid YAML or JSON: ${why}`)] };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { problems: [bad(where, 'is not a ProxyConfig mapping')] };
  }
  return { overlay: value as Record<string, unknown>, problems: [] };
}

function bad(where: OverlayWhere, message: string): Problem {
  return problem('VMLET_CONFIG_BAD_VALUE', {
    ...(where.file === undefined ? {} : { file: where.file }),
    ...(where.line === undefined ? {} : { line: where.line }),
    key: where.key, message,
    hint: "write a ProxyConfig as YAML or JSON, e.g. PROXY_CONFIG='{\"discoveryAddress\":\"istiod.istio-system.svc:15012\"}'",
  });
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Applies overlays in order over `base` (a ProxyConfig); returns a new object. */
export function mergeProxyConfig(base: Readonly<Record<string, unknown>>, ...overlays: (Record<string, unknown> | undefined)[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const overlay of overlays) {
    if (overlay === undefined) continue;
    for (const [k, v] of Object.entries(overlay)) {
      out[k] = k === 'proxyMetadata' && isMap(out[k]) && isMap(v) ? { ...out[k], ...v } : v;
    }
  }
  return out;
}

/** Finds `defaultConfig.a.b` inside an overlay (which is itself the defaultConfig). */
export function lookupOverlay(overlay: Record<string, unknown> | undefined, meshPath: string): unknown {
  if (overlay === undefined || !meshPath.startsWith('defaultConfig.')) return undefined;
  let node: unknown = overlay;
  for (const part of meshPath.slice('defaultConfig.'.length).split('.')) {
    if (!isMap(node)) return undefined;
    node = node[part];
  }
  return node === null ? undefined : node;
}
