// cluster.env is read the way istio-start.sh's `set -a; . cluster.env` would read it, for every
// quoting style a person or istioctl writes; what a shell would expand is refused with a line.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseClusterEnv, quoteClusterEnvValue } from '../../../src/config/cluster-env.js';

describe('parseClusterEnv', () => {
  it.each([
    ["A='plain'", 'plain'],
    ["A='it'\\''s'", "it's"],
    ["A='it'\"'\"'s'", "it's"],
    ['A=vm-app.bar', 'vm-app.bar'],
    ["A='*'", '*'],
    ["A='{\"app\":\"vm\",\"x\":\"a b\"}'", '{"app":"vm","x":"a b"}'],
    ["A=''", ''],
    ['A=unquoted', 'unquoted'],
    ['A=22,15090,15021', '22,15090,15021'],
    ['A="double quoted"', 'double quoted'],
    ['A="esc \\"q\\" \\\\ \\$"', 'esc "q" \\ $'],
    ['A=mix\'ed \'"quote"', 'mixed quote'],
    ['A=a\\ b', 'a b'],
    ["export A='x'", 'x'],
    ["  A='x'   # trailing comment", 'x'],
    ['A=', ''],
  ])('%s', (line, value) => {
    const r = parseClusterEnv(`${line}\n`, 'cluster.env');
    expect(r.problems).toEqual([]);
    expect(r.values).toEqual({ A: value });
  });

  it.each([
    ["A='open", 'unterminated single quote'],
    ['A="open', 'unterminated double quote'],
    ['A=$HOME', 'unquoted "$"'],
    ['A="$HOME"', '$ expansion'],
    ['A=`id`', 'unquoted "`"'],
    ['A=a b', 'text after the value'],
    ['A=x;rm', 'unquoted ";"'],
    ['1A=x', 'not a valid variable name'],
    ['no equals sign', 'not KEY=value'],
    ['=x', 'not KEY=value'],
  ])('refuses %s', (line, why) => {
    const r = parseClusterEnv(`# header\n${line}\nB='ok'\n`, '/x/cluster.env');
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'VMLET_CLUSTER_ENV_SYNTAX', file: '/x/cluster.env', line: 2 });
    expect(r.problems[0]?.message).toContain(why);
    expect(r.values.B).toBe('ok'); // the rest of the file is still read: every problem at once
  });

  it('does not echo a line that is not KEY=value (it may be a pasted token)', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const r = parseClusterEnv(`${jwt}\n`, 'cluster.env');
    expect(r.problems).toHaveLength(1);
    expect(JSON.stringify(r.problems)).not.toContain('eyJ');
  });

  it('keeps file order and line numbers; a repeated key keeps the last value with a warning', () => {
    const r = parseClusterEnv("B='1'\nA='2'\n\nB='3'\n", 'cluster.env');
    expect(Object.keys(r.values)).toEqual(['A', 'B']);
    expect(r.values.B).toBe('3');
    expect(r.lines).toEqual({ A: 2, B: 4 });
    expect(r.problems).toEqual([expect.objectContaining({ severity: 'warning', line: 4, key: 'B' })]);
  });

  it('round-trips values quoted the way istioctl quotes them', () => {
    for (const v of ["it's", '{"a":"b c"}', '', "''", 'a\\b', '$HOME', '22,15090', 'latest', '*', 'a b']) {
      expect(parseClusterEnv(`K=${quoteClusterEnvValue(v)}`, 'f').values.K).toBe(v);
    }
  });

  it("quotes like istioctl: bare when safe, '' when empty, single quotes otherwise", () => {
    expect(quoteClusterEnvValue('istiod-canary.istio-system.svc:15012')).toBe('istiod-canary.istio-system.svc:15012');
    expect(quoteClusterEnvValue('')).toBe("''");
    expect(quoteClusterEnvValue('*')).toBe("'*'");
    expect(quoteClusterEnvValue("it's")).toBe(`'it'"'"'s'`);
  });

  it('the istioctl-shaped fixture is sorted and quoted exactly as istioctl would write its values', () => {
    const text = readFileSync(new URL('../../fixtures/istio-vm/cluster.env', import.meta.url), 'utf8');
    const lines = text.trimEnd().split('\n');
    expect([...lines].sort()).toEqual(lines);
    const parsed = parseClusterEnv(text, 'cluster.env');
    expect(parsed.problems).toEqual([]);
    expect(Object.entries(parsed.values).map(([k, v]) => `${k}=${quoteClusterEnvValue(v)}`)).toEqual(lines);
  });
});
