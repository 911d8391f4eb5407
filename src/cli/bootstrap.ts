/**
 * `vmlet bootstrap print`: the Envoy bootstrap vmlet would write for the current inputs (the same
 * loader and node metadata as `vmlet run`), as JSON on stdout, plus `--args` for Envoy's command
 * line. Reads, never writes.
 */
import { hostname, networkInterfaces } from 'node:os';
import { EXIT_OK } from '../errors.js';
import { loadConfigOrThrow } from '../config/index.js';
import { bootstrapFor, envoyArgsFor, isIpv6Only } from '../envoy/index.js';
import { buildNode } from '../xds/node-metadata.js';
import { command, loadInputFrom, type CliIo, type CommandSpec } from './args.js';

export const spec: CommandSpec = {
  name: 'bootstrap print',
  summary: 'Print the Envoy bootstrap (JSON) vmlet would use for the current configuration and Istio VM files.',
  description: 'The node id and metadata come from the same builder `vmlet run` uses; this host\'s name and addresses fill what the files leave open.',
  options: { args: { type: 'boolean', help: "print Envoy's command line instead of the bootstrap" } },
};

/** This host's name and non-loopback addresses, IPv4 first as `hostname -I` lists them. */
export function hostFacts(): { hostname: string; addresses: string[] } {
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []).filter((a) => !a.internal);
  const addresses = [...all.filter((a) => a.family === 'IPv4'), ...all.filter((a) => a.family === 'IPv6' && !a.address.startsWith('fe80'))].map((a) => a.address);
  return { hostname: hostname().split('.')[0] ?? hostname(), addresses };
}

export const run = command(spec, async (args, io) => {
  const { config } = loadConfigOrThrow(loadInputFrom(args.common, io.env));
  const node = buildNode(config, hostFacts());
  if (args.values.args === true) {
    const { args: cmd } = envoyArgsFor(config, isIpv6Only(node.metadata));
    io.stdout.write(`${[config.envoy.binaryPath, ...cmd].join(' ')}\n`);
    return EXIT_OK;
  }
  io.stdout.write(`${JSON.stringify(bootstrapFor(config, node), null, 2)}\n`);
  return EXIT_OK;
});
