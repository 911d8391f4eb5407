/**
 * `vmlet onboard [--dry-run]`: one onboarding now, with the configuration `vmlet run` reads
 * (onboarding.*, --istio-dir): the platform attestation goes to the exchange service and the
 * bundle is written where the Istio VM files go. It onboards even when `vmlet run` would not
 * (the operator asked), and says what run would decide. `--dry-run` collects the attestation and
 * asks the service for a challenge, then stops: nothing is exchanged, written or spent (a join
 * token stays valid). Exit codes: 0 done, 2 bad configuration, 1 any other failure (the message
 * names cause and fix).
 */
import { EXIT_BAD_INPUT, EXIT_OK, VmletError } from '../errors.js';
import { formatProblem, hasErrors, loadConfig } from '../config/index.js';
import { command, loadInputFrom, type CommandSpec } from './args.js';

export const spec: CommandSpec = {
  name: 'onboard',
  summary: 'Exchange this VM\'s platform identity for its Istio VM files and token now (--dry-run: check only).',
  description: [
    'Uses onboarding.* from the configuration (docs/onboarding.md). `vmlet run` does this by itself when the VM has',
    'no valid certificate and no valid token; this command does it now, whatever run would decide.',
    'Exit codes: 0 onboarded (or the dry run passed), 2 bad configuration, 1 refused or unreachable (the message says why and what to do).',
  ].join('\n'),
  options: {
    'dry-run': { type: 'boolean', help: 'collect the attestation and reach the service (challenge only); exchange nothing, write nothing' },
  },
};

export const run = command(spec, async (args, io) => {
  const result = loadConfig(loadInputFrom(args.common, io.env));
  if (hasErrors(result.problems)) {
    for (const p of result.problems) io.stderr.write(`${formatProblem(p)}\n`);
    io.stderr.write('vmlet onboard: the configuration has problems; nothing was changed [VMLET_CONFIG_INVALID]\n');
    return EXIT_BAD_INPUT;
  }
  const config = result.config;
  const o = config.onboarding;
  if (o.provider === 'none') {
    throw new VmletError('VMLET_CONFIG_BAD_VALUE', 'onboarding.provider is none: set onboarding.provider (aws, gcp, azure or join-token) and onboarding.url in the configuration (docs/onboarding.md)', { details: { key: 'onboarding.provider' } });
  }
  const { decideOnboarding, onboardOnce } = await import('../onboard/agent/index.js');
  const decision = await decideOnboarding(config, Date.now());
  io.stdout.write(`vmlet run would ${decision.needed ? '' : 'not '}onboard: ${decision.why}\n`);
  const dryRun = args.values['dry-run'] === true;
  const r = await onboardOnce({ config }, { dryRun });
  if (dryRun) {
    io.stdout.write(`vmlet onboard --dry-run: the ${o.provider} attestation was collected and ${o.url} answered the challenge; nothing was exchanged or written\n`);
    return EXIT_OK;
  }
  io.stdout.write(`vmlet onboard: onboarded into ${r.group} as ${r.serviceAccount} (instance ${r.instanceId}); token valid until ${r.tokenExpiresAt}\n`);
  for (const f of r.files) io.stdout.write(`  wrote ${f}\n`);
  return EXIT_OK;
});
