/**
 * `vmlet validate [--print] [--json]`: runs exactly the loader and the pre-flight checks
 * (src/preflight) `vmlet run` uses, prints every problem at once (file:line: key: what; what to do [CODE]) and exits 2 if any is an error.
 * `--print` shows the effective configuration, redacted, with where each value came from. It
 * reads and never writes.
 */
import { EXIT_BAD_INPUT, EXIT_OK } from '../errors.js';
import { formatProblem, formatValue, hasErrors, loadConfig, redactConfig, SECTIONS, type LoadInput, type LoadResult, type Problem } from '../config/index.js';
import { runPreflight, type PreflightContext, type PreflightFinding } from '../preflight/index.js';
import { command, loadInputFrom, type CliIo, type CommandSpec } from './args.js';

export const spec: CommandSpec = {
  name: 'validate',
  summary: 'Check every input vmlet reads (flags, environment, config.yaml, Istio VM files) without changing anything.',
  description: 'Runs the same loader as `vmlet run`; reports every problem at once with file, line and key.',
  json: 'print the result as JSON (configuration, sources, problems)',
  options: {
    print: { type: 'boolean', help: 'print the effective configuration (secrets as *****) and where each value came from' },
  },
};

export const run = command(spec, async (args, io) => {
  const { result, problems } = await validateInputs(loadInputFrom(args.common, io.env));
  const failed = hasErrors(problems);
  if (args.json) {
    io.stdout.write(`${JSON.stringify({
      ok: !failed,
      // The code `vmlet run` would exit with for these inputs (absent: run would start).
      ...(failed ? { code: refusalCode(problems, result) } : {}),
      configFile: result.configFile,
      ...(args.values.print === true ? { config: redactConfig(result.config), sources: result.sources } : {}),
      problems,
    }, null, 2)}\n`);
    return failed ? EXIT_BAD_INPUT : EXIT_OK;
  }
  for (const p of problems) io.stderr.write(`${formatProblem(p)}\n`);
  if (failed) {
    const n = problems.filter((p) => p.severity === 'error').length;
    io.stderr.write(`vmlet validate: ${n} problem(s); nothing was changed. Fix them and run vmlet validate again. [${refusalCode(problems, result)}]\n`);
    return EXIT_BAD_INPUT;
  }
  if (args.values.print === true) io.stdout.write(renderEffective(result));
  io.stdout.write(`vmlet validate: configuration OK (${describeInputs(result)})\n`);
  return EXIT_OK;
});

/**
 * What `vmlet run` would refuse or warn about, all at once: the loader's problems, then, when the
 * configuration loaded, every pre-flight finding (run stops at the first error of either).
 */
export async function validateInputs(load: LoadInput, ctx?: PreflightContext): Promise<{ result: LoadResult; problems: Problem[] }> {
  const result = loadConfig(load);
  if (hasErrors(result.problems)) return { result, problems: [...result.problems] };
  const findings = await runPreflight(result.config, ctx);
  return { result, problems: [...result.problems, ...findings.map(asProblem)] };
}

/** The code `vmlet run` refuses these inputs with: the loader's wrapper, else the first pre-flight error's. */
export function refusalCode(problems: readonly Problem[], result: LoadResult): string {
  if (hasErrors(result.problems)) return 'VMLET_CONFIG_INVALID';
  return problems.find((p) => p.severity === 'error')?.code ?? 'VMLET_CONFIG_INVALID';
}

function asProblem(f: PreflightFinding): Problem {
  const d = f.error.details as { file?: unknown; key?: unknown };
  return {
    code: f.error.code,
    severity: f.severity,
    ...(typeof d.file === 'string' ? { file: d.file } : {}),
    ...(typeof d.key === 'string' && !f.error.message.startsWith(d.key) ? { key: d.key } : {}),
    message: f.error.message,
    hint: `pre-flight check ${f.check}`,
  };
}

function describeInputs(result: LoadResult): string {
  const istio = result.config.istio;
  const files = [
    result.configFile.read ? result.configFile.path : undefined,
    istio.clusterEnvPath, istio.meshPath, istio.rootCertPath, istio.tokenPath,
  ].filter((x) => x !== undefined);
  return files.length === 0 ? 'no files read; defaults and environment only' : `read ${files.join(', ')}`;
}

/** `section.key = value   (source)` per field, then the Istio inputs, secrets redacted. */
export function renderEffective(result: LoadResult): string {
  const lines: string[] = [`# config.yaml: ${result.configFile.path}${result.configFile.read ? '' : ' (absent)'}`];
  const values = result.config as unknown as Record<string, Record<string, unknown>>;
  for (const section of SECTIONS) {
    const entries = Object.entries(section.fields);
    if (entries.length === 0) continue;
    lines.push('', `[${section.name}]`);
    const rows = entries.map(([name, field]) => [`${section.name}.${name}`, formatValue(field, values[section.name]?.[name])] as const);
    const width = Math.max(...rows.map(([k, v]) => k.length + v.length)) + 4;
    for (const [key, value] of rows) lines.push(`${`${key} = ${value}`.padEnd(width)}(${result.sources[key]})`);
  }
  const istio = redactConfig(result.config).istio as Record<string, unknown>;
  lines.push('', '[istio]');
  for (const [key, value] of Object.entries(istio)) {
    if (key === 'clusterEnv' || key === 'proxyConfig') continue;
    lines.push(`istio.${key} = ${value === undefined ? '(none)' : typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  for (const [key, value] of Object.entries(istio.clusterEnv as Record<string, string>)) lines.push(`istio.clusterEnv.${key} = ${value}`);
  lines.push(`istio.proxyConfig = ${JSON.stringify(istio.proxyConfig)}`, '');
  return `${lines.join('\n')}\n`;
}
