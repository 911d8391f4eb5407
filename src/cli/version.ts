/** `vmlet version [--json]`: the vmlet version (from package.json at build time) and the runtime. */
import { EXIT_OK } from '../errors.js';
import { helpText, parseCommandArgs, type CliIo, type CommandSpec } from './args.js';

// Replaced by esbuild's `define` at build time; absent when run from source (tests via tsx).
declare const VMLET_VERSION: string | undefined;

export function vmletVersion(): string {
  return typeof VMLET_VERSION === 'string' ? VMLET_VERSION : '0.0.0-dev';
}

export const spec: CommandSpec = {
  name: 'version',
  summary: 'Print the vmlet version and the Node.js runtime it runs on.',
  options: { json: { type: 'boolean', help: 'print as JSON' } },
};

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs(argv, spec);
  if (args.help) {
    io.stdout.write(helpText(spec));
    return EXIT_OK;
  }
  const info = { vmlet: vmletVersion(), node: process.version, platform: `${process.platform}/${process.arch}` };
  io.stdout.write(args.values.json === true ? `${JSON.stringify(info)}\n` : `vmlet ${info.vmlet} (node ${info.node}, ${info.platform})\n`);
  return EXIT_OK;
}
