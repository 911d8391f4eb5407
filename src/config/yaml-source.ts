/**
 * YAML with line numbers, via the `yaml` package's document API: config.yaml and mesh.yaml
 * problems name the line of the key they are about. Pure: text in, tree and problems out.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { problem, type Problem } from './problems.js';

/** A mapping entry with the 1-based line of its key. */
export interface YamlEntry {
  readonly key: string;
  readonly line: number;
  readonly value: YamlNode | null;
}

export interface YamlSource {
  readonly file: string;
  /** The top-level node; null for an empty document. */
  readonly root: YamlNode | null;
  /** 1-based line of a node. */
  lineOf(node: YamlNode | null | undefined): number | undefined;
  /** The plain JS value of a node (maps -> objects, sequences -> arrays). */
  toJS(node: YamlNode | null): unknown;
  /** The entries of a mapping node with their key lines, or undefined when it is not a mapping. */
  entries(node: YamlNode | null): YamlEntry[] | undefined;
}

export function parseYaml(text: string, file: string): { source: YamlSource | undefined; problems: Problem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const problems: Problem[] = [];
  for (const err of doc.errors) {
    const line = err.linePos?.[0]?.line;
    const first = err.message.split('\n')[0] ?? err.message;
    problems.push(problem('VMLET_CONFIG_YAML_SYNTAX', {
      file,
      ...(line === undefined ? {} : { line }),
      message: `is not valid YAML: ${first.replace(/ at line \d+, column \d+:?$/, '')}`,
      hint: 'fix the YAML syntax (indent with spaces, `key: value`, one key per line)',
    }));
  }
  if (problems.length > 0) return { source: undefined, problems };
  // Parsing accepts what only resolving refuses: an alias with no anchor (`*a`), or aliases
  // multiplying into a huge value (the yaml package's resource-exhaustion guard). Resolve once
  // here, so every later toJS() of a node succeeds and such a file is a problem, not a crash.
  try {
    doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    problems.push(problem('VMLET_CONFIG_YAML_SYNTAX', {
      file,
      message: `is not valid YAML: ${why}`,
      hint: 'define each anchor (&name) before its alias (*name), and do not expand aliases into large values',
    }));
    return { source: undefined, problems };
  }
  const source: YamlSource = {
    file,
    root: (doc.contents as YamlNode | null) ?? null,
    lineOf: (node) => (node?.range ? lineCounter.linePos(node.range[0]).line : undefined),
    toJS: (node) => (node === null ? null : node.toJS(doc)),
    entries: (node) => {
      if (node === null || !isMap(node)) return undefined;
      return node.items.map((pair) => {
        const keyNode = pair.key as YamlNode | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const line = keyNode?.range ? lineCounter.linePos(keyNode.range[0]).line : 0;
        return { key, line, value: (pair.value as YamlNode | null) ?? null };
      });
    },
  };
  return { source, problems };
}

/** Describes a YAML node's type for "expected a mapping, got a list" messages. */
export function yamlKind(node: YamlNode | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return node.value === null ? 'null' : typeof node.value === 'string' ? 'a string' : `a ${typeof node.value}`;
  return 'something else';
}
