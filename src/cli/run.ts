/**
 * `vmlet run`: the daemon. Loads the configuration exactly as `vmlet validate` does (exit 2 on
 * bad input, nothing started), then runs src/main.ts until SIGTERM/SIGINT. Exit codes: 0 after a
 * requested stop, 2 bad input, 1 when a component failed (systemd restarts vmlet). The process
 * ends once main() settles, even if a phase that failed left a handle open.
 */
import { EXIT_OK } from '../errors.js';
import { exitOnNextTurn } from '../lifecycle/exit.js';
import { main } from '../main.js';
import { command, loadInputFrom, type CliIo, type CommandSpec } from './args.js';
import { vmletVersion } from './version.js';

export const spec: CommandSpec = {
  name: 'run',
  summary: 'Run the vmlet agent in the foreground (what the systemd unit starts).',
  description: [
    'Reads the same inputs as `vmlet validate`, starts every capability, serves the local status server',
    '(general.statusAddress:statusPort) and tells systemd READY=1 once every readiness gate has passed.',
    'Signals: SIGTERM/SIGINT stop gracefully (a second skips the drain, a third exits at once); SIGHUP',
    'reloads the configuration and logs what was applied live and what needs a restart.',
  ].join('\n'),
};

export const run = command(spec, async (args, io) => {
  try {
    return await main({
      load: loadInputFrom(args.common, io.env),
      env: io.env,
      stdoutIsTTY: io.stdout.isTTY === true,
      version: vmletVersion(),
    });
  } finally {
    // Whatever a failed phase left open must not keep the agent up (src/lifecycle/exit.ts).
    exitOnNextTurn();
  }
});
