/**
 * A fresh key pair per CSR (never reused) and the PKCS#10 request pilot-agent sends: empty
 * subject, one critical SubjectAltName with the URI `spiffe://<td>/ns/<ns>/sa/<sa>`. Built with
 * @peculiar/x509 over Node's WebCrypto; the private key leaves as PKCS#8 PEM.
 */
import { webcrypto } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export type KeySpec = { readonly type: 'RSA'; readonly bits: number } | { readonly type: 'ECDSA'; readonly curve: 'P256' | 'P384' };

export interface KeyAndCsr {
  /** PKCS#8 PEM. Never log it. */
  readonly keyPem: string;
  readonly csrPem: string;
}

export function spiffeId(trustDomain: string, ns: string, sa: string): string {
  return `spiffe://${trustDomain}/ns/${ns}/sa/${sa}`;
}

function algorithm(spec: KeySpec): RsaHashedKeyGenParams | EcKeyGenParams & { hash: string } {
  if (spec.type === 'RSA') return { name: 'RSASSA-PKCS1-v1_5', modulusLength: spec.bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
  return spec.curve === 'P384' ? { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' } : { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
}

export function pem(label: string, der: ArrayBuffer | Uint8Array): string {
  const b64 = Buffer.from(der as ArrayBuffer).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export async function generateKeyAndCsr(spec: KeySpec, uri: string): Promise<KeyAndCsr> {
  if (spec.type === 'RSA' && spec.bits < 2048) throw new RangeError(`RSA keys below 2048 bits are refused (asked for ${spec.bits})`);
  const alg = algorithm(spec);
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    keys,
    signingAlgorithm: alg,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: uri }], true)],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as webcrypto.CryptoKey);
  return { keyPem: pem('PRIVATE KEY', pkcs8), csrPem: csr.toString('pem') };
}
