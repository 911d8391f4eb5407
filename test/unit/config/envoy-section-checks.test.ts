// The envoy section refuses an admin port vmlet could not call, and two Envoy listeners on one port.
import { describe, expect, it } from 'vitest';
import { readerFromMap } from '../../../src/config/file-reader.js';
import { loadConfig } from '../../../src/config/index.js';

const problems = (env: Record<string, string>) => loadConfig({ env, reader: readerFromMap({}) }).problems;

describe('envoy section', () => {
  it('adminPort 0 is refused: Envoy would pick a port vmlet cannot know', () => {
    expect(problems({ VMLET_ENVOY_ADMIN_PORT: '0' })).toEqual([expect.objectContaining({
      code: 'VMLET_CONFIG_CONFLICT', key: 'envoy.adminPort (from environment VMLET_ENVOY_ADMIN_PORT)', message: expect.stringMatching(/cannot know/),
    })]);
    expect(problems({ VMLET_ENVOY_ADMIN_PORT: '15099' })).toEqual([]);
  });

  it('two Envoy listeners on one port are refused', () => {
    expect(problems({ VMLET_ENVOY_ADMIN_PORT: '15021' }).map((p) => p.message)).toEqual(['statusPort 15021 is the same as adminPort']);
  });
});
