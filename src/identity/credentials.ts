/**
 * Identity's side of the istiod connector (src/istiod's ClientCredentials): the current workload
 * certificate and the istio-token, read anew from its file on every call (identity/token.ts is the
 * one reader), so a token written after start is used. The token never leaves this call.
 */
import type { ClientCredentials } from '../istiod/types.js';
import { readToken } from './token.js';
import type { IdentitySource } from './types.js';

/** A token that can travel as an HTTP/2 header value: printable ASCII, no spaces (a JWT always is). */
const SENDABLE = /^[\x21-\x7e]+$/;

export function clientCredentials(source: Pick<IdentitySource, 'current'> | undefined, tokenPath: string | undefined): ClientCredentials {
  return {
    current: () => source?.current(),
    // A token file overwritten with garbage (control bytes, binary) cannot be sent at all: the
    // call failed before reaching istiod, so renewals over mTLS failed too. It is left out, and
    // the client certificate, when there is one, authenticates alone (the first certificate's
    // pre-flight refuses a malformed token with its own error).
    bearerToken: () => {
      const token = readToken(tokenPath);
      return token !== undefined && SENDABLE.test(token) ? token : undefined;
    },
  };
}
