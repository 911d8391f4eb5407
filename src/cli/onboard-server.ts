/**
 * `vmlet onboard-server --config FILE`: runs the onboarding exchange service in the foreground
 * until SIGTERM/SIGINT. Everything is in the file (docs/onboard-server.md). On stdout it prints
 * `LISTENING <port>` and `METRICS <port>` once both listeners are up (ports chosen by the system
 * when configured as 0), then one JSON audit record per decision; its own log goes to stderr.
 * This module is only loaded for this command (src/cli/main.ts), never by `vmlet run`.
 */
import { EXIT_OK, VmletError } from '../errors.js';
import { createLogger, isLogLevel } from '../log.js';
import { loadServerConfig } from '../onboard-server/config.js';
import { startOnboardService } from '../onboard-server/index.js';
import { loadVerifiers } from '../onboard-server/verifiers.js';
import { command, type CommandSpec } from './args.js';

export const spec: CommandSpec = {
  name: 'onboard-server',
  summary: "Run the onboarding exchange service: a VM's platform identity (AWS, GCP, Azure) or a join token for its WorkloadGroup's token and files.",
  description: 'All settings are in the --config file (docs/onboard-server.md). Prints LISTENING <port> and METRICS <port> on stdout when ready,\nthen one JSON audit record per onboarding decision; logs go to stderr. SIGTERM or SIGINT stops it.',
};

export const run = command(spec, async (args, io) => {
  const file = args.common.configPath;
  if (file === undefined) throw new VmletError('VMLET_USAGE', 'give the service\'s configuration file with --config FILE (docs/onboard-server.md)');
  const level = args.common.flags['general.logLevel'];
  if (level !== undefined && !isLogLevel(level)) {
    throw new VmletError('VMLET_USAGE', `--log-level ${JSON.stringify(level)} is not a log level: give one of trace, debug, info, warn, error, fatal, silent`);
  }
  const config = loadServerConfig(file);
  const logger = createLogger({ destination: process.stderr, ...(level !== undefined ? { level } : {}) }).child({ component: 'onboard-server' });
  const verifiers = await loadVerifiers(config);
  const service = await startOnboardService({ config, verifiers, logger });
  io.stdout.write(`LISTENING ${service.port}\nMETRICS ${service.metricsPort}\n`);
  logger.info({ listen: `${config.listen.host}:${service.port}`, metrics: `${config.metricsListen.host}:${service.metricsPort}`, providers: Object.keys(verifiers), policies: config.policies.map((p) => p.name) }, 'onboard-server ready');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  logger.info('stopping');
  await service.close();
  return EXIT_OK;
});
