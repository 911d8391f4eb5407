/**
 * Entry point of the `vmlet` command (bundled into dist/vmlet.cjs).
 *
 * TO ADD A SUBCOMMAND: write src/cli/<name>.ts exporting `run = command(spec, async (args, io) => ...)`
 * (./args.js: it parses the command line and answers --help) and add ONE line to COMMANDS
 * below, e.g. `{ name: 'capture plan', summary: '...', load: () => import('./capture-plan.js') }`.
 * Multi-word names (`capture plan`, `bootstrap print`) work as they are; keep the import lazy so
 * `vmlet validate` starts fast. Nothing else in this file needs to change.
 */
import '../config/errors.js';
import type { CliIo } from './args.js';
import { CAPTURE_COMMANDS } from './capture.js';
import { dispatch, type CommandEntry } from './dispatch.js';

const COMMANDS: readonly CommandEntry[] = [
  { name: 'validate', summary: 'Check every input (flags, env, config.yaml, Istio VM files); --print shows the effective configuration', load: () => import('./validate.js') },
  { name: 'version', summary: 'Print the vmlet version', load: () => import('./version.js') },
  { name: 'run', summary: 'Run the agent in the foreground (what the systemd unit starts)', load: () => import('./run.js') },
  { name: 'proxy-status', summary: 'Show per xDS type whether Envoy holds what istiod sent (SYNCED, STALE, NOT SENT, NACKED)', load: () => import('./proxy-status.js') },
  { name: 'proxy-config', summary: "Show Envoy's clusters, listeners, routes, endpoints or secrets on this VM (istioctl proxy-config's tables)", load: () => import('./proxy-config.js') },
  { name: 'dns lookup', summary: 'Resolve a name as this VM does and say whether the mesh name table or an upstream answered', load: () => import('./dns.js') },
  { name: 'doctor', summary: "Check this VM's setup end to end and say what to fix (works without a running agent); --json", load: () => import('./doctor.js') },
  { name: 'onboard', summary: "Exchange this VM's platform identity for its Istio VM files and token now (--dry-run: check only)", load: () => import('./onboard.js') },
  { name: 'status', summary: 'Show the running agent\'s readiness and components; --watch streams changes', load: () => import('./status.js') },
  ...CAPTURE_COMMANDS,
  // The onboarding exchange service: server-only code, loaded for these commands alone (never by `vmlet run`).
  { name: 'onboard-server', summary: 'Run the onboarding exchange service (platform identity or join token -> WorkloadGroup token and files)', load: () => import('./onboard-server.js') },
  { name: 'onboard-server join-token create', summary: 'Create a one-time join token for an on-premises VM', load: () => import('./onboard-server-join-token.js') },
  { name: 'bootstrap print', summary: 'Print the Envoy bootstrap vmlet would use for the current inputs (--args: Envoy\'s command line)', load: () => import('./bootstrap.js') },
];

const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };
// No top-level await: the bundle is CommonJS (scripts/build.mjs says why), which has none. A
// rejection stays unhandled and ends the process with its stack, as an awaited one did.
void dispatch(COMMANDS, process.argv.slice(2), io).then((code) => {
  process.exitCode = code;
});
