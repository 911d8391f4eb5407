// Found by the property tests (test/unit/properties): a YAML alias with no anchor parsed without
// errors and then threw a ReferenceError out of the config.yaml parser (a crash, not exit 2).
import { describe, expect, it } from 'vitest';
import { SECTIONS } from '../../../src/config/index.js';
import { parseConfigFile } from '../../../src/config/config-file.js';
import { parseMesh } from '../../../src/config/mesh-file.js';

describe('YAML aliases', () => {
  it.each([
    ['an alias with no anchor', '*!'],
    ['an alias before its anchor', 'general:\n  logLevel: *lvl\nxds:\n  enabled: &lvl true\n'],
    ['aliases that expand into a huge value', `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`],
  ])('%s in config.yaml or mesh.yaml is VMLET_CONFIG_YAML_SYNTAX naming the file', (_name, text) => {
    const c = parseConfigFile(text, '/etc/vmlet/config.yaml', SECTIONS);
    expect(c.problems.map((p) => [p.code, p.file])).toEqual([['VMLET_CONFIG_YAML_SYNTAX', '/etc/vmlet/config.yaml']]);
    expect(c.problems[0]!.message).toMatch(/^is not valid YAML: /);
    const m = parseMesh(text, '/istio/mesh.yaml');
    expect(m.problems.map((p) => [p.code, p.file])).toEqual([['VMLET_CONFIG_YAML_SYNTAX', '/istio/mesh.yaml']]);
  });

  it('an alias after its anchor still reads', () => {
    const c = parseConfigFile('general:\n  logLevel: &lvl debug\n', '/c.yaml', SECTIONS);
    expect(c.problems).toEqual([]);
    expect(c.values.get('general.logLevel')?.value).toBe('debug');
  });
});
