/**
 * The PKCS#10 certificate request (RFC 2986) vmlet sends to istiod, written as DER: an empty
 * subject, the key's SubjectPublicKeyInfo as node:crypto exports it, one extensionRequest
 * attribute holding one critical SubjectAltName with one URI, signed with SHA-256 (RSA
 * PKCS#1 v1.5 or ECDSA P-256) or SHA-384 (ECDSA P-384). Exactly this one shape, so the encoder
 * below knows only what it needs: lengths, SEQUENCE/SET/INTEGER/OID/BOOLEAN/OCTET/BIT STRING and
 * two context tags. Pure: bytes in, bytes out; the signing is node:crypto's.
 */
import { sign, type KeyObject } from 'node:crypto';

/** A DER length: short form below 128, else 0x80|n followed by n big-endian bytes. */
export function derLength(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`DER length must be a non-negative integer (got ${n})`);
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One tag-length-value; `tag` is the whole identifier octet (class, constructed bit, number < 31). */
export function tlv(tag: number, ...content: Uint8Array[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const seq = (...c: Uint8Array[]) => tlv(0x30, ...c);
const set = (...c: Uint8Array[]) => tlv(0x31, ...c);

/** An OBJECT IDENTIFIER from its dotted form (first arc 0-2, base-128 arcs). */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new RangeError(`not an OID: ${dotted}`);
    return Number(a);
  });
  if (arcs.length < 2 || arcs[0]! > 2 || (arcs[0]! < 2 && arcs[1]! > 39)) throw new RangeError(`not an OID: ${dotted}`);
  const out: number[] = [];
  for (const arc of [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)]) {
    if (!Number.isSafeInteger(arc)) throw new RangeError(`OID arc too large: ${dotted}`);
    const b = [arc % 128];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) b.unshift(0x80 | v % 128);
    out.push(...b);
  }
  return tlv(0x06, Buffer.from(out));
}

const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';

/** The signature AlgorithmIdentifier and hash for a key (RFC 4055 §5: RSA carries NULL params; RFC 5758 §3.2: ECDSA none). */
function signatureAlgorithm(key: KeyObject): { id: Buffer; hash: 'sha256' | 'sha384' } {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return { id: seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00])), hash: 'sha256' };
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return { id: seq(oid('1.2.840.10045.4.3.2')), hash: 'sha256' };
    if (curve === 'secp384r1') return { id: seq(oid('1.2.840.10045.4.3.3')), hash: 'sha384' };
    throw new RangeError(`CSR: EC curve ${String(curve)} is not supported (P-256 or P-384)`);
  }
  throw new RangeError(`CSR: key type ${String(type)} is not supported (RSA or EC)`);
}

/** SubjectAltName's GeneralNames with one uniformResourceIdentifier ([6] IMPLICIT IA5String). */
function sanWithUri(uri: string): Buffer {
  // IA5String is 7-bit ASCII; a SPIFFE ID made of other characters cannot be put in a certificate.
  if (uri.length === 0 || !/^[\x21-\x7e]+$/.test(uri)) throw new RangeError(`CSR: the SAN URI must be non-empty printable ASCII without spaces (got ${JSON.stringify(uri)})`);
  return seq(tlv(0x86, Buffer.from(uri, 'ascii')));
}

/** The CertificationRequestInfo: the bytes that are signed. */
export function certificationRequestInfo(spkiDer: Uint8Array, uri: string): Buffer {
  const sanExtension = seq(oid(OID_SUBJECT_ALT_NAME), Buffer.from([0x01, 0x01, 0xff]), tlv(0x04, sanWithUri(uri)));
  const attributes = tlv(0xa0, seq(oid(OID_EXTENSION_REQUEST), set(seq(sanExtension))));
  return seq(Buffer.from([0x02, 0x01, 0x00]), seq(), spkiDer, attributes);
}

/** A signed PKCS#10 request (DER) for `privateKey` with `uri` as its only, critical, SAN. */
export function buildCsr(privateKey: KeyObject, publicKey: KeyObject, uri: string): Buffer {
  const alg = signatureAlgorithm(privateKey);
  const info = certificationRequestInfo(publicKey.export({ type: 'spki', format: 'der' }), uri);
  // node:crypto signs EC keys in DER (r, s) form, as X.509 wants; RSA keys with PKCS#1 v1.5.
  const signature = sign(alg.hash, info, privateKey);
  return seq(info, alg.id, tlv(0x03, Buffer.from([0x00]), signature));
}
