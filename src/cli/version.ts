/** `vmlet version [--json]`: the vmlet version (from package.json at build time) and the runtime. */
import { EXIT_OK } from '../errors.js';
import { command, printResult, type CliIo, type CommandSpec } from './args.js';

// Replaced by esbuild's `define` at build time; absent when run from source (tests via tsx).
declare const VMLET_VERSION: string | undefined;

export function vmletVersion(): string {
  return typeof VMLET_VERSION === 'string' ? VMLET_VERSION : '0.0.0-dev';
}

export const spec: CommandSpec = {
  name: 'version',
  summary: 'Print the vmlet version and the Node.js runtime it runs on.',
  json: 'print as JSON',
};

export const run = command(spec, async (args, io) => {
  const info = { vmlet: vmletVersion(), node: process.version, platform: `${process.platform}/${process.arch}` };
  printResult(io, args, info, (i) => `vmlet ${i.vmlet} (node ${i.node}, ${i.platform})\n`);
  return EXIT_OK;
});
