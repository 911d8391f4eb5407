import { describe, expect, it } from 'vitest';
import { VmletError } from '../../../src/errors.js';
import { identityFromResponse, splitIstioChain } from '../../../src/identity/chain.js';
import { renewAt } from '../../../src/identity/renewal-timing.js';
import { serverNameFor } from '../../../src/istiod/connector.js';

describe('renewal time', () => {
  it('is halfway for ratio 0.5 and stays within ±jitter', () => {
    expect(renewAt(0, 1000, 0.5, 0.01, () => 0.5)).toBe(500);
    expect(renewAt(0, 100_000, 0.5, 0.01, () => 0)).toBe(51_000);
    expect(renewAt(0, 100_000, 0.5, 0.01, () => 0.999_999)).toBeCloseTo(49_000, -1);
    expect(renewAt(0, 1000, 1, 0.5, () => 0.999)).toBe(0);
  });
});

describe('istiod chain handling', () => {
  it('refuses a one-element chain with VMLET_CA_BAD_CHAIN', () => {
    expect(() => identityFromResponse(['-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n'], 'k')).toThrow(VmletError);
    try {
      identityFromResponse([], 'k');
    } catch (err) {
      expect((err as VmletError).code).toBe('VMLET_CA_BAD_CHAIN');
      expect((err as VmletError).message).toMatch(/0 element\(s\)/);
    }
  });

  it('splits the root off an Istio cert-chain.pem', () => {
    const block = (s: string) => `-----BEGIN CERTIFICATE-----\n${s}\n-----END CERTIFICATE-----\n`;
    expect(splitIstioChain(block('TEFG') + block('SU5U') + block('Uk9P'), block('Uk9P'))).toBe(block('TEFG') + block('SU5U'));
  });
});

describe('istiod server name (pilot-agent rule)', () => {
  it.each([
    ['localhost:15012', undefined, 'istiod.istio-system.svc'],
    ['istiod.istio-system.svc:15012', undefined, 'istiod.istio-system.svc'],
    ['10.0.0.5:15012', 'istiod.istio-system.svc', 'istiod.istio-system.svc'],
    ['istiod-east.example:15012', '', 'istiod-east.example'],
  ])('%s (override %s) → %s', (address, override, name) => {
    expect(serverNameFor(address, override)).toBe(name);
  });
});
