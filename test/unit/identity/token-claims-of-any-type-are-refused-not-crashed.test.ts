// Found by the property tests (test/unit/properties): the token's payload is outside JSON and
// jose's decodeJwt checks no claim's type, so a `sub` that is not a string threw a TypeError, and
// an exp or nbf no Date can hold threw a RangeError, instead of the token's own code.
import { describe, expect, it } from 'vitest';
import { preflightToken } from '../../../src/identity/token.js';

const e = { audience: 'istio-ca', namespace: 'bar', serviceAccount: 'vm-sa', skewMs: 60_000, now: Date.UTC(2026, 0, 1), path: '/istio/istio-token' };
const jwt = (claims: Record<string, unknown>) => ['{"alg":"RS256"}', JSON.stringify(claims), 'sig'].map((p) => Buffer.from(p).toString('base64url')).join('.');

describe('token claims of the wrong type or range', () => {
  it.each([
    ['sub is a list', { aud: ['istio-ca'], sub: [] }, 'VMLET_TOKEN_WRONG_SUBJECT', /is not a Kubernetes service-account subject/],
    ['sub is a number', { aud: 'istio-ca', sub: 7 }, 'VMLET_TOKEN_WRONG_SUBJECT', /is not a Kubernetes service-account subject/],
    ['exp far before any Date', { exp: -1e300 }, 'VMLET_TOKEN_EXPIRED', /-1e\+300 seconds after 1970 \(out of range\)/],
    ['nbf far after any Date', { nbf: 1e300 }, 'VMLET_TOKEN_NOT_YET_VALID', /1e\+300 seconds after 1970 \(out of range\)/],
  ])('%s: its own code, not a crash', (_name, claims, code, message) => {
    expect(() => preflightToken(jwt(claims), e)).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
  });
});
