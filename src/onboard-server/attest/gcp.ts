/**
 * GCP Compute Engine instance identity token verifier (format=full). The JWS is checked by jose
 * against Google's keys (trust.gcp.jwksFile, or trust.gcp.jwksUrl fetched and cached by jose's
 * remote JWKS, which refetches on an unknown kid after a cooldown), RS256 only. The claims are
 * then checked here, so each refusal says exactly which one failed: iss = trust.gcp.issuer,
 * aud = the service's audience, iat not in the future and exp not past (clockSkew leeway),
 * exp - iat and the token's age within trust.gcp.maxAgeSeconds, google.compute_engine present.
 *
 * replayKey is the SHA-256 of the token's signed part (header.payload): the ledger accepts a token
 * once, until its exp = notAfter. Not of the whole token: a base64url signature has spare bits, so
 * another spelling of the same signature would be a new key.
 */
import { createHash } from 'node:crypto';
import { compactVerify, createLocalJWKSet, createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import { OnboardRefusal } from '../../onboard/protocol.js';
import { loadJwksFile } from './anchors.js';
import { attestationObject, show, stringField } from './input.js';
import { refuseIfExpired, refuseIfFuture } from './time.js';
import type { VerifiedIdentity, Verifier, VerifyContext } from './types.js';

export interface GcpVerifierOptions {
  /** Least time between two fetches of the JWKS URL on an unknown kid (ms; jose's default 30 s). */
  readonly jwksCooldownMs?: number;
  /** How long fetched keys are used before a refetch (ms; default 10 min). */
  readonly jwksCacheMaxAgeMs?: number;
  /** Upper bound on one JWKS fetch (ms; default 5 s). */
  readonly jwksTimeoutMs?: number;
}

const FORGED_FIX = 'send the token exactly as the metadata server returned it; if it is, it was not signed by a key in '
  + "the service's trust.gcp JWKS (the service's operator checks trust.gcp.jwksUrl / jwksFile)";

function invalid(reason: string, cause?: unknown): OnboardRefusal {
  return new OnboardRefusal('ONBOARD_ATTESTATION_INVALID', `GCP identity token: ${reason}`, FORGED_FIX, { cause });
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Verifies GCP attestations ({token}); see the file's header. */
export function createGcpVerifier(opts: GcpVerifierOptions = {}): Verifier {
  const remote = new Map<string, JWTVerifyGetKey>();
  let local: { jwks: object; getKey: JWTVerifyGetKey } | undefined;

  function keySource(ctx: VerifyContext): { getKey: JWTVerifyGetKey; where: string } {
    const gcp = ctx.trust.gcp;
    if (gcp?.jwksFile) {
      const jwks = loadJwksFile(gcp.jwksFile);
      if (local?.jwks !== jwks) local = { jwks, getKey: createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]) };
      return { getKey: local.getKey, where: gcp.jwksFile };
    }
    if (gcp?.jwksUrl) {
      let getKey = remote.get(gcp.jwksUrl);
      if (getKey === undefined) {
        getKey = createRemoteJWKSet(new URL(gcp.jwksUrl), {
          cooldownDuration: opts.jwksCooldownMs ?? 30_000,
          cacheMaxAge: opts.jwksCacheMaxAgeMs ?? 600_000,
          timeoutDuration: opts.jwksTimeoutMs ?? 5_000,
        });
        remote.set(gcp.jwksUrl, getKey);
      }
      return { getKey, where: gcp.jwksUrl };
    }
    throw new OnboardRefusal('ONBOARD_INTERNAL', 'this service has no Google keys configured (trust.gcp.jwksFile and trust.gcp.jwksUrl are empty)',
      "the service's operator sets trust.gcp.jwksUrl: https://www.googleapis.com/oauth2/v3/certs (or a jwksFile)");
  }

  async function verifySignature(token: string, ctx: VerifyContext): Promise<Record<string, unknown>> {
    const { getKey, where } = keySource(ctx);
    let payload: Uint8Array;
    try {
      ({ payload } = await compactVerify(token, getKey as Parameters<typeof compactVerify>[1], { algorithms: ['RS256'] }));
    } catch (err) {
      if (err instanceof errors.JWSSignatureVerificationFailed) throw invalid('its signature does not verify (forged, changed, or re-signed with another key)', err);
      if (err instanceof errors.JWKSNoMatchingKey) throw invalid(`it is signed with a key id that is not among the keys of ${where} (re-signed with another key, or keys not refreshed)`, err);
      if (err instanceof errors.JOSEAlgNotAllowed) throw invalid('its algorithm is not RS256', err);
      if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid || err instanceof errors.JOSENotSupported || err instanceof errors.JWKSMultipleMatchingKeys) {
        throw invalid(`it is not a well-formed RS256 JWT (${err.message})`, err);
      }
      throw new OnboardRefusal('ONBOARD_INTERNAL', `the service could not get Google's keys from ${where}: ${(err as Error).message}`,
        "the service's operator checks that the service reaches trust.gcp.jwksUrl (egress, proxy) or that trust.gcp.jwksFile is a JWKS", { cause: err });
    }
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload).toString('utf8'));
    } catch {
      throw invalid('its payload is not JSON');
    }
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw invalid('its payload is not a JSON object');
    return claims as Record<string, unknown>;
  }

  return {
    provider: 'gcp',
    async verify(attestation: unknown, ctx: VerifyContext): Promise<VerifiedIdentity> {
      const token = stringField(attestationObject(attestation, 'gcp'), 'token', 'gcp')!;
      if (!JWT_SHAPE.test(token)) throw invalid('it is not a JWT (three base64url parts)');
      const claims = await verifySignature(token, ctx);
      const issuer = ctx.trust.gcp?.issuer ?? 'https://accounts.google.com';
      if (claims.iss !== issuer) throw invalid(`its issuer ${show(claims.iss)} is not ${show(issuer)} (trust.gcp.issuer)`);
      const aud = claims.aud;
      if (aud !== ctx.audience && !(Array.isArray(aud) && aud.length === 1 && aud[0] === ctx.audience)) {
        throw new OnboardRefusal('ONBOARD_AUDIENCE_MISMATCH', `GCP identity token: its audience ${show(aud)} is not this service's audience ${show(ctx.audience)}`,
          `request the token with audience=${ctx.audience} (onboarding.audience in the VM's config; it defaults to onboarding.url)`);
      }
      if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number' || !Number.isFinite(claims.iat) || !Number.isFinite(claims.exp)) {
        throw invalid('its iat or exp claim is missing or not a number');
      }
      const iat = new Date(claims.iat * 1000);
      const exp = new Date(claims.exp * 1000);
      const what = 'GCP identity token';
      refuseIfFuture(`${what} (iat)`, iat, ctx.now, ctx.clockSkewSeconds);
      refuseIfExpired(`${what} (exp)`, exp, ctx.now, ctx.clockSkewSeconds);
      const maxAge = ctx.trust.gcp?.maxAgeSeconds ?? 3600;
      if (claims.exp - claims.iat > maxAge) throw invalid(`it lives ${claims.exp - claims.iat} s (exp - iat), longer than trust.gcp.maxAge ${maxAge} s`);
      refuseIfExpired(`${what} (iat + trust.gcp.maxAge ${maxAge} s)`, new Date((claims.iat + maxAge) * 1000), ctx.now, ctx.clockSkewSeconds);

      const google = claims.google as { compute_engine?: Record<string, unknown> } | undefined;
      const ce = typeof google === 'object' && google !== null ? google.compute_engine : undefined;
      if (typeof ce !== 'object' || ce === null) {
        throw new OnboardRefusal('ONBOARD_ATTESTATION_INVALID', 'GCP identity token: it has no google.compute_engine claims',
          'request the token with format=full from the metadata server of a Compute Engine VM');
      }
      const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);
      const projectId = text(ce.project_id);
      const instanceIdClaim = text(ce.instance_id);
      const zone = text(ce.zone);
      if (projectId === undefined || !/^[a-z][a-z0-9-]{4,61}[a-z0-9]$|^[a-z0-9.:-]{1,100}$/.test(projectId)) throw invalid(`its project_id ${show(ce.project_id)} is missing or malformed`);
      if (instanceIdClaim === undefined || !/^\d{1,20}$/.test(instanceIdClaim)) throw invalid(`its instance_id ${show(ce.instance_id)} is missing or malformed`);
      const attributes: Record<string, string> = {};
      for (const [k, v] of [
        ['project_id', projectId], ['project_number', text(ce.project_number)], ['zone', zone], ['instance_id', instanceIdClaim],
        ['instance_name', text(ce.instance_name)], ['email', text(claims.email)],
      ] as const) if (v !== undefined) attributes[k] = v;
      const region = zone !== undefined && /^[a-z]+-[a-z]+\d+-[a-z]$/.test(zone) ? zone.replace(/-[a-z]$/, '') : undefined;
      if (region !== undefined) attributes.region = region;
      return {
        provider: 'gcp', instanceId: instanceIdClaim, account: projectId,
        ...(region === undefined ? {} : { region }), ...(zone === undefined ? {} : { zone }),
        attributes, replayKey: createHash('sha256').update(token.slice(0, token.lastIndexOf('.'))).digest('hex'), notAfter: exp,
      };
    },
  };
}
