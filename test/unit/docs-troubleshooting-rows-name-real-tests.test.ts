// docs/troubleshooting.md: every row of the failures table names at least one test file that
// exists, each followed by the name (or a part of it) of a test in that file, so a row cannot
// point at a test that was renamed or deleted. And the table has the 15 rows it promises.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DOCS = new URL('../../docs/', import.meta.url).pathname;
const doc = readFileSync(join(DOCS, 'troubleshooting.md'), 'utf8');
const rows = [...doc.matchAll(/^\|\s*(\d+)\s*\|(.*)\|\s*$/gm)].map((m) => ({ n: Number(m[1]), cells: (m[2] as string).split(/(?<!\\)\|/).map((c) => c.trim()) }));

describe('docs/troubleshooting.md', () => {
  it('has 15 numbered rows, each with failure, what vmlet shows, what to do and tests', () => {
    expect(rows.map((r) => r.n)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    for (const r of rows) {
      expect(r.cells, `row ${r.n}`).toHaveLength(4);
      for (const c of r.cells) expect(c.length, `row ${r.n}: empty cell`).toBeGreaterThan(10);
    }
  });

  it.each(rows.map((r) => [r.n, r.cells[3] ?? ''] as const))('row %i names existing test files and tests in them', (_n, cell) => {
    const links = [...cell.matchAll(/\]\((\.\.\/test\/[^)]+\.test\.ts)\)\s*"([^"]+)"/g)];
    expect(links.length, `no [name](../test/...test.ts) "test name" in: ${cell}`).toBeGreaterThan(0);
    // Every link carries a test name: none may be left without one.
    expect(links.length).toBe([...cell.matchAll(/\]\(\.\.\/test\//g)].length);
    for (const [, rel, name] of links) {
      const file = join(DOCS, rel as string);
      expect(existsSync(file), `${rel} does not exist`).toBe(true);
      const text = readFileSync(file, 'utf8');
      const titles = [
        ...text.matchAll(/\b(?:it|describe)(?:\.each\([^]*?\))?\(\s*(['"`])((?:(?!\1)[^\\]|\\.)*)\1/g),
        // it.each rows: the case's name is the first string of a table row (`['expired 2h ago', ...]`).
        ...text.matchAll(/^\s*\[\s*(['"`])((?:(?!\1)[^\\]|\\.)*)\1\s*,/gm),
      ].map((m) => (m[2] as string).replace(/\\(.)/g, '$1'));
      expect(titles.some((t) => t.includes(name as string)), `${rel} has no test whose name contains "${name}" (names: ${titles.join(' | ')})`).toBe(true);
    }
  });
});
