// Installs the Debian packages that provide missing tools (`apt-get install -y`), once, so a
// fresh machine can build and test the packages. Tools: command name -> Debian package.
import { execFileSync } from 'node:child_process';

export function hasCommand(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let updated = false;

/** @param {Record<string, string>} tools e.g. { rpmbuild: 'rpm', lintian: 'lintian' } */
export function ensureTools(tools) {
  const missing = [...new Set(Object.entries(tools).filter(([cmd]) => !hasCommand(cmd)).map(([, pkg]) => pkg))].sort();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`missing tools; install the Debian packages: ${missing.join(' ')}`);
  console.log(`installing ${missing.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!updated) execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  updated = true;
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
}
