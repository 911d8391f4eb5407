// diffConfig lists what a reload changed, marks what can be applied live, and hides secrets.
import { describe, expect, it } from 'vitest';
import { defineSection, f } from '../../../src/config/field.js';
import { diffConfig } from '../../../src/config/diff.js';
import { readerFromMap } from '../../../src/config/file-reader.js';
import { loadConfig } from '../../../src/config/index.js';

const s = defineSection('s', 'test', {
  level: f.string({ doc: 'level', default: 'info', env: ['LEVEL'], live: true }),
  port: f.port({ doc: 'port', default: 1, env: ['PORT'] }),
  password: f.string({ doc: 'secret', env: ['PASSWORD'], secret: true }),
});
const load = (env: Record<string, string>, files: Record<string, string> = {}) =>
  loadConfig({ sections: [s], env, reader: readerFromMap(files) }).config;

describe('diffConfig', () => {
  it('is empty for equal configurations', () => {
    expect(diffConfig(load({}), load({}), [s])).toEqual([]);
  });

  it('lists changed keys with live flags and redacted secrets', () => {
    const changes = diffConfig(load({ PASSWORD: 'old-pw' }), load({ LEVEL: 'debug', PORT: '2', PASSWORD: 'new-pw' }), [s]);
    expect(changes).toEqual([
      { key: 's.level', before: 'info', after: 'debug', live: true },
      { key: 's.port', before: '1', after: '2', live: false },
      { key: 's.password', before: '*****', after: '*****', live: false },
    ]);
  });

  it('reports changed Istio inputs without their content', () => {
    const before = load({}, { '/var/lib/istio/envoy/cluster.env': "XDS_HEADER_AUTHORIZATION='Bearer a'\n" });
    const after = load({}, { '/var/lib/istio/envoy/cluster.env': "XDS_HEADER_AUTHORIZATION='Bearer b'\n" });
    const changes = diffConfig(before, after, [s]);
    expect(changes).toEqual([{ key: 'istio.clusterEnv', before: '*****', after: '*****', live: false }]);
  });
});
