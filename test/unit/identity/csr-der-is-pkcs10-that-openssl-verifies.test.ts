/**
 * vmlet writes its PKCS#10 request itself (src/identity/csr.ts). Three independent judges:
 * OpenSSL (`openssl req -verify`, and its reading of the SAN), @peculiar/x509 (a test-only
 * library; the CertificationRequestInfo it writes for the same key and URI must be the same bytes
 * vmlet writes, the shape vmlet sent before it had its own encoder), and hand-checked DER
 * encodings of lengths and OIDs. Property runs cover RSA-2048, ECDSA P-256 and P-384 keys and
 * random SPIFFE URIs, long enough to need one- and two-byte long-form lengths.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as x509 from '@peculiar/x509';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCsr, certificationRequestInfo, derLength, oid } from '../../../src/identity/csr.js';
import { generateKeyAndCsr, pem } from '../../../src/identity/keys.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const tmp = makeTmpDir('csr');
afterAll(() => tmp.cleanup());

/** OpenSSL's verdict on a PEM request, and its text dump (throws if OpenSSL cannot parse it). */
function openssl(csrPem: string): { verify: string; text: string } {
  const file = tmp.join('req.pem');
  writeFileSync(file, csrPem);
  const run = (...args: string[]) => execFileSync('openssl', ['req', '-in', file, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  // OpenSSL 3.0 prints "Certificate request self-signature verify OK" or "... verify failure" and
  // exits 0 either way: the verdict is the text.
  const verify = execFileSync('sh', ['-c', 'openssl req -in "$0" -verify -noout 2>&1', file], { encoding: 'utf8' });
  return { verify, text: run('-noout', '-text') };
}

const arrayBuffer = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;

/** The first element of a DER SEQUENCE (a request's CertificationRequestInfo), read with the length rules of X.690 §8.1.3. */
function firstChild(der: Buffer): Buffer {
  const headerLen = (at: number) => (der[at + 1]! < 0x80 ? 2 : 2 + (der[at + 1]! & 0x7f));
  const lengthAt = (at: number) => (der[at + 1]! < 0x80 ? der[at + 1]! : der.subarray(at + 2, at + headerLen(at)).reduce((n, b) => n * 256 + b, 0));
  const start = headerLen(0);
  return der.subarray(start, start + headerLen(start) + lengthAt(start));
}

const KEYS = {
  rsa2048: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  p256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  p384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
} as const;

const segment = fc.stringMatching(/^[a-z0-9]([a-z0-9.-]{0,120}[a-z0-9])?$/);
const spiffeUri = fc.tuple(segment, segment, segment).map(([td, ns, sa]) => `spiffe://${td}/ns/${ns}/sa/${sa}`);

describe('DER primitives', () => {
  it.each([
    [0, '00'], [1, '01'], [127, '7f'], [128, '8180'], [255, '81ff'], [256, '820100'], [65535, '82ffff'], [65536, '83010000'],
  ])('length %i is %s', (n, hex) => {
    expect(derLength(n).toString('hex')).toBe(hex);
  });

  it('refuses a negative or fractional length', () => {
    expect(() => derLength(-1)).toThrow(RangeError);
    expect(() => derLength(1.5)).toThrow(RangeError);
  });

  it.each([
    ['1.2.840.113549.1.1.11', '06092a864886f70d01010b'], // sha256WithRSAEncryption
    ['1.2.840.10045.4.3.2', '06082a8648ce3d040302'], // ecdsa-with-SHA256
    ['1.2.840.113549.1.9.14', '06092a864886f70d01090e'], // extensionRequest
    ['2.5.29.17', '0603551d11'], // subjectAltName
    ['2.999.3', '0603883703'], // first two arcs above 127 together
  ])('OID %s is %s', (dotted, hex) => {
    expect(oid(dotted).toString('hex')).toBe(hex);
  });

  it('refuses what is not an OID', () => {
    for (const bad of ['1', '3.1', '1.40', '1.2.x', '']) expect(() => oid(bad)).toThrow(RangeError);
  });
});

describe('PKCS#10 request', { timeout: 120_000 }, () => {
  it.each(Object.entries(KEYS))('%s: OpenSSL verifies the signature and reads one critical URI SAN and an empty subject', (_, { privateKey, publicKey }) => {
    const uri = 'spiffe://cluster.local/ns/bar/sa/vm-sa';
    const { verify, text } = openssl(pem('CERTIFICATE REQUEST', buildCsr(privateKey, publicKey, uri)));
    expect(verify).toMatch(/verify OK/);
    expect(text).toMatch(/X509v3 Subject Alternative Name: critical\s+URI:spiffe:\/\/cluster\.local\/ns\/bar\/sa\/vm-sa\s/);
    expect(text).toMatch(/Subject:\s*\n/);
  });

  it('OpenSSL refuses the request when one signed byte changes (the check above can fail)', () => {
    const der = buildCsr(KEYS.p256.privateKey, KEYS.p256.publicKey, 'spiffe://cluster.local/ns/bar/sa/vm-sa');
    const bad = Buffer.from(der);
    const at = bad.indexOf(Buffer.from('vm-sa'));
    bad[at] = 'w'.charCodeAt(0);
    const { verify } = openssl(pem('CERTIFICATE REQUEST', bad));
    expect(verify).toMatch(/verify failure/);
    expect(verify).not.toMatch(/verify OK/);
  });

  it('for any SPIFFE URI and key, OpenSSL verifies it and reads back exactly that URI', () => {
    fc.assert(fc.property(fc.constantFrom('rsa2048', 'p256', 'p384') , spiffeUri, (k, uri) => {
      const { privateKey, publicKey } = KEYS[k as keyof typeof KEYS];
      const { verify, text } = openssl(pem('CERTIFICATE REQUEST', buildCsr(privateKey, publicKey, uri)));
      expect(verify).toMatch(/verify OK/);
      expect(/URI:(\S+)/.exec(text)?.[1]).toBe(uri);
    }), { numRuns: 40 });
  });

  it('for any SPIFFE URI, the signed part is byte for byte what @peculiar/x509 writes for the same key', async () => {
    const pairs = await Promise.all([
      webcrypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify']),
      webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']),
    ]) as CryptoKeyPair[];
    const algs = [{ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, { name: 'ECDSA', hash: 'SHA-256' }];
    await fc.assert(fc.asyncProperty(fc.constantFrom(0, 1), spiffeUri, async (i, uri) => {
      const keys = pairs[i]!;
      const theirs = await x509.Pkcs10CertificateRequestGenerator.create({
        keys, signingAlgorithm: algs[i]!, extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: uri }], true)],
      });
      const spki = KeyObject.from(keys.publicKey as Parameters<typeof KeyObject.from>[0]).export({ type: 'spki', format: 'der' });
      expect(certificationRequestInfo(spki, uri).toString('hex')).toBe(firstChild(Buffer.from(theirs.rawData)).toString('hex'));
      const der = buildCsr(KeyObject.from(keys.privateKey as Parameters<typeof KeyObject.from>[0]), KeyObject.from(keys.publicKey as Parameters<typeof KeyObject.from>[0]), uri);
      // RSA PKCS#1 v1.5 signatures are deterministic: there the whole request is the same bytes.
      if (i === 0) expect(der.toString('hex')).toBe(Buffer.from(theirs.rawData).toString('hex'));
      const ours = new x509.Pkcs10CertificateRequest(arrayBuffer(der));
      expect(ours.signatureAlgorithm).toEqual(theirs.signatureAlgorithm);
      expect(await ours.verify()).toBe(true);
    }), { numRuns: 30 });
  });

  it('generateKeyAndCsr: the stored key is the request\'s key, and OpenSSL verifies it', async () => {
    for (const spec of [{ type: 'RSA', bits: 2048 } as const, { type: 'ECDSA', curve: 'P256' } as const]) {
      const { keyPem, csrPem } = await generateKeyAndCsr(spec, 'spiffe://td/ns/a/sa/b');
      expect(openssl(csrPem).verify).toMatch(/verify OK/);
      const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
      expect(new x509.Pkcs10CertificateRequest(csrPem).publicKey.rawData).toEqual(arrayBuffer(fromKey));
    }
  });

  it.each(['', 'spiffe://td/ns/a b/sa/c', 'spiffe://td/ns/é/sa/c'])('refuses a SAN URI that is not IA5 without spaces: %j', (uri) => {
    expect(() => buildCsr(KEYS.p256.privateKey, KEYS.p256.publicKey, uri)).toThrow(RangeError);
  });

  it('refuses keys it cannot sign a request with', () => {
    const ed = generateKeyPairSync('ed25519');
    expect(() => buildCsr(ed.privateKey, ed.publicKey, 'spiffe://td/ns/a/sa/b')).toThrow(/ed25519 is not supported/);
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    expect(() => buildCsr(k1.privateKey, k1.publicKey, 'spiffe://td/ns/a/sa/b')).toThrow(/secp256k1 is not supported/);
  });
});
