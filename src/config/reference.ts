/**
 * Renders the configuration reference (docs/configuration.md) and the annotated example
 * config.yaml (shipped as /etc/vmlet/config.yaml) from the section descriptors, so the docs cannot
 * drift from the code: a test compares docs/configuration.md with renderConfigurationDoc().
 * Regenerate with `npx tsx scripts/gen-config-docs.ts`. Pure: descriptors in, text out.
 */
import { stringify } from 'yaml';
import type { Field, Section } from './field.js';
import { ISTIOCTL_FILE_NAMES, STOCK_ISTIO_PATHS } from './istio-files.js';
import { DEFAULT_CONFIG_PATH } from './loader.js';
import { formatDuration } from './redact.js';

type AnySection = Section<Record<string, Field<unknown>>>;

const KIND_TEXT: Record<Field<unknown>['kind'], string> = {
  string: 'string', int: 'integer', number: 'number', bool: 'boolean', duration: 'duration', port: 'port (0-65535)',
  hostport: 'host:port', path: 'absolute path', enum: 'enum', stringList: 'list of strings', intList: 'list of integers',
  stringMap: 'map of strings', object: 'object',
};

function typeText(field: Field<unknown>): string {
  return field.kind === 'enum' ? (field.values ?? []).map((v) => `\`${v}\``).join(' | ') : KIND_TEXT[field.kind];
}

