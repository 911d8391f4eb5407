/**
 * `vmlet doctor [--json]`: checks this VM's setup end to end and says, for each check, pass, warn
 * or fail, what it saw, and the fix (src/doctor). Works with or without a running agent, as root
 * or not; never changes anything. Exit codes: 0 no check failed, 1 a check failed, 2 bad command
 * line. The configuration is read as `vmlet run` reads it; its problems are one check among others.
 */
import { EXIT_FAILURE, EXIT_OK } from '../errors.js';
import { DEFAULT_TIMEOUTS, renderReport, runDoctor } from '../doctor/index.js';
import { command, printResult, loadInputFrom, type CliIo, type CommandSpec } from './args.js';
import { validateInputs } from './validate.js';
import { vmletVersion } from './version.js';

export const spec: CommandSpec = {
  name: 'doctor',
  summary: "Check this VM's setup end to end (files, token, istiod's name, TLS, clock, WorkloadGroup, ports, iptables, Envoy, systemd, the agent) and say what to fix.",
  description: 'Every network check is bounded (its timeout is shown). Exit codes: 0 no check failed, 1 a check failed, 2 bad command line. --json: docs/doctor.md.',
  json: 'print the report as JSON (schema in docs/doctor.md)',
  options: { unit: { type: 'string', help: 'systemd unit to look at (default vmlet.service)' } },
};

export const run = command(spec, async (args, io) => {
  const { result, problems } = await validateInputs(loadInputFrom(args.common, io.env));
  const report = await runDoctor({
    load: result,
    problems,
    now: () => Date.now(),
    uid: process.getuid?.() ?? 0,
    timeouts: DEFAULT_TIMEOUTS,
    procRoot: '/proc',
    etcHosts: '/etc/hosts',
    unit: typeof args.values.unit === 'string' ? args.values.unit : 'vmlet.service',
  }, vmletVersion());
  printResult(io, args, report, renderReport);
  return report.ok ? EXIT_OK : EXIT_FAILURE;
});
