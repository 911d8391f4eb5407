/**
 * Token pre-flight: the istio-token is decoded (never verified: istiod is the verifier) and
 * checked for what istiod will check, so an operator gets a precise message before a round trip
 * ends in a bare UNAUTHENTICATED. The token's contents never reach a log or a message.
 */
import { readFileSync } from 'node:fs';
import { decodeJwt, type JWTPayload } from 'jose';
import { VmletError } from '../errors.js';
import './errors.js';

export interface TokenExpectations {
  readonly audience: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Allowed clock difference, ms. */
  readonly skewMs: number;
  readonly now: number;
  /** Where the token came from, for messages. */
  readonly path: string;
}

/** The token file's text as it is (blanks included), or undefined when it cannot be read. */
export function readTokenFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The trimmed token text, or undefined when the file is missing or empty (pilot-agent omits the header). */
export function readToken(path: string | undefined): string | undefined {
  const text = path === undefined ? undefined : readTokenFile(path)?.trim();
  return text === '' ? undefined : text;
}

/** A NumericDate (seconds) as ISO time; one no Date can hold (a token's exp of 1e300) as itself. */
function isoTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? `${seconds} seconds after 1970 (out of range)` : d.toISOString();
}

export function humanDuration(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

/** Throws a VmletError with the token's own code when istiod would reject it. */
export function preflightToken(token: string, e: TokenExpectations): void {
  const mint = `mint a new one with \`kubectl create token ${e.serviceAccount} -n ${e.namespace} --audience ${e.audience}\` or re-run \`istioctl x workload entry configure\`, and put it in ${e.path}`;
  let claims: JWTPayload;
  try {
    claims = decodeJwt(token);
  } catch {
    throw new VmletError('VMLET_TOKEN_MALFORMED', `istio-token (${e.path}) is not a JWT: ${mint}`, { details: { file: e.path } });
  }
  if (typeof claims.exp === 'number' && claims.exp * 1000 + e.skewMs <= e.now) {
    const at = isoTime(claims.exp);
    throw new VmletError('VMLET_TOKEN_EXPIRED', `istio-token expired ${humanDuration(e.now - claims.exp * 1000)} ago (at ${at}): ${mint}`, { details: { file: e.path, expiredAt: at } });
  }
  if (typeof claims.nbf === 'number' && claims.nbf * 1000 - e.skewMs > e.now) {
    const at = isoTime(claims.nbf);
    throw new VmletError('VMLET_TOKEN_NOT_YET_VALID', `istio-token is not valid until ${at} (${humanDuration(claims.nbf * 1000 - e.now)} from now): check this VM's clock (timedatectl) or mint a new token`, { details: { file: e.path, notBefore: at } });
  }
  const aud = claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(e.audience)) {
    throw new VmletError('VMLET_TOKEN_WRONG_AUDIENCE', `istio-token's audience is ${aud.length ? aud.map((a) => JSON.stringify(a)).join(', ') : 'missing'}, istiod expects ${JSON.stringify(e.audience)}: ${mint}`, { details: { file: e.path, audiences: aud } });
  }
  const want = `system:serviceaccount:${e.namespace}:${e.serviceAccount}`;
  if (claims.sub !== want) {
    // The payload is JSON from outside: sub may be any type (jose's decodeJwt checks no claim).
    const parts = (typeof claims.sub === 'string' ? claims.sub : '').split(':');
    const shaped = parts.length === 4 && parts[0] === 'system' && parts[1] === 'serviceaccount';
    const why = shaped
      ? `is for namespace ${JSON.stringify(parts[2])}, service account ${JSON.stringify(parts[3])}, but this VM is configured as ${e.namespace}/${e.serviceAccount} (identity.namespace, identity.serviceAccount; cluster.env POD_NAMESPACE, SERVICE_ACCOUNT)`
      : 'is not a Kubernetes service-account subject (system:serviceaccount:<ns>:<sa>)';
    throw new VmletError('VMLET_TOKEN_WRONG_SUBJECT', `istio-token's subject ${why}: ${mint}`, { details: { file: e.path } });
  }
}
