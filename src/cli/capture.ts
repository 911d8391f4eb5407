/**
 * `vmlet capture plan|apply|remove|status`: the capture rules by hand, from the same inputs as
 * `vmlet run` (--istio-dir, --config, --set). plan prints the iptables-restore payloads and
 * changes nothing; apply and remove need root; status says what is installed, with which
 * backend, and whether it differs from what the configuration asks for. This file stays light:
 * the capture code is imported only when a command runs.
 */
import { EXIT_FAILURE, EXIT_OK, VmletError } from '../errors.js';
import { command, loadInputFrom, type CliIo, type CommandSpec, type ParsedArgs } from './args.js';
import type { CommandEntry } from './dispatch.js';

type Sub = 'plan' | 'apply' | 'remove' | 'status';

const SPECS: Record<Sub, CommandSpec> = {
  plan: { name: 'capture plan', summary: 'Print the iptables-restore payloads (IPv4, IPv6) vmlet would apply on a clean host; changes nothing' },
  apply: { name: 'capture apply', summary: 'Install the capture rules now (root): one iptables-restore per family, verified' },
  remove: { name: 'capture remove', summary: "Remove vmlet's capture rules and chains (root); every other rule stays" },
  status: { name: 'capture status', summary: 'Show whether capture rules are installed, the backend, drift from the configuration, and the options' },
};

async function runCapture(sub: Sub, args: ParsedArgs, io: CliIo): Promise<number> {
  const spec = SPECS[sub];
  const { loadConfigOrThrow } = await import('../config/index.js');
  const cap = await import('../capture/index.js');
  const config = loadConfigOrThrow(loadInputFrom(args.common, io.env)).config;
  const facts = await cap.readHostFacts(config);
  const options = cap.optionsFromConfig(config, facts);
  if (config.capture.dnsCapture && !options.dnsCapture) io.stderr.write(`note: DNS capture is asked for (ISTIO_META_DNS_CAPTURE) but the DNS mode is ${facts.dnsMode}: port 53 is not redirected\n`);
  if (sub === 'plan') {
    io.stdout.write(cap.planText(options));
    return EXIT_OK;
  }
  if (process.getuid?.() !== 0) {
    throw new VmletError('VMLET_CAPTURE_NOT_ROOT', `vmlet ${spec.name} reads and changes iptables, which needs root; run it with sudo`);
  }
  const executor = new cap.CaptureExecutor({ runner: new cap.ExecRunner(), backend: config.capture.backend });
  const backend = await executor.backend();
  const stateDir = config.general.stateDir;
  if (sub === 'apply') {
    const r = await executor.apply(cap.buildPlan(options));
    await cap.writeState(stateDir, { version: 1, backend: backend.name, appliedAt: new Date().toISOString(), pid: process.pid, options });
    io.stdout.write(`capture rules ${r.changed ? 'applied' : 'already in place'} (iptables-${backend.name}, IPv6 ${options.ipv6 ? 'on' : 'off'})\n`);
    return EXIT_OK;
  }
  if (sub === 'remove') {
    const r = await executor.remove();
    await cap.clearState(stateDir);
    io.stdout.write(r.changed ? `capture rules removed (iptables-${backend.name})\n` : 'no capture rules were installed\n');
    return EXIT_OK;
  }
  const families = await executor.status(cap.buildPlan(options));
  const state = await cap.readState(stateDir).catch((err: unknown) => { io.stderr.write(`${(err as Error).message}\n`); return undefined; });
  io.stdout.write(`backend: iptables-${backend.name}\n`);
  io.stdout.write(`state file: ${state === undefined ? 'none' : `applied ${state.appliedAt} by pid ${state.pid} (${state.backend})`}\n`);
  for (const f of families) {
    const what = !f.available ? 'tools not available' : !f.installed ? 'not installed' : f.drift.length === 0 ? 'installed, as configured' : 'installed, DIFFERS from the configuration:';
    io.stdout.write(`IPv${f.family}: ${what}\n`);
    if (f.installed) for (const d of f.drift) io.stdout.write(`  ${d.table}: ${d.what}\n`);
  }
  io.stdout.write(`options: ${JSON.stringify(options)}\n`);
  return families.some((f) => f.installed && f.drift.length > 0) ? EXIT_FAILURE : EXIT_OK;
}

/** The dispatcher's entries (src/cli/main.ts spreads them into COMMANDS). */
export const CAPTURE_COMMANDS: readonly CommandEntry[] = (Object.keys(SPECS) as Sub[]).map((sub) => ({
  name: SPECS[sub].name,
  summary: SPECS[sub].summary,
  load: async () => ({ run: command(SPECS[sub], (args, io) => runCapture(sub, args, io)) }),
}));
