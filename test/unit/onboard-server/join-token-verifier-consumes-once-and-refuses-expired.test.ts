// The join-token verifier: it looks a token up by SHA-256 only (the store never sees the token),
// refuses unknown/used and expired ones with ONBOARD_JOIN_TOKEN_INVALID, and never shows the token.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkJoinTokenRecord, createJoinTokenVerifier, joinTokenMatches, joinTokenSha256 } from '../../../src/onboard-server/attest/join-token.js';
import type { JoinTokenRecord, JoinTokenStore, VerifyContext } from '../../../src/onboard-server/attest/types.js';
import { AUDIENCE, expectRefusal, NONCE } from './attest-fixtures.js';

const TOKEN = 'vjt_3q8XkP0d9sLrTzYwB7mN2cVfHgJ4aQeU';
const NOW = new Date('2026-12-05T12:00:00Z');

/** A store holding one record under the token's digest; consuming removes it (single use). */
function storeWith(record: JoinTokenRecord | undefined): JoinTokenStore & { asked: string[] } {
  const records = new Map(record === undefined ? [] : [[joinTokenSha256(TOKEN), record]]);
  const asked: string[] = [];
  return {
    asked,
    async consume(sha) {
      asked.push(sha);
      const r = records.get(sha);
      records.delete(sha);
      return r;
    },
  };
}
const ctx = (joinTokens?: JoinTokenStore, now = NOW): VerifyContext => ({ now, nonce: NONCE, audience: AUDIENCE, trust: {}, clockSkewSeconds: 60, joinTokens });
const record: JoinTokenRecord = { group: { namespace: 'web', name: 'web-vms' }, expiresAt: new Date('2026-12-05T13:00:00Z'), id: 'join-token-7f3k2' };

describe('join tokens', () => {
  it('a valid token verifies once, looked up by its SHA-256, and yields the group it was made for', async () => {
    const store = storeWith(record);
    const v = createJoinTokenVerifier();
    await expect(v.verify({ token: TOKEN }, ctx(store))).resolves.toEqual({
      provider: 'join-token', instanceId: 'join-token-7f3k2', account: 'web/web-vms',
      attributes: { group: 'web/web-vms', namespace: 'web', name: 'web-vms' },
      replayKey: createHash('sha256').update(TOKEN).digest('hex'), notAfter: record.expiresAt,
    });
    expect(store.asked).toEqual([createHash('sha256').update(TOKEN).digest('hex')]);
    await expectRefusal(v.verify({ token: TOKEN }, ctx(store)), 'ONBOARD_JOIN_TOKEN_INVALID', /unknown or was used already/, [TOKEN]);
  });

  it('an expired token is refused with its expiry and the service clock, naming the Secret, not the token', async () => {
    const r = await expectRefusal(createJoinTokenVerifier().verify({ token: TOKEN }, ctx(storeWith(record), new Date('2026-12-05T13:01:01Z'))),
      'ONBOARD_JOIN_TOKEN_INVALID', /Secret join-token-7f3k2, for web\/web-vms\) expired at 2026-12-05T13:00:00\.000Z, the service's clock says 2026-12-05T13:01:01\.000Z/, [TOKEN]);
    expect(r.fix).toMatch(/join-token create/);
    // Within the clock skew it is still good.
    await expect(createJoinTokenVerifier().verify({ token: TOKEN }, ctx(storeWith(record), new Date('2026-12-05T13:00:59Z')))).resolves.toBeDefined();
  });

  it('an unknown token, a mangled one, a missing store', async () => {
    await expectRefusal(createJoinTokenVerifier().verify({ token: TOKEN }, ctx(storeWith(undefined))), 'ONBOARD_JOIN_TOKEN_INVALID', /unknown/, [TOKEN]);
    await expectRefusal(createJoinTokenVerifier().verify({ token: 'short' }, ctx(storeWith(record))), 'ONBOARD_JOIN_TOKEN_INVALID', /not 16 to 512 printable/, ['short']);
    await expectRefusal(createJoinTokenVerifier().verify({ token: `${TOKEN}\n` }, ctx(storeWith(record))), 'ONBOARD_JOIN_TOKEN_INVALID', /printable/);
    await expectRefusal(createJoinTokenVerifier().verify({ token: TOKEN }, ctx(undefined)), 'ONBOARD_INTERNAL', /no join-token store/);
    await expectRefusal(createJoinTokenVerifier().verify({}, ctx(storeWith(record))), 'ONBOARD_BAD_REQUEST', /attestation\.token/);
  });

  it('the pure helpers: digest, constant-time match, expiry', () => {
    expect(joinTokenSha256(TOKEN)).toBe(createHash('sha256').update(TOKEN).digest('hex'));
    expect(joinTokenMatches(TOKEN, joinTokenSha256(TOKEN).toUpperCase())).toBe(true);
    expect(joinTokenMatches(`${TOKEN}x`, joinTokenSha256(TOKEN))).toBe(false);
    expect(joinTokenMatches(TOKEN, 'abc')).toBe(false);
    expect(() => checkJoinTokenRecord(record, new Date('2026-12-05T12:59:00Z'), 0)).not.toThrow();
    expect(() => checkJoinTokenRecord(record, new Date('2026-12-05T13:00:01Z'), 0)).toThrow(/expired/);
  });
});
