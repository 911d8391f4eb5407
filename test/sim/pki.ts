/**
 * The simulator's certificate authority (test double for istiod's CA, facts §1.10): a root,
 * istiod's serving certificate, and leaf signing that takes only the public key from a CSR.
 * ECDSA P-256 keys so start-up stays fast.
 */
import { webcrypto } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface CaKeyPair {
  readonly cert: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
  readonly pem: string;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
}

export async function makeRoot(name: string, notAfter = new Date(Date.now() + 3650 * DAY)): Promise<CaKeyPair> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `O=cluster.local, CN=${name}`,
    notBefore: new Date(Date.now() - DAY),
    notAfter,
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys, pem: `${cert.toString('pem')}\n` };
}

/** istiod's serving certificate (DNS SANs), signed by `root`. */
export async function makeServingCert(root: CaKeyPair, dnsNames: readonly string[]): Promise<{ certPem: string; keyPem: string }> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    subject: 'O=cluster.local',
    issuer: root.cert.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    publicKey: keys.publicKey,
    signingKey: root.keys.privateKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value }))),
    ],
  });
  return { certPem: `${cert.toString('pem')}\n`, keyPem: await keyPem(keys.privateKey) };
}

/**
 * Signs a workload certificate like istiod: the CSR's signature is checked, its subject and SANs
 * are ignored; the SAN (critical URI) is `identity`; NotBefore backdated 2 minutes; NotAfter
 * clamped to the root's.
 */
export async function signWorkload(root: CaKeyPair, csrPem: string, identity: string, ttlMs: number, now = Date.now()): Promise<string> {
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  if (!(await csr.verify())) throw new Error('CSR signature does not verify');
  const notAfter = Math.min(now + ttlMs, root.cert.notAfter.getTime());
  const cert = await x509.X509CertificateGenerator.create({
    subject: '',
    issuer: root.cert.subject,
    notBefore: new Date(now - 120_000),
    notAfter: new Date(notAfter),
    publicKey: csr.publicKey,
    signingKey: root.keys.privateKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: identity }], true),
    ],
  });
  return `${cert.toString('pem')}\n`;
}

/** The URI SANs of a DER/PEM certificate verified as issued by one of `roots` and valid now. */
export async function verifiedIdentities(certRaw: Buffer, roots: readonly CaKeyPair[], now = Date.now()): Promise<string[] | undefined> {
  const cert = new x509.X509Certificate(new Uint8Array(certRaw));
  if (cert.notBefore.getTime() > now || cert.notAfter.getTime() < now) return undefined;
  for (const root of roots) {
    if (cert.issuer !== root.cert.subject) continue;
    if (!(await cert.verify({ publicKey: root.keys.publicKey, signatureOnly: true }))) continue;
    const san = cert.extensions.find((e) => e instanceof x509.SubjectAlternativeNameExtension) as x509.SubjectAlternativeNameExtension | undefined;
    return (san?.names.items ?? []).map((n) => n.value);
  }
  return undefined;
}
