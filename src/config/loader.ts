/**
 * The one loader `vmlet run`, `vmlet validate` and SIGHUP reloads share. For every field of every
 * section it takes the first value present in: flags > environment > /etc/vmlet/config.yaml >
 * Istio VM files (cluster.env, then mesh.yaml) > default, parses it with the field's own parser,
 * records where it came from, runs each section's cross-field check, and freezes the result.
 * Every problem is collected before returning; the caller decides to stop (exit 2) when any is
 * an error. It reads files and never writes one.
 *
 * cluster.env is sourced by istio-start.sh with `set -a`, so in Istio its keys are environment
 * variables of pilot-agent. vmlet keeps the tiers apart: the real process environment is
 * "environment", cluster.env is "Istio VM files"; in cluster.env a field is looked up by its
 * `clusterEnv` keys and then by its Istio (non-VMLET_) environment names. A field's mesh.yaml
 * path is also looked up in PROXY_CONFIG (a ProxyConfig overlay, as pilot-agent applies it):
 * the process's PROXY_CONFIG is environment, cluster.env's sits between cluster.env keys and
 * mesh.yaml.
 */
import type { Field, Section } from './field.js';
import type { Config } from './schema.js';
import { SECTIONS } from './schema.js';
import { parseConfigFile, type RawValue } from './config-file.js';
import { diskReader, readerFromFunction, type FileReader } from './file-reader.js';
import { readIstioFiles } from './istio-files.js';
import { hasErrors, problem, problemsError, type Problem } from './problems.js';
import { deepFreeze } from './freeze.js';
import { lookupOverlay, mergeProxyConfig, parseProxyConfigOverlay } from './proxy-config-overlay.js';

export const DEFAULT_CONFIG_PATH = '/etc/vmlet/config.yaml';

type AnySection = Section<Record<string, Field<unknown>>>;

/** 'flag' | 'env:NAME' | 'config.yaml:line N' | 'cluster.env:KEY' | 'mesh.yaml:path' | 'default'. */
export type Source = string;

export interface LoadInput {
  /** Values from the command line, by dotted key (`general.logLevel`); args.ts maps flags to keys. */
  readonly flags?: Readonly<Record<string, unknown>>;
  /** The process environment (pass `process.env`); nothing else reads it. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** --config; else VMLET_CONFIG; else /etc/vmlet/config.yaml (which may be absent). */
  readonly configPath?: string;
  /** --istio-dir; else VMLET_ISTIO_DIR; else the stock VM locations. */
  readonly istioDir?: string;
  /** Reads a file as UTF-8, throwing an errno error; for tests. Defaults to the disk. */
  readonly readFile?: (path: string) => string;
  /** A full reader (takes precedence over readFile). */
  readonly reader?: FileReader;
  /** The sections to resolve; defaults to SECTIONS (tests pass their own). */
  readonly sections?: readonly AnySection[];
}

export interface LoadResult {
  /** Frozen. Complete even when there are problems (bad values fall back to defaults). */
  readonly config: Config;
  /** `section.key` -> where its value came from. */
  readonly sources: Readonly<Record<string, Source>>;
  /** Every problem found, errors and warnings. */
  readonly problems: readonly Problem[];
  /** The config.yaml path considered, and whether it was read. */
  readonly configFile: { readonly path: string; readonly read: boolean };
}

interface Candidate {
  readonly raw: unknown;
  readonly origin: 'text' | 'yaml';
  readonly source: Source;
  readonly file?: string;
  readonly line?: number;
  /** What to call the value in a message. */
  readonly label: string;
}

