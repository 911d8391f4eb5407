import { describe, expect, it } from 'vitest';
import { renderEvent, renderSnapshot } from '../../../src/cli/status.js';

describe('vmlet status output', () => {
  it('renders the line, phase, gates and components', () => {
    expect(renderSnapshot({
      phase: 'starting',
      ready: false,
      line: 'starting: waiting for identity (CA unreachable)',
      gates: [{ name: 'identity', passed: false, reason: 'CA unreachable' }, { name: 'capture', passed: true }],
      components: [{ name: 'envoy', state: 'ok', detail: 'running, pid 4242', since: '' }],
    })).toBe([
      'vmlet: starting: waiting for identity (CA unreachable)',
      'phase: starting',
      'gates:',
      '  ✗ identity: CA unreachable',
      '  ✓ capture',
      'components:',
      '  envoy        ok        running, pid 4242',
      '',
    ].join('\n'));
  });

  it.each([
    [{ type: 'phase', data: { from: 'ready', to: 'stopping' } }, '12:00:01.250 phase ready -> stopping\n'],
    [{ type: 'gate', data: { name: 'envoy', passed: false, reason: 'admin down' } }, '12:00:01.250 gate envoy not met: admin down\n'],
    [{ type: 'gate', data: { name: 'envoy', passed: true } }, '12:00:01.250 gate envoy passed\n'],
    [{ type: 'component', data: { name: 'xds', state: 'ok', detail: 'connected' } }, '12:00:01.250 xds ok connected\n'],
    [{ type: 'identity', data: { expiresIn: '23h' } }, '12:00:01.250 identity {"expiresIn":"23h"}\n'],
  ])('renders %j', (e, expected) => {
    expect(renderEvent({ seq: 1, time: '2026-11-25T12:00:01.250Z', ...e })).toBe(expected);
  });
});
