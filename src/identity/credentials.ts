/**
 * Identity's side of the istiod connector (src/istiod's ClientCredentials): the current workload
 * certificate and the istio-token, read anew from its file on every call (identity/token.ts is the
 * one reader), so a token written after start is used. The token never leaves this call.
 */
import type { ClientCredentials } from '../istiod/types.js';
import { readToken } from './token.js';
import type { IdentitySource } from './types.js';

export function clientCredentials(source: Pick<IdentitySource, 'current'> | undefined, tokenPath: string | undefined): ClientCredentials {
  return {
    current: () => source?.current(),
    bearerToken: () => readToken(tokenPath),
  };
}
