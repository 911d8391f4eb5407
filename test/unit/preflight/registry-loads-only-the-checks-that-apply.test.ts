// The pre-flight registry asks each entry whether it applies before loading its module: each entry
// must load the check it names, and a check that does not apply is neither loaded nor run.
import { describe, expect, it } from 'vitest';
import { PREFLIGHT_CHECKS, runPreflight, type RegisteredCheck } from '../../../src/preflight/index.js';
import { testConfig } from '../../helpers/test-config.js';

describe('pre-flight registry', () => {
  it('every entry loads the check of its name', async () => {
    for (const entry of PREFLIGHT_CHECKS) expect((await entry.load()).name).toBe(entry.name);
    expect(new Set(PREFLIGHT_CHECKS.map((e) => e.name)).size).toBe(PREFLIGHT_CHECKS.length);
  });

  it('loads and runs a check only when it applies', async () => {
    const loaded: string[] = [];
    const entry = (name: string, applies: boolean): RegisteredCheck => ({
      name,
      applies: () => applies,
      load: async () => { loaded.push(name); return { name, run: () => [] }; },
    });
    await runPreflight(testConfig({}), { now: 0, uid: 0, gid: 0 }, [entry('a.on', true), entry('b.off', false)]);
    expect(loaded).toEqual(['a.on']);
  });

  it('with identity, Envoy, xDS and capture off, no check applies', () => {
    const off = testConfig({ identity: { enabled: false }, envoy: { enabled: false }, xds: { enabled: false }, capture: { enabled: false } });
    expect(PREFLIGHT_CHECKS.filter((e) => e.applies(off)).map((e) => e.name)).toEqual([]);
  });
});
