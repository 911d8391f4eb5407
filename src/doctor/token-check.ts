/**
 * Doctor's token check: the same pre-flight `vmlet run` applies (src/identity/preflight.ts), plus
 * what the claims say (subject, audience, expiry) and whether a stored certificate makes the token
 * unnecessary. The token's text is never shown.
 */
import { tokenCheck } from '../identity/preflight.js';
import { istioTokenPath } from '../config/istio-files.js';
import { humanDuration, readToken } from '../identity/token.js';
import { detectHost } from '../xds/host-facts.js';
import { explain } from './explain.js';
import { claimsOf } from './files-and-token.js';
import { fail, pass, skip, warn, type DoctorContext, type Verdict } from './types.js';

/** A stored certificate's facts, when one is there and valid for this namespace and account. */
export interface StoredCert {
  readonly spiffeId: string;
  readonly notAfter: number;
  readonly ours: boolean;
}

export async function checkToken(ctx: DoctorContext, stored: StoredCert | undefined): Promise<Verdict> {
  const c = ctx.load.config;
  if (!c.identity.enabled) return skip('identity.enabled=false: no token is used');
  const path = istioTokenPath(c.istio);
  const text = readToken(path);
  const claims = text ? claimsOf(text) : undefined;
  const now = ctx.now();
  const want = `system:serviceaccount:${c.identity.namespace}:${c.identity.serviceAccount}`;
  const data = {
    path,
    expected: { sub: want, aud: c.identity.tokenAudience },
    ...(claims ? { claims: { sub: claims.sub, aud: claims.aud, ...(claims.exp ? { exp: new Date(claims.exp * 1000).toISOString() } : {}), ...(claims.nbf ? { nbf: new Date(claims.nbf * 1000).toISOString() } : {}), iss: claims.iss } } : {}),
  };
  const valid = stored !== undefined && stored.ours && stored.notAfter > now;
  const findings = await tokenCheck.run(c, { now, uid: ctx.uid, gid: 0, host: detectHost() });
  const finding = findings[0];
  if (valid) {
    const note = `not needed: the stored certificate (${stored.spiffeId}) is valid for ${humanDuration(stored.notAfter - now)} and renews itself`;
    return pass(finding ? `${note}; the token would be refused (${finding.error.code})` : note, data);
  }
  if (finding === undefined) {
    const exp = claims?.exp === undefined ? 'no exp' : `expires in ${humanDuration(claims.exp * 1000 - now)}`;
    const soon = claims?.exp !== undefined && claims.exp * 1000 - now < 600_000;
    const saw = `sub ${claims?.sub}, aud ${claims?.aud.join(',')}, ${exp}`;
    // Used once, for the first certificate: a token about to expire must be used soon.
    return soon ? warn(`${saw}: expires before long, and there is no stored certificate yet`, explain('VMLET_TOKEN_EXPIRED')!, data) : pass(saw, data);
  }
  const o = c.onboarding;
  if (o.provider !== 'none' && finding.severity === 'warning') {
    // Pre-flight lets `vmlet run` start without a usable token when onboarding is configured:
    // onboarding writes one before identity needs it (whether it can: the onboarding check).
    return pass(`${finding.error.code}: onboarding will supply it: provider ${o.provider} at ${o.url}`, { ...data, onboarding: { provider: o.provider, url: o.url } });
  }
  const why = explain(finding.error.code) ?? { cause: finding.error.message, fix: 'see the message' };
  const saw = `${finding.error.code}: ${finding.error.message.split(': mint')[0]}`;
  // Without onboarding even TOKEN_MISSING (run waits for one) fails: without it there is no first certificate.
  return fail(saw, why, data);
}
