/**
 * Reads /etc/vmlet/config.yaml: one mapping per section (`general:`, `identity:`, ...), one key
 * per field, names exactly as in docs/configuration.md. Unknown sections and keys are errors that
 * name the path and line (a typo must not silently fall back to a default). Values stay raw here;
 * the loader parses them with each field's own parser so YAML and text inputs share one rule.
 */
import type { Field, Section } from './field.js';
import { problem, type Problem } from './problems.js';
import { parseYaml, yamlKind } from './yaml-source.js';

export interface RawValue {
  readonly value: unknown;
  readonly line: number;
}

export interface ConfigFileResult {
  /** `section.key` -> raw YAML value and the line of its key. */
  readonly values: Map<string, RawValue>;
  readonly problems: Problem[];
}

type AnySection = Section<Record<string, Field<unknown>>>;

export function parseConfigFile(text: string, file: string, sections: readonly AnySection[]): ConfigFileResult {
  const values = new Map<string, RawValue>();
  if (text.trim() === '') return { values, problems: [] };
  const parsed = parseYaml(text, file);
  const source = parsed.source;
  if (source === undefined) return { values, problems: parsed.problems };
  const problems: Problem[] = [];
  const top = source.entries(source.root);
  if (top === undefined) {
    if (source.toJS(source.root) === null) return { values, problems };
    problems.push(problem('VMLET_CONFIG_YAML_SYNTAX', {
      file, line: source.lineOf(source.root) ?? 1,
      message: `is ${yamlKind(source.root)}, not a mapping of sections`,
      hint: 'start each section at column 1, e.g. `general:` then indented `statusPort: 15020`',
    }));
    return { values, problems };
  }
  const byName = new Map(sections.map((s) => [s.name, s]));
  const sectionNames = sections.map((s) => s.name).join(', ');
  for (const entry of top) {
    const section = byName.get(entry.key);
    if (section === undefined) {
      problems.push(problem('VMLET_CONFIG_UNKNOWN_KEY', {
        file, line: entry.line, key: entry.key,
        message: 'is not a configuration section',
        hint: `use one of: ${sectionNames}${suggest(entry.key, sections.map((s) => s.name))}`,
      }));
      continue;
    }
    if (entry.value === null || source.toJS(entry.value) === null) continue;
    const keys = source.entries(entry.value);
    if (keys === undefined) {
      problems.push(problem('VMLET_CONFIG_YAML_SYNTAX', {
        file, line: entry.line, key: entry.key,
        message: `is ${yamlKind(entry.value)}, not a mapping of keys`,
        hint: `indent the ${entry.key} keys under \`${entry.key}:\``,
      }));
      continue;
    }
    const fieldNames = Object.keys(section.fields);
    for (const k of keys) {
      const path = `${section.name}.${k.key}`;
      if (!Object.hasOwn(section.fields, k.key)) {
        problems.push(problem('VMLET_CONFIG_UNKNOWN_KEY', {
          file, line: k.line, key: path,
          message: `is not a key of section ${section.name}`,
          hint: fieldNames.length === 0
            ? `section ${section.name} has no keys yet; remove it`
            : `use one of: ${fieldNames.join(', ')}${suggest(k.key, fieldNames)}`,
        }));
        continue;
      }
      const value = source.toJS(k.value);
      if (value === null || value === undefined) {
        problems.push(problem('VMLET_CONFIG_BAD_VALUE', {
          file, line: k.line, key: path,
          message: 'has no value',
          hint: 'give a value, or delete the line to use the default',
        }));
        continue;
      }
      values.set(path, { value, line: k.line });
    }
  }
  return { values, problems };
}

/** " (did you mean X?)" for a near miss: same letters ignoring case, or one edit away. */
function suggest(name: string, candidates: readonly string[]): string {
  const lower = name.toLowerCase();
  const hit = candidates.find((c) => c.toLowerCase() === lower) ?? candidates.find((c) => editDistance(c.toLowerCase(), lower) <= 2);
  return hit === undefined ? '' : ` (did you mean ${hit}?)`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const cur = [i];
    for (let j = 1; j <= b.length; j += 1) {
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
