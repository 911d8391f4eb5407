/**
 * The runtime vmlet runs on as the packages run it: the Node.js binary the .deb ships (the staged,
 * stripped binary of the last package build, else the pinned upstream one) and the flags the
 * packaged launcher (packaging/common/vmlet-launcher.sh) passes it. bench/compare and bench/dns
 * both run vmlet this way unless told another runtime.
 */
import { existsSync, readFileSync } from 'node:fs';
import { arch } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: a plain .mjs module of the packaging scripts
import { fetchRuntime } from '../../packaging/fetch-runtime.mjs';

const ROOT = join(import.meta.dirname, '..', '..');

export function packagedRuntime(): { node: string; nodeArgs: string[] } {
  const a = arch() === 'arm64' ? 'arm64' : 'x64';
  const staged = join(ROOT, 'out', '.work', `deb-${a}`, 'usr/lib/vmlet/node');
  const node = existsSync(staged) ? staged : (fetchRuntime(a) as { node: string }).node;
  const launcher = readFileSync(join(ROOT, 'packaging', 'common', 'vmlet-launcher.sh'), 'utf8');
  const flags = /exec \/usr\/lib\/vmlet\/node ((?:--\S+ )*)\/usr\/lib\/vmlet\/vmlet\.cjs/.exec(launcher)?.[1] ?? '';
  return { node, nodeArgs: flags.split(' ').filter(Boolean) };
}
