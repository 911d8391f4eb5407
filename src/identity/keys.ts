/**
 * A fresh key pair per CSR (never reused) and the PKCS#10 request pilot-agent sends: empty
 * subject, one critical SubjectAltName with the URI `spiffe://<td>/ns/<ns>/sa/<sa>`. The key pair
 * comes from node:crypto (key-prewarm.ts), the request from csr.ts signed by node:crypto; the
 * private key leaves as PKCS#8 PEM.
 */
import { buildCsr } from './csr.js';
import { takeKeyPair, type KeySpec } from './key-prewarm.js';

export type { KeySpec } from './key-prewarm.js';

export interface KeyAndCsr {
  /** PKCS#8 PEM. Never log it. */
  readonly keyPem: string;
  readonly csrPem: string;
}

export function spiffeId(trustDomain: string, ns: string, sa: string): string {
  return `spiffe://${trustDomain}/ns/${ns}/sa/${sa}`;
}

export function pem(label: string, der: ArrayBuffer | Uint8Array): string {
  const b64 = Buffer.from(der as ArrayBuffer).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export async function generateKeyAndCsr(spec: KeySpec, uri: string): Promise<KeyAndCsr> {
  if (spec.type === 'RSA' && spec.bits < 2048) throw new RangeError(`RSA keys below 2048 bits are refused (asked for ${spec.bits})`);
  const { privateKey, publicKey } = await takeKeyPair(spec);
  const csr = buildCsr(privateKey, publicKey, uri);
  return { keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, csrPem: pem('CERTIFICATE REQUEST', csr) };
}
