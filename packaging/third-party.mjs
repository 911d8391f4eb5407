// Licence notices for the npm packages bundled into dist/ (vmlet.cjs and its chunks).
// scripts/build.mjs lists them from esbuild's metafile in dist/manifest.json, so the list
// is exactly what ships — not the whole dependency tree — and each entry carries the package's own
// licence file.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

function licenceText(dir) {
  const file = readdirSync(dir).sort().find((n) => /^(licen[cs]e|copying)(\.|$)/i.test(n));
  return file ? readFileSync(join(dir, file), 'utf8').trim() : undefined;
}

export function thirdPartyNotices(repo) {
  const { packages } = JSON.parse(readFileSync(join(repo, 'dist/manifest.json'), 'utf8'));
  const parts = [
    'Third-party software bundled in /usr/lib/vmlet/vmlet.cjs and /usr/lib/vmlet/chunks/',
    '',
    'The Node.js runtime at /usr/lib/vmlet/node is covered by nodejs-LICENSE in this directory.',
  ];
  for (const dir of packages) {
    const abs = join(repo, dir);
    if (!existsSync(join(abs, 'package.json'))) continue;
    const pkg = JSON.parse(readFileSync(join(abs, 'package.json'), 'utf8'));
    const text = licenceText(abs) ?? `(no licence file in the package; package.json says: ${pkg.license ?? 'unknown'})`;
    parts.push('', '-'.repeat(72), `${pkg.name} ${pkg.version} — ${pkg.license ?? 'unknown'}`, '', text);
  }
  return `${parts.join('\n')}\n`;
}
