import { describe, expect, it } from 'vitest';
import { EXPLANATIONS, explain, explainGate } from '../../../src/doctor/explain.js';
import { allErrorCodes } from '../../../src/errors.js';
import '../../../src/config/errors.js';
import '../../../src/identity/errors.js';
import '../../../src/envoy/errors.js';
import '../../../src/capture/errors.js';
import '../../../src/xds/errors.js';
import '../../../src/onboard/errors.js';

describe('explain', () => {
  it('every VMLET_ key it explains is a registered error code', () => {
    const codes = allErrorCodes();
    for (const key of Object.keys(EXPLANATIONS).filter((k) => k.startsWith('VMLET_'))) expect(codes.has(key), key).toBe(true);
  });

  it('every text is one line', () => {
    for (const [key, e] of Object.entries(EXPLANATIONS)) {
      expect(e.cause, key).not.toMatch(/\n/);
      expect(e.fix, key).not.toMatch(/\n/);
      expect(e.cause.length, key).toBeGreaterThan(10);
    }
  });

  it('a gate reason ending in a code is explained by that code', () => {
    expect(explainGate('identity', 'no workload certificate: istio-token expired 3d ago [VMLET_TOKEN_EXPIRED]')).toBe(EXPLANATIONS.VMLET_TOKEN_EXPIRED);
  });

  it('a WorkloadGroup rejection is explained as the missing group', () => {
    expect(explainGate('envoy', 'istiod rejected the stream: FAILED_PRECONDITION cannot find WorkloadGroup ns/x')).toBe(EXPLANATIONS.ISTIOD_WORKLOADGROUP_MISSING);
  });

  it("falls back to the gate's own text, then to the reason", () => {
    expect(explainGate('health', 'no health report sent yet')).toBe(EXPLANATIONS.GATE_HEALTH);
    expect(explainGate('dns', 'not listening')).toEqual({ cause: 'not listening', fix: 'vmlet doctor' });
    expect(explain('NOPE')).toBeUndefined();
  });
});
