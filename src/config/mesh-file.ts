/**
 * Reads mesh.yaml as istioctl writes it: a MeshConfig holding only `defaultConfig:` (a
 * ProxyConfig in proto3 JSON names: discoveryAddress, proxyMetadata, readinessProbe, ...).
 * An empty file is valid (the Istio package's postinst touches an empty mesh file). Other
 * MeshConfig keys are mesh-wide settings a VM agent does not use: a warning, not an error.
 *
 * Pure: text in, ProxyConfig, a line-aware lookup and problems out.
 */
import type { Node as YamlNode } from 'yaml';
import { parseHostPort } from './field.js';
import { problem, type Problem } from './problems.js';
import { parseYaml, yamlKind, type YamlSource } from './yaml-source.js';

export interface MeshValue {
  readonly value: unknown;
  readonly line: number | undefined;
}

export interface MeshResult {
  readonly proxyConfig: Record<string, unknown>;
  /** Finds a dotted path (`defaultConfig.discoveryAddress`) with its line; undefined when absent. */
  lookup(path: string): MeshValue | undefined;
  readonly problems: Problem[];
}

const EMPTY: MeshResult['lookup'] = () => undefined;

export function parseMesh(text: string, file: string): MeshResult {
  if (text.trim() === '') return { proxyConfig: {}, lookup: EMPTY, problems: [] };
  const parsed = parseYaml(text, file);
  const source = parsed.source;
  if (source === undefined) return { proxyConfig: {}, lookup: EMPTY, problems: parsed.problems };
  const problems: Problem[] = [];
  const top = source.entries(source.root);
  if (top === undefined) {
    problems.push(problem('VMLET_CONFIG_YAML_SYNTAX', {
      file, line: source.lineOf(source.root) ?? 1,
      message: `is ${yamlKind(source.root)}, not a MeshConfig mapping`,
      hint: 'write `defaultConfig:` followed by the ProxyConfig, as istioctl x workload entry configure does',
    }));
    return { proxyConfig: {}, lookup: EMPTY, problems };
  }
  let proxyConfig: Record<string, unknown> = {};
  for (const entry of top) {
    if (entry.key !== 'defaultConfig') {
      problems.push(problem('VMLET_CONFIG_UNKNOWN_KEY', {
        severity: 'warning', file, line: entry.line, key: entry.key,
        message: 'is a mesh-wide MeshConfig setting that vmlet ignores',
        hint: 'remove it, or move proxy settings under defaultConfig',
      }));
      continue;
    }
    if (entry.value === null || source.entries(entry.value) === undefined) {
      if (entry.value !== null && source.toJS(entry.value) !== null) {
        problems.push(problem('VMLET_CONFIG_YAML_SYNTAX', {
          file, line: entry.line, key: 'defaultConfig',
          message: `is ${yamlKind(entry.value)}, not a mapping`,
          hint: 'indent the ProxyConfig fields under defaultConfig:',
        }));
      }
      continue;
    }
    proxyConfig = source.toJS(entry.value) as Record<string, unknown>;
  }
  const lookup: MeshResult['lookup'] = (path) => lookupPath(source, path);
  // istioctl writes discoveryAddress for revisioned control planes; whoever consumes it, a value
  // that is not host:port is a syntax error of this file.
  const discovery = lookup('defaultConfig.discoveryAddress');
  if (discovery !== undefined) {
    const hp = parseHostPort(discovery.value);
    if (!hp.ok) {
      problems.push(problem('VMLET_CONFIG_BAD_VALUE', {
        file, ...(discovery.line === undefined ? {} : { line: discovery.line }), key: 'defaultConfig.discoveryAddress',
        message: hp.why, hint: 'write it as host:port, e.g. istiod.istio-system.svc:15012',
      }));
    }
  }
  return { proxyConfig, lookup, problems };
}

function lookupPath(source: YamlSource, path: string): MeshValue | undefined {
  let node: YamlNode | null = source.root;
  let line: number | undefined;
  for (const part of path.split('.')) {
    const entry = source.entries(node)?.find((e) => e.key === part);
    if (entry === undefined) return undefined;
    node = entry.value;
    line = entry.line;
  }
  const value = source.toJS(node);
  return value === null || value === undefined ? undefined : { value, line };
}
