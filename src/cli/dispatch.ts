/**
 * Picks the subcommand from argv (longest match, so `capture plan` and `capture` can both exist),
 * loads its module lazily (so `vmlet validate` never pays for the daemon's code), runs it and
 * turns any error into a printed message and an exit code. The table lives in ./main.ts.
 */
import { exitCodeFor, EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, isVmletError } from '../errors.js';
import type { CliIo } from './args.js';

export interface CommandModule {
  /** Runs the command with argv after its name; resolves to the exit code. */
  run(argv: readonly string[], io: CliIo): Promise<number> | number;
}

export interface CommandEntry {
  /** One or more words: `validate`, `capture plan`. */
  readonly name: string;
  /** One line for `vmlet --help`. */
  readonly summary: string;
  /** Imports the module (lazily: `() => import('./validate.js')`). */
  load(): Promise<CommandModule>;
}

export function findCommand(commands: readonly CommandEntry[], argv: readonly string[]): { entry: CommandEntry; rest: string[] } | undefined {
  let best: CommandEntry | undefined;
  let bestLen = 0;
  for (const entry of commands) {
    const words = entry.name.split(' ');
    if (words.length > bestLen && words.every((w, i) => argv[i] === w)) {
      best = entry;
      bestLen = words.length;
    }
  }
  return best === undefined ? undefined : { entry: best, rest: argv.slice(bestLen) };
}

export function topLevelHelp(commands: readonly CommandEntry[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'Usage: vmlet <command> [options]',
    '',
    'vmlet brings this Linux VM into an Istio mesh: identity, traffic capture, Envoy, health.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Run `vmlet <command> --help` for its options.',
    'Exit codes: 0 ok, 2 bad input or configuration (nothing was changed), 1 any other failure.',
    '',
  ].join('\n');
}

export async function dispatch(commands: readonly CommandEntry[], argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.length === 0) {
    io.stderr.write(topLevelHelp(commands));
    return EXIT_BAD_INPUT;
  }
  if (argv[0] === 'help' && argv.length > 1) return dispatch(commands, [...argv.slice(1), '--help'], io);
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout.write(topLevelHelp(commands));
    return EXIT_OK;
  }
  const found = findCommand(commands, argv[0] === '--version' ? ['version'] : argv);
  if (found === undefined) {
    // `vmlet capture` alone, when only `capture plan` etc. exist: list that group.
    const group = commands.filter((c) => c.name.startsWith(`${argv[0]} `));
    io.stderr.write(group.length > 0
      ? `vmlet ${argv[0]}: choose one of: ${group.map((c) => c.name.split(' ').slice(1).join(' ')).join(', ')}\n`
      : `vmlet: unknown command ${JSON.stringify(argv[0])}; run vmlet --help for the list [VMLET_USAGE]\n`);
    return EXIT_BAD_INPUT;
  }
  try {
    const mod = await found.entry.load();
    return await mod.run(found.rest, io);
  } catch (err) {
    if (isVmletError(err)) {
      io.stderr.write(`vmlet ${found.entry.name}: ${err.message} [${err.code}]\n`);
      return exitCodeFor(err);
    }
    io.stderr.write(`vmlet ${found.entry.name}: internal error: ${(err as Error)?.stack ?? String(err)} [VMLET_INTERNAL]\n`);
    return EXIT_FAILURE;
  }
}
