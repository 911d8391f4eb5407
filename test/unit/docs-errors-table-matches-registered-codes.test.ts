// docs/errors.md and the codes registered in src/*/errors.ts agree both ways, with the right
// exit code. Every capability's errors.ts is imported by a directory scan, so new ones are covered.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { allErrorCodes } from '../../src/errors.js';

const SRC = new URL('../../src/', import.meta.url).pathname;

function docRows(): Map<string, { exit: number; line: number }> {
  const rows = new Map<string, { exit: number; line: number }>();
  readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8').split('\n').forEach((text, i) => {
    const m = /^\|\s*`?(VMLET_[A-Z0-9_]+)`?\s*\|\s*(\d+)\s*\|/.exec(text);
    if (m) rows.set(m[1] as string, { exit: Number(m[2]), line: i + 1 });
  });
  return rows;
}

describe('docs/errors.md', () => {
  beforeAll(async () => {
    for (const dir of readdirSync(SRC, { withFileTypes: true })) {
      const file = join(SRC, dir.name, 'errors.ts');
      if (dir.isDirectory() && existsSync(file)) await import(pathToFileURL(file).href);
    }
  });

  it('lists every registered code with its exit code', () => {
    const rows = docRows();
    const missing: string[] = [];
    for (const [code, spec] of allErrorCodes()) {
      const row = rows.get(code);
      if (row === undefined) missing.push(`${code} (add a row: | ${code} | ${spec.badInput ? 2 : 1} | ${spec.summary} |)`);
      else expect(row.exit, `${code}: exit in docs/errors.md line ${row.line}`).toBe(spec.badInput ? 2 : 1);
    }
    expect(missing, 'codes missing from docs/errors.md').toEqual([]);
  });

  it('documents no code that is not registered', () => {
    const registered = allErrorCodes();
    const stale = [...docRows()].filter(([code]) => !registered.has(code)).map(([code, r]) => `${code} (line ${r.line})`);
    expect(stale, 'rows in docs/errors.md for codes no src/*/errors.ts registers').toEqual([]);
  });

  it('codes are registered only in src/errors.ts and src/<capability>/errors.ts (so this test sees them all)', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts') && /registerErrors\(/.test(readFileSync(p, 'utf8'))) {
          const rel = p.slice(SRC.length);
          if (rel !== 'errors.ts' && !/^[^/]+\/errors\.ts$/.test(rel)) offenders.push(rel);
        }
      }
    };
    walk(SRC);
    expect(offenders, 'move these registerErrors calls into src/<capability>/errors.ts').toEqual([]);
  });

  it('has one row per code', () => {
    const text = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const codes = [...text.matchAll(/^\|\s*`?(VMLET_[A-Z0-9_]+)`?\s*\|/gm)].map((m) => m[1]);
    expect(codes.filter((c, i) => codes.indexOf(c) !== i)).toEqual([]);
  });
});
