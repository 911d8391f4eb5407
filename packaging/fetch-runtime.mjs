// Gets the pinned official Node.js binary for one architecture (packaging/runtime.json) with the
// ordinary npm client (`npm pack`), checks the tarball against the pinned integrity, and extracts
// bin/node and its LICENSE. Tarballs are cached outside the repo (VMLET_RUNTIME_CACHE, default
// ~/.cache/vmlet-runtime), so a rebuild is offline and the bytes shipped are the bytes pinned.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const pin = JSON.parse(readFileSync(new URL('./runtime.json', import.meta.url), 'utf8'));

export const runtimeVersion = pin.version;

function integrityOf(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/** Returns { node, license } paths of the extracted runtime for `arch` ('x64' | 'arm64'). */
export function fetchRuntime(arch) {
  const expected = pin.integrity[arch];
  if (!expected) throw new Error(`packaging/runtime.json pins no Node.js runtime for ${arch}`);
  const cache = process.env.VMLET_RUNTIME_CACHE ?? join(homedir(), '.cache', 'vmlet-runtime');
  mkdirSync(cache, { recursive: true });
  const name = pin.package.replace('{arch}', arch);
  const tgz = join(cache, `${name}-${pin.version}.tgz`);
  if (!existsSync(tgz) || integrityOf(tgz) !== expected) {
    rmSync(tgz, { force: true });
    console.log(`fetching ${name}@${pin.version} (npm pack) into ${cache}`);
    execFileSync('npm', ['pack', `${name}@${pin.version}`, '--silent', '--pack-destination', cache], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const actual = integrityOf(tgz);
  if (actual !== expected) {
    throw new Error(`${tgz}: integrity ${actual} does not match packaging/runtime.json (${expected}); refusing to ship it`);
  }
  const dir = join(cache, `${name}-${pin.version}`);
  if (!existsSync(join(dir, 'package/bin/node'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['-xzf', tgz, '-C', dir, 'package/bin/node', 'package/LICENSE']);
  }
  return { node: join(dir, 'package/bin/node'), license: join(dir, 'package/LICENSE') };
}
