/**
 * Property tests for the token pre-flight and the certificate chain readers (outside input: the
 * istio-token file, istiod's cert_chain, the stored cert-chain.pem). For any text, JWT-shaped
 * tokens with claims of any JSON type, and mutations of the fixtures, they return or throw a
 * VmletError with one of their documented codes, never another error, and a token's text never
 * appears in a message (it is a secret).
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isVmletError } from '../../../src/errors.js';
import { identityFromResponse, pemBlocks, splitIstioChain } from '../../../src/identity/chain.js';
import { preflightToken } from '../../../src/identity/token.js';
import { ISTIO_FIXTURE } from '../../helpers/test-config.js';
import { mutatedText, RUNS, textInput } from '../../helpers/mutate.js';

const TOKEN = readFileSync(join(ISTIO_FIXTURE, 'istio-token'), 'utf8').trim();
const ROOT = readFileSync(join(ISTIO_FIXTURE, 'root-cert.pem'), 'utf8');
const LEAF = readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'certs', 'leaf-not-ca.pem'), 'utf8');
const TOKEN_CODES = ['VMLET_TOKEN_MALFORMED', 'VMLET_TOKEN_EXPIRED', 'VMLET_TOKEN_NOT_YET_VALID', 'VMLET_TOKEN_WRONG_AUDIENCE', 'VMLET_TOKEN_WRONG_SUBJECT'];
const expectations = { audience: 'istio-ca', namespace: 'bar', serviceAccount: 'vm-sa', skewMs: 60_000, now: Date.UTC(2026, 0, 1), path: '/istio/istio-token' };

const b64url = (s: string) => Buffer.from(s).toString('base64url');
/** Any JSON value, including numbers no Date can hold and the shapes claims should have. */
const claimValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.double(), fc.integer(), fc.constantFrom(1e300, -1e300, 8.64e15, -8.64e15, 2 ** 53, 0, -1),
  fc.constantFrom('istio-ca', 'system:serviceaccount:bar:vm-sa', 'system:serviceaccount:x', ''),
  fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant('istio-ca')), { maxLength: 3 }),
);
const claims = fc.record({ exp: claimValue, nbf: claimValue, aud: claimValue, sub: claimValue, iss: claimValue }, { requiredKeys: [] });
const jwtShaped = claims.map((c) => `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${b64url(JSON.stringify(c))}.${b64url('sig')}`);

function expectOnly(codes: readonly string[], fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (err) {
    expect(isVmletError(err), `not a VmletError: ${String(err)}`).toBe(true);
    expect(codes).toContain((err as { code: string }).code);
    return err;
  }
}

describe('token pre-flight survives any token', { timeout: 60_000 }, () => {
  it('any text, JWT-shaped tokens with claims of any type, mutated fixture: a token code or nothing, never the token in the message', () => {
    fc.assert(fc.property(fc.oneof(textInput(TOKEN), jwtShaped), (token) => {
      const err = expectOnly(TOKEN_CODES, () => preflightToken(token, expectations));
      if (err !== undefined && token.trim().length >= 16) expect((err as Error).message).not.toContain(token.trim());
    }), RUNS);
  });
});

describe('certificate chains survive any input', { timeout: 60_000 }, () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const pem = fc.oneof(mutatedText(LEAF), mutatedText(ROOT), fc.constantFrom(LEAF, ROOT), fc.string({ maxLength: 200 }));

  it("istiod's cert_chain: an identity or VMLET_CA_BAD_CHAIN, never another error", () => {
    fc.assert(fc.property(fc.array(pem, { maxLength: 4 }), (chain) => {
      expectOnly(['VMLET_CA_BAD_CHAIN'], () => identityFromResponse(chain, keyPem));
    }), { numRuns: 200 });
  });

  it('stored cert-chain.pem: splitting off the root never throws and keeps only whole blocks', () => {
    fc.assert(fc.property(fc.oneof(mutatedText(LEAF + ROOT), fc.string({ maxLength: 400 })), pem, (file, root) => {
      const leafPart = splitIstioChain(file, root);
      expect(pemBlocks(leafPart).join('')).toBe(leafPart);
    }), RUNS);
  });
});