/** A default as a person writes it in config.yaml: durations as "5s", lists and maps as YAML flow. */
export function defaultText(field: Field<unknown>): string | undefined {
  const v = field.default;
  if (v === undefined) return undefined;
  if (field.secret) return '*****';
  if (field.kind === 'duration' && typeof v === 'number') return formatDuration(v);
  if (typeof v === 'string') return v === '' ? '""' : v;
  return JSON.stringify(v);
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const codes = (names: readonly string[]) => (names.length === 0 ? '' : names.map((n) => `\`${n}\``).join(', '));

export function renderConfigurationDoc(sections: readonly AnySection[]): string {
  const out: string[] = [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/sections/*.ts by `npx tsx scripts/gen-config-docs.ts`; do not edit by hand. -->',
    '',
    'Every key can be set in five places; for each key the first one that has it wins:',
    '',
    '1. **flags**: `--log-level`, `--log-format`, or any key with `--set section.key=value`;',
    '2. **environment**: the variables in the *environment* column (vmlet\'s own `VMLET_*` first, then Istio\'s names);',
    `3. **\`${DEFAULT_CONFIG_PATH}\`** (or \`--config FILE\`, or \`$VMLET_CONFIG\`): \`section:\` then \`key: value\`, names as below;`,
    '4. **Istio VM files** written by `istioctl x workload entry configure`: first `cluster.env` (the keys in the',
    '   *cluster.env* column, then the Istio names of the *environment* column, because istio-start.sh exports',
    '   cluster.env to pilot-agent), then `mesh.yaml` (the *mesh.yaml* path, inside the MeshConfig);',
    '   a `PROXY_CONFIG` ProxyConfig overlay (YAML or JSON, as pilot-agent reads it) is applied over',
    '   mesh.yaml: from cluster.env in this tier, from the process environment in the environment tier;',
    '5. the **default**.',
    '',
    '`vmlet validate --print` shows the effective value of every key and where it came from. Unknown keys,',
    'wrong types and contradictions are errors (exit 2), all reported at once with file, line and key.',
    'Secrets print as `*****` everywhere.',
    '',
    'Values: durations are written like `500ms`, `30s`, `5m`, `1h30m` (a bare number in YAML is seconds) and',
    'are milliseconds inside vmlet; booleans are `true`/`false`; lists are YAML lists or comma-separated text;',
    'an empty environment or cluster.env value counts as unset, except for string keys.',
    '',
    '## Istio VM files',
    '',
    'All five from one directory with `--istio-dir DIR` (or `$VMLET_ISTIO_DIR`) — istioctl\'s output directory,',
    'where every file must exist — or each from its stock VM location, where an absent file is not used.',
    '',
    '| file | stock location | what vmlet takes from it |',
    '|---|---|---|',
    `| \`${ISTIOCTL_FILE_NAMES.clusterEnv}\` | \`${STOCK_ISTIO_PATHS.clusterEnv}\` | \`KEY=value\` lines, shell-quoted as istioctl writes them; \`config.istio.clusterEnv\` and the keys below |`,
    `| \`${ISTIOCTL_FILE_NAMES.mesh}\` | \`${STOCK_ISTIO_PATHS.mesh}\` | \`defaultConfig\` (a ProxyConfig: discoveryAddress, proxyMetadata, readinessProbe, ...); \`config.istio.proxyConfig\` |`,
    `| \`${ISTIOCTL_FILE_NAMES.rootCert}\` | \`${STOCK_ISTIO_PATHS.rootCert}\` | the mesh root CA certificate(s); each must be a CA |`,
    `| \`${ISTIOCTL_FILE_NAMES.token}\` | \`${STOCK_ISTIO_PATHS.token}\` | the path only (the token is re-read when used, never kept); must not be empty |`,
    `| \`${ISTIOCTL_FILE_NAMES.hosts}\` | (appended to /etc/hosts) | \`IP name...\` lines; may be empty |`,
    '',
  ];
  for (const section of sections) {
    out.push(`## \`${section.name}\``, '', `${section.doc}.`, '');
    const fields = Object.entries(section.fields);
    if (fields.length === 0) {
      out.push('_No keys yet._', '');
      continue;
    }
    out.push('| key | type | default | environment | cluster.env | mesh.yaml | meaning |', '|---|---|---|---|---|---|---|');
    for (const [name, field] of fields) {
      const def = defaultText(field);
      const meaning = [field.doc, field.defaultReason ? `Default: ${field.defaultReason}.` : '', field.secret ? 'Secret: shown as `*****`.' : '', field.live ? 'Applied live on reload (SIGHUP).' : '']
        .filter((s) => s !== '').join(' ');
      out.push(`| \`${section.name}.${name}\` | ${cell(typeText(field))} | ${def === undefined ? '(unset)' : `\`${cell(def)}\``} | ${codes(field.env)} | ${codes(field.clusterEnv)} | ${field.mesh ? `\`${field.mesh}\`` : ''} | ${cell(meaning)} |`);
    }
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** An annotated config.yaml with every key commented out at its default, for /etc/vmlet/config.yaml. */
export function renderExampleConfigYaml(sections: readonly AnySection[]): string {
  const out: string[] = [
    '# vmlet configuration. Every key is optional; the commented value is the default.',
    '# Precedence: flags > environment > this file > Istio VM files (cluster.env, mesh.yaml) > defaults.',
    '# Check your changes with: vmlet validate --print',
    '# Reference: docs/configuration.md. Durations: 500ms, 30s, 5m, 1h30m.',
  ];
  for (const section of sections) {
    const fields = Object.entries(section.fields);
    if (fields.length === 0) continue;
    out.push('', `# ${section.doc}.`, `${section.name}:`);
    fields.forEach(([name, field], i) => {
      if (i > 0) out.push('');
      out.push(`  # ${field.doc}`);
      const from = [field.env.length ? `env ${field.env.join(', ')}` : '', field.clusterEnv.length ? `cluster.env ${field.clusterEnv.join(', ')}` : '', field.mesh ? `mesh.yaml ${field.mesh}` : '']
        .filter((s) => s !== '');
      if (field.defaultReason) out.push(`  # Default: ${field.defaultReason}.`);
      if (from.length) out.push(`  # Also from: ${from.join('; ')}.`);
      const def = field.default === undefined || field.secret ? undefined
        : field.kind === 'duration' ? formatDuration(field.default as number) : field.default;
      // An option with no default stays commented even when a reader uncomments the defaults.
      out.push(def === undefined ? `  # (no default) ${name}:` : `  # ${name}: ${stringify(def, { collectionStyle: 'flow', lineWidth: 0 }).trimEnd()}`);
    });
  }
  return `${out.join('\n')}\n`;
}
