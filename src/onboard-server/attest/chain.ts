/**
 * Certificate path from a signer to one of the configured roots, with node:crypto's X509Certificate:
 * each link's issuer name and signature, every certificate within its validity at `now`, every
 * issuer a CA. Intermediates come from the PKCS#7 (untrusted until a path reaches a root). Pure.
 */
import type { X509Certificate } from 'node:crypto';

/** Longest path accepted: leaf, up to 3 intermediates, root. */
const MAX_DEPTH = 5;

function withinValidity(cert: X509Certificate, now: Date, skewSeconds: number): boolean {
  const skew = skewSeconds * 1000;
  return new Date(cert.validFrom).getTime() - skew <= now.getTime() && now.getTime() <= new Date(cert.validTo).getTime() + skew;
}

function issues(issuer: X509Certificate, cert: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    // A certificate OpenSSL cannot evaluate issues nothing.
    return false;
  }
}

/**
 * The path leaf -> ... -> root, or a string saying why there is none (for the refusal's reason).
 */
export function chainToRoots(
  leaf: X509Certificate, intermediates: readonly X509Certificate[], roots: readonly X509Certificate[], now: Date, skewSeconds: number,
): X509Certificate[] | string {
  const path = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (!withinValidity(current, now, skewSeconds)) {
      return `certificate "${current.subject.replace(/\n/g, ', ')}" is outside its validity (${current.validFrom} .. ${current.validTo}) at the service's time ${now.toISOString()}`;
    }
    if (roots.some((r) => r.fingerprint256 === current.fingerprint256)) return path;
    const root = roots.find((r) => issues(r, current));
    if (root !== undefined) {
      if (!root.ca || !withinValidity(root, now, skewSeconds)) return `the configured root "${root.subject.replace(/\n/g, ', ')}" is not a valid CA at ${now.toISOString()}`;
      return [...path, root];
    }
    const next = intermediates.find((i) => i.ca && !path.includes(i) && issues(i, current));
    if (next === undefined) {
      return `no path from "${leaf.subject.replace(/\n/g, ', ')}" to a configured root: "${current.subject.replace(/\n/g, ', ')}" `
        + `was issued by "${current.issuer.replace(/\n/g, ', ')}", which is neither a configured root nor a CA certificate in the document`;
    }
    path.push(next);
    current = next;
  }
  return `the certificate path is longer than ${MAX_DEPTH}`;
}
