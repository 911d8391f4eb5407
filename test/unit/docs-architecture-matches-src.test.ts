// docs/architecture.md is the map of the house: its folder list must be src/'s folders, and its
// phase list must be main.ts's `// ── Phase N: name` comments, in order. A new capability folder or
// phase fails here until the document says what it is.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const DOC = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
const MAIN = readFileSync(join(ROOT, 'src', 'main.ts'), 'utf8');

/** The `src/` block under "Where things live": the folders it names (`  name/  what it is`). */
function documentedFolders(doc: string): string[] {
  const block = /^```\nsrc\/\n([\s\S]*?)^```/m.exec(doc.slice(doc.indexOf('## Where things live')))?.[1] ?? '';
  return block.split('\n').map((l) => /^ {2}([a-z0-9-]+)\/\s+\S/.exec(l)?.[1]).filter((n): n is string => n !== undefined);
}

/** main.ts's phases: the words after `Phase N:` up to the first '.', '(' or '—'. */
function mainPhases(source: string): string[] {
  return [...source.matchAll(/^\s*\/\/ ── Phase (\d+): ([^.(—\n]+)/gm)].map((m) => `${m[1]}. ${(m[2] as string).trim()}`);
}

/** The document's numbered phases: `N. **name**: ...`. */
function documentedPhases(doc: string): string[] {
  const section = doc.slice(doc.indexOf('## What it does'), doc.indexOf('## Where things live'));
  return [...section.matchAll(/^(\d+)\. \*\*([^*]+)\*\*/gm)].map((m) => `${m[1]}. ${m[2]}`);
}

describe('docs/architecture.md', () => {
  it("lists exactly src/'s folders", () => {
    const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(documentedFolders(DOC).sort()).toEqual(folders);
  });

  it("tells the phases in the order main.ts runs them, with main.ts's names", () => {
    const phases = mainPhases(MAIN);
    expect(phases.length).toBeGreaterThanOrEqual(7);
    expect(phases.map((p) => Number(p.split('.')[0]))).toEqual(phases.map((_, i) => i + 1));
    expect(documentedPhases(DOC)).toEqual(phases);
  });

  it('the parsers see what they must: a folder or phase missing from the document is a difference', () => {
    expect(documentedFolders('## Where things live\n```\nsrc/\n  main.ts   root\n  a/   one\n  b-c/  two\n```\n')).toEqual(['a', 'b-c']);
    expect(mainPhases('  // ── Phase 1: config. more\n  // ── Phase 2: DNS proxy, then capture (iptables)\n  // ── Phase 3: sidecar — Envoy\n'))
      .toEqual(['1. config', '2. DNS proxy, then capture', '3. sidecar']);
    expect(documentedPhases('## What it does\n1. **config**: x\n2. **stop**: y\n## Where things live')).toEqual(['1. config', '2. stop']);
  });
});
