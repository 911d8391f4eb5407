/**
 * A fresh key pair per CSR (never reused) and the PKCS#10 request pilot-agent sends: empty
 * subject, one critical SubjectAltName with the URI `spiffe://<td>/ns/<ns>/sa/<sa>`. Built with
 * @peculiar/x509 over Node's WebCrypto; the private key leaves as PKCS#8 PEM.
 */
import { webcrypto } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { keyAlgorithm, takeKeyPair, type KeySpec } from './key-prewarm.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

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
  const alg = keyAlgorithm(spec);
  const keys = await takeKeyPair(spec);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    keys,
    signingAlgorithm: alg,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: uri }], true)],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as webcrypto.CryptoKey);
  return { keyPem: pem('PRIVATE KEY', pkcs8), csrPem: csr.toString('pem') };
}
