/**
 * PKCS#7 / CMS SignedData (RFC 5652) as AWS's /rsa2048 and Azure's attested document carry it:
 * parsed with @peculiar/asn1-cms (a maintained ASN.1 schema library, no hand-written parser),
 * the signature checked with node:crypto. One signer, RSA PKCS#1 v1.5 with SHA-256/384/512; with
 * signed attributes, the contentType and messageDigest attributes must match the content and the
 * signature covers the attributes' DER (re-tagged as a SET, RFC 5652 §5.4).
 *
 * Throws Pkcs7Error with a message naming what is wrong; the provider's verifier turns it into
 * its refusal (it knows the fix). Pure: no I/O, no clock.
 */
import { createHash, constants, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { ContentInfo, id_data, id_signedData, MessageDigest, SignedData, UnprotectedAttributes, type SignerInfo } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1js from 'asn1js';
import { Certificate, SubjectKeyIdentifier, id_ce_subjectKeyIdentifier } from '@peculiar/asn1-x509';

export class Pkcs7Error extends Error {
  override readonly name = 'Pkcs7Error';
}

const id_contentType = '1.2.840.113549.1.9.3';
/** The DER of the OBJECT IDENTIFIER id-data (1.2.840.113549.1.7.1): the only contentType attribute value accepted. */
const ID_DATA_DER = Buffer.from('06092a864886f70d010701', 'hex');
const id_messageDigest = '1.2.840.113549.1.9.4';
const DIGESTS: Readonly<Record<string, string>> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const rsaEncryption = '1.2.840.113549.1.1.1';
const RSA_WITH: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};

export interface ParsedSignedData {
  /** The embedded content's exact bytes. */
  readonly content: Buffer;
  /** The certificates the SignedData carries (signer, intermediates), possibly none. */
  readonly certificates: readonly X509Certificate[];
  readonly signer: SignerInfo;
}

/** Parses DER (or BER) ContentInfo holding SignedData with embedded content and exactly one signer. */
export function parseSignedData(der: Uint8Array): ParsedSignedData {
  return asPkcs7Error(() => parseSignedDataUnchecked(der));
}

function parseSignedDataUnchecked(der: Uint8Array): ParsedSignedData {
  let signed: SignedData;
  try {
    const info = AsnConvert.parse(der, ContentInfo);
    if (info.contentType !== id_signedData) throw new Pkcs7Error(`it is a PKCS#7 of type ${info.contentType}, not SignedData`);
    signed = AsnConvert.parse(info.content, SignedData);
  } catch (err) {
    if (err instanceof Pkcs7Error) throw err;
    throw new Pkcs7Error(`it is not a PKCS#7 SignedData (${(err as Error).message})`);
  }
  if (signed.encapContentInfo.eContentType !== id_data) throw new Pkcs7Error(`its content type is ${signed.encapContentInfo.eContentType}, not data`);
  const single = signed.encapContentInfo.eContent?.single;
  const content = single !== undefined && single.byteLength > 0 ? Buffer.from(single.buffer) : constructedContent(der);
  if (content === undefined || content.length === 0) throw new Pkcs7Error('it embeds no content (a detached signature?)');
  if (signed.signerInfos.length !== 1) throw new Pkcs7Error(`it has ${signed.signerInfos.length} signers, expected exactly 1`);
  const certificates: X509Certificate[] = [];
  for (const choice of signed.certificates ?? []) {
    if (choice.certificate === undefined) continue;
    try {
      const cert = new X509Certificate(Buffer.from(AsnConvert.serialize(choice.certificate)));
      // Node parses a certificate lazily: a damaged key only shows when it is read, so read it here.
      void cert.publicKey;
      certificates.push(cert);
    } catch (err) {
      throw new Pkcs7Error(`one of its certificates cannot be read (${(err as Error).message})`);
    }
  }
  return { content, certificates, signer: signed.signerInfos[0]! };
}

/**
 * The content when it is a constructed OCTET STRING (BER, indefinite lengths: AWS's PKCS#7 is
 * encoded so), which asn1-schema reads as empty: asn1js (the parser asn1-schema runs on) walks
 * ContentInfo.content -> SignedData.encapContentInfo -> eContent and joins the segments.
 */
function constructedContent(der: Uint8Array): Buffer | undefined {
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1) return undefined;
  const child = (node: unknown, i: number): unknown => {
    const value = (node as { valueBlock?: { value?: unknown[] } } | undefined)?.valueBlock?.value;
    return Array.isArray(value) ? value[i] : undefined;
  };
  // ContentInfo{contentType, [0]{SignedData{version, digestAlgorithms, encapContentInfo{eContentType, [0]{OCTET STRING}}}}}
  const octets = child(child(child(child(child(parsed.result, 1), 0), 2), 1), 0);
  return octets instanceof asn1js.OctetString ? Buffer.from(octets.getValue()) : undefined;
}

/**
 * The ASN.1 libraries and OpenSSL throw their own errors on damaged input at many places (an OID
 * that does not convert, a key that does not decode): all of them mean "this PKCS#7 is not valid".
 */
