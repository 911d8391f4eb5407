// Every runtime dependency in package.json has a row in docs/dependencies.md saying why, the
// table lists nothing that is not a dependency, and every dependency is imported by src/: a new
// dependency is a visible decision, and one nothing uses any more does not stay shipped.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies?: Record<string, string> };
// The runtime table only: later sections (test-only programs) are not npm dependencies.
const doc = readFileSync(new URL('../../docs/dependencies.md', import.meta.url), 'utf8').split(/^## /m)[0]!;
const rows = new Map(
  [...doc.matchAll(/^\|\s*`?([@a-z0-9][\w./@-]*)`?\s*\|\s*(.*?)\s*\|\s*$/gm)]
    .filter((m) => m[1] !== 'package')
    .map((m) => [m[1] as string, m[2] as string]),
);
const deps = Object.keys(pkg.dependencies ?? {});

const SRC = new URL('../../src', import.meta.url).pathname;
/** The npm packages src/ imports (static, dynamic, side-effect imports and require), by package name. */
function packagesImportedBySrc(): Set<string> {
  const found = new Set<string>();
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => /\.[cm]?[jt]s$/.test(f) && !f.endsWith('.d.ts'));
  for (const file of files) {
    const text = readFileSync(join(SRC, file), 'utf8');
    const statics = text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm);
    const dynamics = text.matchAll(/\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g);
    for (const m of [...statics, ...dynamics]) {
      const spec = (m[1] ?? m[2])!;
      const name = /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*/.exec(spec)?.[0];
      if (name !== undefined && !spec.startsWith('node:')) found.add(name);
    }
  }
  return found;
}

describe('docs/dependencies.md', () => {
  it('has a row with a reason for every runtime dependency', () => {
    expect(deps.filter((d) => !rows.has(d)), 'add a `| name | why |` row to docs/dependencies.md').toEqual([]);
    for (const d of deps) expect((rows.get(d) ?? '').length, `reason for ${d}`).toBeGreaterThan(10);
  });

  it('lists only packages that are runtime dependencies', () => {
    expect([...rows.keys()].filter((r) => !deps.includes(r)), 'remove these rows or move the package to dependencies').toEqual([]);
  });

  it('lists only packages something in src/ imports', () => {
    const imported = packagesImportedBySrc();
    // The scan itself must see imports: these are known to be imported by src/.
    expect([...imported]).toEqual(expect.arrayContaining(['yaml', 'protobufjs']));
    expect(deps.filter((d) => !imported.has(d)), 'nothing in src/ imports these: remove them from dependencies (and their rows)').toEqual([]);
  });

  it('src/ imports no package that is not a runtime dependency (a devDependency is not shipped)', () => {
    expect([...packagesImportedBySrc()].filter((p) => !deps.includes(p))).toEqual([]);
  });
});
