/**
 * Trust anchors from the files the server's `trust:` section names: PEM certificates (every
 * CERTIFICATE block of each file) and JWKS files. Read when first needed and again when the
 * file's mtime or size changes, so an operator rotating a file needs no restart; an unreadable
 * or empty file is a refusal that names the file (the service's operator must fix it).
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { OnboardRefusal } from '../../onboard/protocol.js';

interface Cached<T> {
  readonly stamp: string;
  readonly value: T;
}
const cache = new Map<string, Cached<unknown>>();

function loadCached<T>(kind: string, file: string, parse: (text: string) => T): T {
  let stamp: string;
  try {
    const st = statSync(file);
    stamp = `${st.mtimeMs}:${st.size}`;
  } catch (err) {
    throw unreadable(file, (err as Error).message);
  }
  const key = `${kind}:${file}`;
  const hit = cache.get(key);
  if (hit?.stamp === stamp) return hit.value as T;
  let value: T;
  try {
    value = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw err instanceof OnboardRefusal ? err : unreadable(file, (err as Error).message);
  }
  cache.set(key, { stamp, value });
  return value;
}

function unreadable(file: string, why: string): OnboardRefusal {
  return new OnboardRefusal('ONBOARD_INTERNAL', `the service cannot read its trust anchor file ${file}: ${why}`,
    "the service's operator fixes the file named in the config's trust: section (docs/onboard-verification.md says where each comes from)");
}

/** Every certificate in the PEM files, in order. */
export function loadCertificates(files: readonly string[]): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const file of files) {
    out.push(...loadCached('pem', file, (text) => {
      const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
      if (blocks.length === 0) throw new Error('no PEM CERTIFICATE block in it');
      return blocks.map((b) => {
        const cert = new X509Certificate(b);
        void cert.publicKey; // read now: a damaged key fails here, naming the file
        return cert;
      });
    }));
  }
  return out;
}

/** A JWKS file's parsed JSON (`{"keys":[...]}`). */
export function loadJwksFile(file: string): { keys: Array<Record<string, unknown>> } {
  return loadCached('jwks', file, (text) => {
    const json = JSON.parse(text) as unknown;
    if (typeof json !== 'object' || json === null || !Array.isArray((json as { keys?: unknown }).keys)) throw new Error('not a JWKS ({"keys":[...]})');
    return json as { keys: Array<Record<string, unknown>> };
  });
}