function asPkcs7Error<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof Pkcs7Error) throw err;
    throw new Pkcs7Error(`it is malformed (${(err as Error).message})`);
  }
}

function attributeValue(signer: SignerInfo, oid: string): ArrayBuffer {
  const attrs = (signer.signedAttrs ?? []).filter((a) => a.attrType === oid);
  if (attrs.length !== 1 || attrs[0]!.attrValues.length !== 1) throw new Pkcs7Error(`its signed attribute ${oid} is missing or repeated`);
  return attrs[0]!.attrValues[0]!;
}

/** The signer's identifier names this certificate (issuer and serial, or subject key identifier). */
function namesCertificate(signer: SignerInfo, cert: X509Certificate): boolean {
  const sid = signer.sid;
  if (sid.issuerAndSerialNumber !== undefined) {
    const serial = Buffer.from(sid.issuerAndSerialNumber.serialNumber).toString('hex').replace(/^(00)+(?=.)/, '').toUpperCase();
    if (serial !== cert.serialNumber.replace(/^(00)+(?=.)/, '').toUpperCase()) return false;
    const certIssuer = AsnConvert.serialize(certificateAsn(cert).tbsCertificate.issuer);
    return Buffer.from(AsnConvert.serialize(sid.issuerAndSerialNumber.issuer)).equals(Buffer.from(certIssuer));
  }
  if (sid.subjectKeyIdentifier !== undefined) {
    const ext = certificateAsn(cert).tbsCertificate.extensions?.find((e) => e.extnID === id_ce_subjectKeyIdentifier);
    if (ext === undefined) return false;
    const ski = AsnConvert.parse(ext.extnValue, SubjectKeyIdentifier);
    return Buffer.from(ski.buffer).equals(Buffer.from(sid.subjectKeyIdentifier.buffer));
  }
  return false;
}

/** Parsed once per certificate object: the trust anchors are the same objects on every request. */
const parsedCertificates = new WeakMap<X509Certificate, Certificate>();

function certificateAsn(cert: X509Certificate): Certificate {
  let asn = parsedCertificates.get(cert);
  if (asn === undefined) {
    asn = AsnConvert.parse(cert.raw, Certificate);
    parsedCertificates.set(cert, asn);
  }
  return asn;
}

/**
 * Checks the signature with the first of `candidates` the signer's identifier names, and returns
 * that certificate. Throws Pkcs7Error when no candidate is named, an algorithm is not accepted,
 * an attribute disagrees with the content, or the signature does not verify.
 */
export function verifySignedData(p: ParsedSignedData, candidates: readonly X509Certificate[]): X509Certificate {
  return asPkcs7Error(() => verifySignedDataUnchecked(p, candidates));
}

function verifySignedDataUnchecked(p: ParsedSignedData, candidates: readonly X509Certificate[]): X509Certificate {
  const { signer, content } = p;
  const digest = DIGESTS[signer.digestAlgorithm.algorithm];
  if (digest === undefined) throw new Pkcs7Error(`its digest algorithm ${signer.digestAlgorithm.algorithm} is not accepted (SHA-256/384/512 only)`);
  const sigAlg = signer.signatureAlgorithm.algorithm;
  const sigHash = sigAlg === rsaEncryption ? digest : RSA_WITH[sigAlg];
  if (sigHash === undefined) throw new Pkcs7Error(`its signature algorithm ${sigAlg} is not accepted (RSA with SHA-256/384/512 only)`);

  let signedBytes: Buffer;
  if (signer.signedAttrs !== undefined) {
    if (!Buffer.from(attributeValue(signer, id_contentType)).equals(ID_DATA_DER)) throw new Pkcs7Error('its signed contentType attribute is not data');
    const messageDigest = Buffer.from(AsnConvert.parse(attributeValue(signer, id_messageDigest), MessageDigest).buffer);
    if (!messageDigest.equals(createHash(digest).update(content).digest())) {
      throw new Pkcs7Error('its signed messageDigest does not match the embedded content (the content was changed after signing)');
    }
    // The signature covers the attributes' DER as a SET OF Attribute (RFC 5652 §5.4), not the [0]
    // IMPLICIT they travel in. asn1-cms leaves signedAttrsRaw empty, so re-encode them; each
    // attribute value is kept as received (ASN.1 ANY) and the order as received, so a DER original
    // re-encodes to the same bytes and anything else fails closed. UnprotectedAttributes is
    // asn1-cms's SET OF Attribute.
    signedBytes = Buffer.from(AsnConvert.serialize(new UnprotectedAttributes(signer.signedAttrs)));
  } else {
    signedBytes = content;
  }

  const named = candidates.filter((c) => namesCertificate(signer, c));
  if (named.length === 0) throw new Pkcs7Error('its signer is none of the trusted certificates');
  const signature = Buffer.from(signer.signature.buffer);
  for (const cert of named) {
    const key = cert.publicKey;
    if (key.asymmetricKeyType !== 'rsa') continue;
    if (cryptoVerify(sigHash, signedBytes, { key, padding: constants.RSA_PKCS1_PADDING }, signature)) return cert;
  }
  throw new Pkcs7Error('its signature does not verify with the signer certificate (forged, or re-signed with another key)');
}