export function loadConfig(input: LoadInput = {}): LoadResult {
  const env = input.env ?? {};
  const sections = input.sections ?? SECTIONS;
  const reader = input.reader ?? (input.readFile ? readerFromFunction(input.readFile) : diskReader);
  const problems: Problem[] = [];

  const explicitConfig = input.configPath ?? nonEmpty(env.VMLET_CONFIG);
  const configPath = explicitConfig ?? DEFAULT_CONFIG_PATH;
  let yamlValues = new Map<string, RawValue>();
  const configText = reader.read(configPath);
  if (configText.ok) {
    const parsed = parseConfigFile(configText.text, configPath, sections);
    yamlValues = parsed.values;
    problems.push(...parsed.problems);
  } else if (!configText.missing || explicitConfig !== undefined) {
    problems.push(problem(configText.missing ? 'VMLET_CONFIG_FILE_MISSING' : 'VMLET_CONFIG_FILE_UNREADABLE', {
      file: configPath, message: configText.why,
      hint: explicitConfig === undefined ? 'fix its permissions (vmlet reads it as root)' : 'check the path given with --config or VMLET_CONFIG',
    }));
  }

  const files = readIstioFiles(reader, input.istioDir ?? nonEmpty(env.VMLET_ISTIO_DIR));
  problems.push(...files.problems);
  // pilot-agent applies PROXY_CONFIG over mesh.yaml; so does vmlet, cluster.env's then the process's.
  const envOverlay = env.PROXY_CONFIG === undefined ? { problems: [] } : parseProxyConfigOverlay(env.PROXY_CONFIG, { key: 'environment PROXY_CONFIG' });
  problems.push(...envOverlay.problems);
  const istio = {
    ...files,
    envOverlay: envOverlay.overlay,
    inputs: { ...files.inputs, proxyConfig: mergeProxyConfig(files.inputs.proxyConfig, files.proxyConfigOverlay, envOverlay.overlay) },
  };

  const flags = input.flags ?? {};
  const known = new Set(sections.flatMap((s) => Object.keys(s.fields).map((k) => `${s.name}.${k}`)));
  for (const key of Object.keys(flags)) {
    if (!known.has(key)) {
      problems.push(problem('VMLET_CONFIG_UNKNOWN_KEY', { key, message: 'given on the command line is not a configuration key', hint: 'see docs/configuration.md for the keys' }));
    }
  }

  const sources: Record<string, Source> = {};
  const where: Record<string, Candidate | undefined> = {};
  const values: Record<string, Record<string, unknown>> = {};
  for (const section of sections) {
    const out: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(section.fields)) {
      const key = `${section.name}.${name}`;
      const candidate = firstCandidate(key, field, flags, env, yamlValues, configPath, istio);
      let value = field.default;
      let source: Source = 'default';
      if (candidate !== undefined) {
        const parsed = field.parse(candidate.raw, candidate.origin);
        if (parsed.ok) {
          value = parsed.value;
          source = candidate.source;
          where[key] = candidate;
        } else {
          problems.push(problem('VMLET_CONFIG_BAD_VALUE', {
            ...(candidate.file === undefined ? {} : { file: candidate.file }),
            ...(candidate.line === undefined ? {} : { line: candidate.line }),
            key: candidate.label === key ? key : `${key} (from ${candidate.label})`,
            message: field.secret ? 'is not valid (value hidden: secret)' : parsed.why,
            hint: hintFor(field),
          }));
        }
      }
      out[name] = value;
      sources[key] = source;
    }
    values[section.name] = out;
  }

  // A secret in a file others can read is not a secret: say so (a warning; the operator decides).
  const secretsFromFile = Object.entries(where).filter(([key, c]) => c?.file === configPath && fieldOf(sections, key)?.secret === true);
  const mode = reader.mode?.(configPath);
  if (secretsFromFile.length > 0 && mode !== undefined && (mode & 0o077) !== 0) {
    problems.push(problem('VMLET_CONFIG_SECRET_READABLE', {
      severity: 'warning', file: configPath,
      key: secretsFromFile.map(([key]) => key).join(', '),
      message: `holds a secret but its mode is 0${mode.toString(8)} (readable by others than its owner)`,
      hint: `chmod 0600 ${configPath}, or give the secret through the environment`,
    }));
  }

  // With onboarding configured, `vmlet run` writes the Istio VM files itself before it reads them
  // again: until it has, a missing one is expected, not an error (src/onboard/agent).
  const provider = values.onboarding?.provider;
  if (typeof provider === 'string' && provider !== 'none') {
    const expected = new Set(files.problems.filter((p) => p.code === 'VMLET_CONFIG_FILE_MISSING'));
    problems.splice(0, problems.length, ...problems.map((p) => (expected.has(p) && p.severity === 'error'
      ? problem('VMLET_CONFIG_FILE_MISSING', { ...p, severity: 'warning', hint: `onboarding (provider ${provider}) writes it when this VM has no valid certificate and token` })
      : p)));
  }

  for (const section of sections) {
    if (!section.check) continue;
    for (const p of section.check(values[section.name] as never, { ...values, istio: istio.inputs as unknown as Record<string, unknown> })) {
      const key = `${section.name}.${p.key}`;
      const c = where[key];
      problems.push(problem('VMLET_CONFIG_CONFLICT', {
        ...(c?.file === undefined ? {} : { file: c.file }),
        ...(c?.line === undefined ? {} : { line: c.line }),
        key: c === undefined || c.label === key ? key : `${key} (from ${c.label})`,
        message: p.message, hint: p.hint,
      }));
    }
  }

  const config = deepFreeze({ istio: istio.inputs, ...values }) as unknown as Config;
  // A file-level check and a field may find the same bad value (mesh.yaml discoveryAddress): say it once.
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const id = p.file !== undefined && p.line !== undefined
      ? `${p.code} ${p.file}:${p.line} ${p.message}`
      : `${p.code} ${p.file ?? ''} ${p.key ?? ''} ${p.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  return Object.freeze({
    config,
    sources: Object.freeze(sources),
    problems: Object.freeze(unique),
    configFile: Object.freeze({ path: configPath, read: configText.ok }),
  });
}

function firstCandidate(
  key: string,
  field: Field<unknown>,
  flags: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
  yaml: Map<string, RawValue>,
  configPath: string,
  istio: ReturnType<typeof readIstioFiles> & { envOverlay: Record<string, unknown> | undefined },
): Candidate | undefined {
  if (Object.hasOwn(flags, key) && flags[key] !== undefined) return { raw: flags[key], origin: 'text', source: 'flag', label: `flag ${key}` };
  for (const name of field.env) {
    const v = env[name];
    if (v !== undefined && (v !== '' || field.kind === 'string')) return { raw: v, origin: 'text', source: `env:${name}`, label: `environment ${name}` };
  }
  const fromEnvOverlay = field.mesh === undefined ? undefined : lookupOverlay(istio.envOverlay, field.mesh);
  if (fromEnvOverlay !== undefined) {
    return { raw: fromEnvOverlay, origin: 'yaml', source: 'env:PROXY_CONFIG', label: `environment PROXY_CONFIG ${field.mesh}` };
  }
  const y = yaml.get(key);
  if (y !== undefined) {
    return { raw: y.value, origin: 'yaml', source: `config.yaml:line ${y.line}`, file: configPath, line: y.line, label: key };
  }
  const envNames = [...field.clusterEnv, ...field.env.filter((n) => !n.startsWith('VMLET_'))];
  for (const name of envNames) {
    const v = istio.inputs.clusterEnv[name];
    if (v !== undefined && (v !== '' || field.kind === 'string')) {
      return {
        raw: v, origin: 'text', source: `cluster.env:${name}`, label: `cluster.env ${name}`,
        ...(istio.inputs.clusterEnvPath === undefined ? {} : { file: istio.inputs.clusterEnvPath }),
        ...(istio.clusterEnvLines[name] === undefined ? {} : { line: istio.clusterEnvLines[name] }),
      };
    }
  }
  const fromEnvFileOverlay = field.mesh === undefined ? undefined : lookupOverlay(istio.proxyConfigOverlay, field.mesh);
  if (fromEnvFileOverlay !== undefined) {
    return {
      raw: fromEnvFileOverlay, origin: 'yaml', source: 'cluster.env:PROXY_CONFIG', label: `cluster.env PROXY_CONFIG ${field.mesh}`,
      ...(istio.inputs.clusterEnvPath === undefined ? {} : { file: istio.inputs.clusterEnvPath }),
      ...(istio.clusterEnvLines.PROXY_CONFIG === undefined ? {} : { line: istio.clusterEnvLines.PROXY_CONFIG }),
    };
  }
  if (field.mesh !== undefined) {
    const m = istio.mesh(field.mesh);
    if (m !== undefined) {
      return {
        raw: m.value, origin: 'yaml', source: `mesh.yaml:${field.mesh}`, label: `mesh.yaml ${field.mesh}`,
        ...(istio.inputs.meshPath === undefined ? {} : { file: istio.inputs.meshPath }),
        ...(m.line === undefined ? {} : { line: m.line }),
      };
    }
  }
  return undefined;
}

/** What to do about a value the field's parser refused. */
export function hintFor(field: Field<unknown>): string {
  switch (field.kind) {
    case 'port': return 'use a port number between 1 and 65535';
    case 'hostport': return 'write it as host:port, e.g. istiod.istio-system.svc:15012';
    case 'duration': return 'write a duration like "500ms", "30s", "5m" or "1h30m"';
    case 'bool': return 'use true or false';
    case 'enum': return `use one of: ${(field.values ?? []).join(', ')}`;
    case 'path': return 'give an absolute path';
    case 'int': case 'number': case 'intList': return 'give a number in the allowed range';
    case 'stringList': return 'give a list (YAML) or comma-separated text';
    case 'stringMap': return 'give a mapping of strings (YAML) or a JSON object';
    default: return 'see docs/configuration.md for the accepted values';
  }
}

function fieldOf(sections: readonly AnySection[], key: string): Field<unknown> | undefined {
  const [section, name] = key.split('.') as [string, string];
  return sections.find((s) => s.name === section)?.fields[name];
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

/**
 * loadConfig for commands that must stop on bad input (`vmlet run`, a reload): returns the result
 * when there is no error, else throws VMLET_CONFIG_INVALID (exit 2) listing every problem.
 * Warnings stay in `result.problems` for the caller to log.
 */
export function loadConfigOrThrow(input: LoadInput = {}): LoadResult {
  const result = loadConfig(input);
  if (hasErrors(result.problems)) throw problemsError(result.problems);
  return result;
}
