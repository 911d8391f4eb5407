import { generateKeyPair, SignJWT, type CryptoKey as JoseKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { VmletError } from '../../../src/errors.js';
import { preflightToken } from '../../../src/identity/token.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const base = { audience: 'istio-ca', namespace: 'bar', serviceAccount: 'vm-sa', skewMs: 60_000, now: NOW, path: '/etc/istio-token' };
let key: JoseKey;

async function token(claims: { sub?: string; aud?: string | string[]; exp?: number; nbf?: number }): Promise<string> {
  const jwt = new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject(claims.sub ?? 'system:serviceaccount:bar:vm-sa').setAudience(claims.aud ?? 'istio-ca');
  jwt.setExpirationTime(claims.exp ?? NOW / 1000 + 3600);
  if (claims.nbf !== undefined) jwt.setNotBefore(claims.nbf);
  return jwt.sign(key);
}

function codeOf(fn: () => void): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(VmletError);
    return { code: (err as VmletError).code, message: (err as VmletError).message };
  }
  return { code: 'none', message: '' };
}

describe('token pre-flight', () => {
  beforeAll(async () => {
    key = (await generateKeyPair('ES256')).privateKey as JoseKey;
  });

  it('accepts a token istiod would accept (aud list, exp within skew)', async () => {
    const t = await token({ aud: ['other', 'istio-ca'], exp: NOW / 1000 - 30 });
    expect(codeOf(() => preflightToken(t, base)).code).toBe('none');
  });

  it.each([
    ['expired 2h ago', { exp: NOW / 1000 - 7200 }, 'VMLET_TOKEN_EXPIRED', /istio-token expired 2h ago \(at 2026-01-01T10:00:00\.000Z\): mint a new one with `kubectl create token vm-sa -n bar --audience istio-ca`/],
    ['not yet valid', { nbf: NOW / 1000 + 600 }, 'VMLET_TOKEN_NOT_YET_VALID', /not valid until 2026-01-01T12:10:00\.000Z \(10m from now\): check this VM's clock/],
    ['wrong audience', { aud: 'kubernetes' }, 'VMLET_TOKEN_WRONG_AUDIENCE', /audience is "kubernetes", istiod expects "istio-ca"/],
    ['another service account', { sub: 'system:serviceaccount:bar:other' }, 'VMLET_TOKEN_WRONG_SUBJECT', /namespace "bar", service account "other", but this VM is configured as bar\/vm-sa/],
    ['not a service account', { sub: 'alice' }, 'VMLET_TOKEN_WRONG_SUBJECT', /not a Kubernetes service-account subject/],
  ] as const)('%s → %s', async (_name, claims, code, message) => {
    const t = await token(claims);
    const got = codeOf(() => preflightToken(t, base));
    expect(got.code).toBe(code);
    expect(got.message).toMatch(message);
    expect(got.message).not.toContain(t.split('.')[1]);
  });

  it('garbage is VMLET_TOKEN_MALFORMED and the message does not echo it', () => {
    const got = codeOf(() => preflightToken('not-a-jwt-secret-value', base));
    expect(got.code).toBe('VMLET_TOKEN_MALFORMED');
    expect(got.message).toMatch(/istio-token \(\/etc\/istio-token\) is not a JWT/);
    expect(got.message).not.toContain('secret-value');
  });
});
