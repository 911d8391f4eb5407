// Every runtime dependency in package.json has a row in docs/dependencies.md saying why, and the
// table lists nothing that is not a dependency: a new dependency is a visible decision.
import { readFileSync } from 'node:fs';
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

describe('docs/dependencies.md', () => {
  it('has a row with a reason for every runtime dependency', () => {
    expect(deps.filter((d) => !rows.has(d)), 'add a `| name | why |` row to docs/dependencies.md').toEqual([]);
    for (const d of deps) expect((rows.get(d) ?? '').length, `reason for ${d}`).toBeGreaterThan(10);
  });

  it('lists only packages that are runtime dependencies', () => {
    expect([...rows.keys()].filter((r) => !deps.includes(r)), 'remove these rows or move the package to dependencies').toEqual([]);
  });
});
