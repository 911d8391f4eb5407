import { describe, expect, it } from 'vitest';
import { explained, renderEvent, renderSnapshot } from '../../../src/cli/status.js';
import { EXPLANATIONS } from '../../../src/doctor/explain.js';

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
      `      cause: ${EXPLANATIONS.GATE_IDENTITY.cause}`,
      `      fix:   ${EXPLANATIONS.GATE_IDENTITY.fix}`,
      '  ✓ capture',
      'components:',
      '  envoy        ok        running, pid 4242',
      '',
    ].join('\n'));
  });

  it("explains each unmet gate by the code its reason ends with, in doctor's words; --json carries them", () => {
    const s = {
      phase: 'starting' as const,
      ready: false,
      line: 'starting',
      gates: [
        { name: 'identity', passed: false, reason: 'no workload certificate: token expired at 2026-01-01 [VMLET_TOKEN_EXPIRED]' },
        { name: 'envoy', passed: false, reason: 'Envoy has not received config from istiod yet' },
        { name: 'capture', passed: true },
      ],
      components: [],
    };
    const text = renderSnapshot(s);
    expect(text).toContain([
      '  ✗ identity: no workload certificate: token expired at 2026-01-01 [VMLET_TOKEN_EXPIRED]',
      `      cause: ${EXPLANATIONS.VMLET_TOKEN_EXPIRED.cause}`,
      `      fix:   ${EXPLANATIONS.VMLET_TOKEN_EXPIRED.fix}`,
      '  ✗ envoy: Envoy has not received config from istiod yet',
      `      cause: ${EXPLANATIONS.GATE_ENVOY.cause}`,
      `      fix:   ${EXPLANATIONS.GATE_ENVOY.fix}`,
      '  ✓ capture',
    ].join('\n'));
    expect(explained(s).gates).toEqual([
      { ...s.gates[0], ...EXPLANATIONS.VMLET_TOKEN_EXPIRED },
      { ...s.gates[1], ...EXPLANATIONS.GATE_ENVOY },
      { name: 'capture', passed: true },
    ]);
  });

  it('history lines keep the date', () => {
    expect(renderEvent({ seq: 7, time: '2026-11-25T12:00:01.250Z', type: 'phase', data: { from: 'starting', to: 'ready' } }, true)).toBe('2026-11-25T12:00:01.250Z phase starting -> ready\n');
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
