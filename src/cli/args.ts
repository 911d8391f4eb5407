/**
 * Flag parsing shared by every subcommand (node:util parseArgs): the common flags --istio-dir,
 * --config, --log-level, --log-format, --set and --help, plus each command's own. A usage error is
 * a VmletError VMLET_USAGE (exit 2). Flags that set configuration keys are returned as dotted
 * keys for loadConfig's highest-precedence tier.
 */
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT_OK, VmletError } from '../errors.js';
import type { LoadInput } from '../config/loader.js';

/** What a command may touch of the process: streams and environment, injectable for tests. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandSpec {
  /** e.g. `validate` or `capture plan`. */
  readonly name: string;
  readonly summary: string;
  /** Extra lines after the usage line: what the command does, exit codes. */
  readonly description?: string;
  /** The command's own flags, with one-line help each. */
  readonly options?: Readonly<Record<string, OptionSpec[string] & { help: string }>>;
  /** Positional arguments in the usage line, e.g. `[FILE]`; none allowed when absent. */
  readonly positionals?: string;
  /** The command can print JSON instead of text: the help line of its --json flag. */
  readonly json?: string;
}

export interface CommonOptions {
  readonly istioDir?: string;
  readonly configPath?: string;
  /** Configuration keys set on the command line (`general.logLevel`), for loadConfig's flags. */
  readonly flags: Readonly<Record<string, string>>;
}

export interface ParsedArgs {
  readonly help: boolean;
  /** --json was given (only for a spec with `json`). */
  readonly json: boolean;
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  readonly positionals: readonly string[];
  readonly common: CommonOptions;
}

const COMMON: Readonly<Record<string, OptionSpec[string] & { help: string; arg?: string }>> = {
  'istio-dir': { type: 'string', arg: 'DIR', help: "istioctl x workload entry configure's output directory (default: the stock VM paths)" },
  config: { type: 'string', arg: 'FILE', help: 'vmlet configuration file (default: $VMLET_CONFIG or /etc/vmlet/config.yaml)' },
  'log-level': { type: 'string', arg: 'LEVEL', help: 'trace, debug, info, warn, error, fatal or silent (general.logLevel)' },
  'log-format': { type: 'string', arg: 'FORMAT', help: 'json or pretty (general.logFormat; default: pretty on a terminal, else json)' },
  set: { type: 'string', multiple: true, arg: 'KEY=VALUE', help: 'set any configuration key, e.g. --set general.statusPort=15021 (repeatable)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

/** Parses argv (after the subcommand name) for `spec`. Throws VMLET_USAGE on a bad command line. */
export function parseCommandArgs(argv: readonly string[], spec: CommandSpec): ParsedArgs {
  const options: OptionSpec = {};
  for (const [name, o] of Object.entries({ ...COMMON, ...ownOptions(spec) })) {
    const { help: _help, arg: _arg, ...rest } = o as OptionSpec[string] & { help: string; arg?: string };
    options[name] = rest;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: spec.positionals !== undefined, strict: true });
  } catch (err) {
    throw new VmletError('VMLET_USAGE', `${(err as Error).message.replace(/\. To specify a positional.*$/s, '')} (see vmlet ${spec.name} --help)`, { cause: err });
  }
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const flags: Record<string, string> = {};
  if (typeof v['log-level'] === 'string') flags['general.logLevel'] = v['log-level'];
  if (typeof v['log-format'] === 'string') {
    if (v['log-format'] !== 'json' && v['log-format'] !== 'pretty') {
      throw new VmletError('VMLET_USAGE', `--log-format ${JSON.stringify(v['log-format'])}: use json or pretty`);
    }
    flags['general.logFormat'] = v['log-format'];
  }
  for (const item of (v.set as string[] | undefined) ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0 || !item.slice(0, eq).includes('.')) {
      throw new VmletError('VMLET_USAGE', `--set ${JSON.stringify(item)}: write --set section.key=value, e.g. --set general.statusPort=15021`);
    }
    flags[item.slice(0, eq)] = item.slice(eq + 1);
  }
  const common: CommonOptions = {
    ...(typeof v['istio-dir'] === 'string' ? { istioDir: v['istio-dir'] } : {}),
    ...(typeof v.config === 'string' ? { configPath: v.config } : {}),
    flags,
  };
  return { help: v.help === true, json: v.json === true, values: parsed.values, positionals: parsed.positionals, common };
}

/** The command's own flags: its options, and --json when it prints JSON. */
function ownOptions(spec: CommandSpec): NonNullable<CommandSpec['options']> {
  return { ...(spec.json === undefined ? {} : { json: { type: 'boolean', help: spec.json } }), ...(spec.options ?? {}) };
}

/** Prints `value` as indented JSON with --json, else as `text(value)` renders it. */
export function printResult<T>(io: CliIo, args: ParsedArgs, value: T, text: (value: T) => string): void {
  io.stdout.write(args.json ? `${JSON.stringify(value, null, 2)}\n` : text(value));
}

/**
 * A subcommand's `run(argv, io)`: parses argv for `spec` (a bad command line throws VMLET_USAGE,
 * which the dispatcher turns into exit 2), prints the help and exits 0 on --help, else runs `body`
 * with the parsed arguments. Every subcommand is built with it, so they all read and refuse their
 * command line alike.
 */
export function command(spec: CommandSpec, body: (args: ParsedArgs, io: CliIo) => Promise<number> | number): (argv: readonly string[], io: CliIo) => Promise<number> {
  return async (argv, io) => {
    const args = parseCommandArgs(argv, spec);
    if (args.help) {
      io.stdout.write(helpText(spec));
      return EXIT_OK;
    }
    return body(args, io);
  };
}

/** The --help text of a command: usage line, description, its options, then the common ones. */
export function helpText(spec: CommandSpec): string {
  const rows: [string, string][] = [];
  const add = (name: string, o: { type?: string; short?: string; help: string; arg?: string }) => {
    const arg = o.type === 'string' ? ` ${o.arg ?? 'VALUE'}` : '';
    rows.push([`${o.short ? `-${o.short}, ` : '    '}--${name}${arg}`, o.help]);
  };
  for (const [name, o] of Object.entries(ownOptions(spec))) add(name, o as { type?: string; help: string });
  const own = rows.length;
  for (const [name, o] of Object.entries(COMMON)) add(name, o);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  const fmt = ([l, r]: [string, string]) => `  ${l.padEnd(width)}${r}`;
  return [
    `Usage: vmlet ${spec.name} [options]${spec.positionals ? ` ${spec.positionals}` : ''}`,
    '',
    spec.summary,
    ...(spec.description ? ['', spec.description] : []),
    '',
    ...(own > 0 ? ['Options:', ...rows.slice(0, own).map(fmt), ''] : []),
    'Common options:',
    ...rows.slice(own).map(fmt),
    '',
    'Exit codes: 0 ok, 2 bad input or configuration (nothing was changed), 1 any other failure.',
    '',
  ].join('\n');
}

/**
 * The loader input for a parsed command line: every command that loads the configuration
 * (`run`, `validate`, `status`, ...) builds it here, so they all read the same inputs the same way.
 */
export function loadInputFrom(common: CommonOptions, env: CliIo['env']): LoadInput {
  return {
    flags: common.flags,
    env,
    // Absolute, so messages and `vmlet run` (which may chdir) name the same files.
    ...(common.configPath === undefined ? {} : { configPath: resolve(common.configPath) }),
    ...(common.istioDir === undefined ? {} : { istioDir: resolve(common.istioDir) }),
  };
}
