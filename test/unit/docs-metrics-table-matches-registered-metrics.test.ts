// Every metric the source registers (metrics.counter/gauge/histogram('name', help, [labels]))
// has a row in docs/metrics.md with the same type and labels, and the table lists nothing the
// source does not register.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../../src/', import.meta.url).pathname;
const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

/** name -> "type labels" from the source. */
const registered = new Map<string, string>();
for (const f of files(SRC)) {
  const text = readFileSync(f, 'utf8');
  for (const m of text.matchAll(/\.(counter|gauge|histogram)\(\s*'([a-z_:][a-z0-9_:]*)',\s*'(?:[^'\\]|\\.)*'\s*(?:,\s*(\[[^\]]*\]))?(?:,\s*(\[[^\]]*\]))?/g)) {
    const [, kind, name, a, b] = m;
    // histogram(name, help, buckets, labels): the labels are the array of strings.
    const labelsArray = [a, b].find((x) => x !== undefined && /'/.test(x)) ?? '[]';
    const labels = [...labelsArray.matchAll(/'([a-z_]+)'/g)].map((l) => l[1]).join(',');
    registered.set(name as string, `${kind} ${labels}`);
  }
}

const doc = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
const rows = new Map([...doc.matchAll(/^\|\s*`([a-z_:][a-z0-9_:]*)`\s*\|\s*(\w+)\s*\|\s*([^|]*?)\s*\|/gm)]
  .map((m) => [m[1] as string, `${m[2]} ${(m[3] as string).split(',').map((s) => s.trim()).filter(Boolean).join(',')}`]));

describe('docs/metrics.md', () => {
  it('finds the registrations (the scan works)', () => {
    expect(registered.get('vmlet_xds_nacks_total')).toBe('counter type');
    expect(registered.size).toBeGreaterThan(10);
  });

  it('has a row with the same type and labels for every registered metric', () => {
    const missing = [...registered].filter(([n, t]) => rows.get(n) !== t).map(([n, t]) => `${n}: source says "${t}", docs say "${rows.get(n) ?? 'nothing'}"`);
    expect(missing, 'add or fix the row in docs/metrics.md').toEqual([]);
  });

  it('lists only metrics the source registers', () => {
    expect([...rows.keys()].filter((n) => !registered.has(n))).toEqual([]);
  });
});
