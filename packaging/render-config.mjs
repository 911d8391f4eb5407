// Renders /etc/vmlet/config.yaml, the conffile that documents every option with its default, from
// the config schema itself (src/config/schema.ts SECTIONS and the field descriptors of
// src/config/field.ts), so the file cannot drift from what the loader accepts. Every option is
// commented out: the shipped file changes nothing, and an operator uncomments what they set.
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const UNITS = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];

/** 90000 -> "1m30s": the Go-style duration the loader parses back to the same milliseconds. */
export function formatDuration(ms) {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of UNITS) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

function formatValue(field, value) {
  if (value === undefined) return undefined;
  if (field.kind === 'duration') return JSON.stringify(formatDuration(value));
  if (typeof value === 'string') return JSON.stringify(value);
  return JSON.stringify(value);
}

function sources(field) {
  const parts = [];
  if (field.env.length > 0) parts.push(`env ${field.env.join(', ')}`);
  if (field.clusterEnv.length > 0) parts.push(`cluster.env ${field.clusterEnv.join(', ')}`);
  if (field.mesh) parts.push(`mesh.yaml ${field.mesh}`);
  return parts;
}

/** The YAML text for a list of sections (pure: tests call it with their own sections). */
export function renderConfig(sections, version) {
  const lines = [
    `# /etc/vmlet/config.yaml: vmlet ${version} configuration.`,
    '#',
    '# Every option vmlet reads, with its default. Uncomment and change what you need; anything',
    '# left commented keeps its default. Precedence, highest first: command-line flags, environment,',
    '# this file, the Istio VM files (cluster.env, mesh.yaml), defaults.',
    '# Durations: "500ms", "30s", "5m", "1h30m". Check a change with: vmlet validate',
    '# Reference: /usr/share/doc/vmlet/configuration.md',
  ];
  for (const section of sections) {
    lines.push('', `# ${section.doc}`);
    const names = Object.keys(section.fields);
    lines.push(names.length === 0 ? `#${section.name}: {}   # no options yet` : `#${section.name}:`);
    for (const name of names) {
      const field = section.fields[name];
      const from = sources(field);
      lines.push(`#  # ${field.doc}${field.secret ? ' (secret: never printed)' : ''}`);
      if (field.values) lines.push(`#  # One of: ${field.values.join(', ')}.`);
      if (from.length > 0) lines.push(`#  # Also from: ${from.join('; ')}.`);
      if (field.defaultReason) lines.push(`#  # Default: ${field.defaultReason}`);
      const shown = formatValue(field, field.default);
      lines.push(shown === undefined ? `#  ${name}:   # unset by default` : `#  ${name}: ${shown}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Loads SECTIONS from the TypeScript source by bundling src/config/schema.ts to a temp module. */
export async function loadSections(repoRoot) {
  const dir = mkdtempSync(join(tmpdir(), 'vmlet-schema-'));
  try {
    const outfile = join(dir, 'schema.mjs');
    await build({
      entryPoints: [join(repoRoot, 'src/config/schema.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'warning',
      define: { VMLET_VERSION: '"0.0.0"' },
      banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
    });
    const mod = await import(pathToFileURL(outfile).href);
    return mod.SECTIONS;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function writeConfigFile(repoRoot, version, dest) {
  writeFileSync(dest, renderConfig(await loadSections(repoRoot), version), { mode: 0o644 });
}
