/**
 * Kubernetes-style service-account tokens for the istiod simulator: minted with its own ES256 key
 * and verified with jose like istiod's OIDC authenticator (signature, audience, expiry, and a
 * `system:serviceaccount:<ns>:<sa>` subject).
 */
import { generateKeyPair, jwtVerify, SignJWT, type CryptoKey as JoseKey } from 'jose';

export interface MintOptions {
  readonly ns: string;
  readonly sa: string;
  /** Audience (default istio-ca). */
  readonly aud?: string;
  /** Lifetime in seconds from now (default 3600; negative mints an expired token). */
  readonly expSeconds?: number;
  /** Not-before, seconds from now (default: none). */
  readonly nbfSeconds?: number;
  /** Replaces the subject (for wrong-subject tests). */
  readonly sub?: string;
}

export interface TokenIssuer {
  mint(o: MintOptions): Promise<string>;
  /** The authenticated ns/sa, or undefined when the token does not verify. */
  verify(token: string): Promise<{ ns: string; sa: string } | undefined>;
}

export const SIM_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export async function createTokenIssuer(audiences: readonly string[]): Promise<TokenIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return {
    async mint(o) {
      const now = Math.floor(Date.now() / 1000);
      const jwt = new SignJWT({ kubernetes: { namespace: o.ns, serviceaccount: { name: o.sa } } })
        .setProtectedHeader({ alg: 'ES256', kid: 'sim' })
        .setIssuer(SIM_ISSUER)
        .setSubject(o.sub ?? `system:serviceaccount:${o.ns}:${o.sa}`)
        .setAudience(o.aud ?? 'istio-ca')
        .setIssuedAt(now)
        .setExpirationTime(now + (o.expSeconds ?? 3600));
      if (o.nbfSeconds !== undefined) jwt.setNotBefore(now + o.nbfSeconds);
      return jwt.sign(privateKey as JoseKey);
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, publicKey as JoseKey, { issuer: SIM_ISSUER, audience: [...audiences] });
        const parts = (payload.sub ?? '').split(':');
        if (parts.length !== 4 || parts[0] !== 'system' || parts[1] !== 'serviceaccount' || !parts[2] || !parts[3]) return undefined;
        return { ns: parts[2], sa: parts[3] };
      } catch {
        return undefined;
      }
    },
  };
}
