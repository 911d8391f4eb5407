// The general section refuses a status address that is not loopback unless allowed, a
// non-address, and a drain that leaves no time to stop.
import { describe, expect, it } from 'vitest';
import { readerFromMap } from '../../../src/config/file-reader.js';
import { isLoopbackAddress, loadConfig } from '../../../src/config/index.js';

const load = (env: Record<string, string>) => loadConfig({ env, reader: readerFromMap({}) });
const conflicts = (env: Record<string, string>) => load(env).problems.filter((p) => p.code === 'VMLET_CONFIG_CONFLICT').map((p) => p.key);

describe('general section', () => {
  it.each(['127.0.0.1', '127.8.9.10', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost'])('%s is loopback', (a) => {
    expect(isLoopbackAddress(a)).toBe(true);
  });

  it.each(['0.0.0.0', '::', '10.0.0.1', '::ffff:10.0.0.1', 'example.com', '128.0.0.1'])('%s is not loopback', (a) => {
    expect(isLoopbackAddress(a)).toBe(false);
  });

  it('a non-loopback status address needs allowNonLoopback', () => {
    expect(conflicts({ VMLET_STATUS_ADDRESS: '10.0.0.1' })).toEqual(['general.statusAddress (from environment VMLET_STATUS_ADDRESS)']);
    expect(conflicts({ VMLET_STATUS_ADDRESS: '10.0.0.1', VMLET_STATUS_ALLOW_NON_LOOPBACK: 'true' })).toEqual([]);
  });

  it('a host name is not an address to bind', () => {
    const p = load({ VMLET_STATUS_ADDRESS: 'vm.example.com' }).problems;
    expect(p).toEqual([expect.objectContaining({ code: 'VMLET_CONFIG_CONFLICT', message: '"vm.example.com" is not an IP address' })]);
  });

  it('drainGrace must be shorter than shutdownTimeout', () => {
    expect(conflicts({ VMLET_DRAIN_GRACE: '30s' })).toEqual(['general.drainGrace (from environment VMLET_DRAIN_GRACE)']);
    expect(conflicts({ VMLET_DRAIN_GRACE: '30s', VMLET_SHUTDOWN_TIMEOUT: '45s' })).toEqual([]);
  });

  it('defaults pass their own checks', () => {
    expect(load({}).problems).toEqual([]);
  });
});
