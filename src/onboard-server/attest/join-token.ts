/**
 * One-time join tokens (on-premises VMs). The service keeps only a token's SHA-256 (in a Secret
 * that onb-server's store reads and deletes on use: single use); this file is the pure part: the
 * digest, a constant-time comparison, the expiry check, and the verifier that consumes through
 * the injected JoinTokenStore. Every refusal is ONBOARD_JOIN_TOKEN_INVALID and never shows the token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { OnboardRefusal } from '../../onboard/protocol.js';
import { attestationObject, stringField } from './input.js';
import type { JoinTokenRecord, VerifiedIdentity, Verifier, VerifyContext } from './types.js';

/** A join token is 16..512 printable ASCII characters without spaces (what `join-token create` prints is longer than 16). */
const TOKEN_SHAPE = /^[\x21-\x7e]{16,512}$/;

const NEW_TOKEN_FIX = 'create a new join token (`vmlet onboard-server join-token create --group NS/NAME --ttl 1h`) and put it in the VM\'s onboarding.joinTokenFile';

/** The lowercase hex SHA-256 the service stores instead of the token. */
export function joinTokenSha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time: does `token` hash to `sha256Hex`? */
export function joinTokenMatches(token: string, sha256Hex: string): boolean {
  const want = Buffer.from(sha256Hex.toLowerCase(), 'utf8');
  const got = Buffer.from(joinTokenSha256(token), 'utf8');
  return want.length === got.length && timingSafeEqual(want, got);
}

/** Refuses an expired record (expiresAt + skew before now); the record names the Secret, never the token. */
export function checkJoinTokenRecord(record: JoinTokenRecord, now: Date, skewSeconds: number): void {
  if (record.expiresAt.getTime() + skewSeconds * 1000 < now.getTime()) {
    throw new OnboardRefusal('ONBOARD_JOIN_TOKEN_INVALID',
      `the join token (Secret ${record.id}, for ${record.group.namespace}/${record.group.name}) expired at ${record.expiresAt.toISOString()}, `
      + `the service's clock says ${now.toISOString()}; it is used up now`,
      NEW_TOKEN_FIX);
  }
}

/** Verifies join-token attestations ({token}) through ctx.joinTokens. */
export function createJoinTokenVerifier(): Verifier {
  return {
    provider: 'join-token',
    async verify(attestation: unknown, ctx: VerifyContext): Promise<VerifiedIdentity> {
      const token = stringField(attestationObject(attestation, 'join-token'), 'token', 'join-token')!;
      if (!TOKEN_SHAPE.test(token)) {
        throw new OnboardRefusal('ONBOARD_JOIN_TOKEN_INVALID', 'the join token is not 16 to 512 printable characters (a truncated or mangled file?)',
          `${NEW_TOKEN_FIX}, exactly as \`join-token create\` printed it`);
      }
      if (ctx.joinTokens === undefined) {
        throw new OnboardRefusal('ONBOARD_INTERNAL', 'this service has no join-token store', 'a bug in the service: report it');
      }
      const digest = joinTokenSha256(token);
      const record = await ctx.joinTokens.consume(digest);
      if (record === undefined) {
        throw new OnboardRefusal('ONBOARD_JOIN_TOKEN_INVALID', 'the join token is unknown or was used already (each is good for one onboarding)', NEW_TOKEN_FIX);
      }
      checkJoinTokenRecord(record, ctx.now, ctx.clockSkewSeconds);
      const group = `${record.group.namespace}/${record.group.name}`;
      return {
        provider: 'join-token', instanceId: record.id, account: group,
        attributes: { group, namespace: record.group.namespace, name: record.group.name },
        replayKey: digest, notAfter: record.expiresAt,
      };
    },
  };
}
