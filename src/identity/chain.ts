/**
 * From istiod's answer (or the stored files) to a WorkloadIdentity (facts §1.6): the last element
 * is the root (possibly several PEM blocks), the rest is leaf + intermediates. A chain with one
 * element or fewer, an unparsable leaf, a leaf without a SPIFFE URI or a leaf for another key is
 * refused. Pure apart from parsing.
 */
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { VmletError } from '../errors.js';
import type { WorkloadIdentity } from './types.js';
import './errors.js';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function pemBlocks(text: string): string[] {
  return (text.match(PEM_BLOCK) ?? []).map((b) => `${b}\n`);
}

const bad = (why: string): VmletError => new VmletError('VMLET_CA_BAD_CHAIN', `istiod's certificate chain is unusable: ${why}`);

/** The identity for `keyPem` from leaf+intermediates PEM and root PEM; throws VMLET_CA_BAD_CHAIN. */
export function identityFrom(certChainPem: string, rootPem: string, keyPem: string): WorkloadIdentity {
  const blocks = pemBlocks(certChainPem);
  if (blocks.length === 0) throw bad('no certificate in the chain');
  if (pemBlocks(rootPem).length === 0) throw bad('no root certificate');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(blocks[0]!);
  } catch (err) {
    throw bad(`the leaf does not parse (${(err as Error).message})`);
  }
  const uri = (leaf.subjectAltName ?? '').split(/,\s*/).find((s) => s.startsWith('URI:spiffe://'));
  if (uri === undefined) throw bad('the leaf has no spiffe:// URI SAN');
  const ours = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  if (!leaf.publicKey.export({ type: 'spki', format: 'der' }).equals(ours)) throw bad('the leaf is not for the key vmlet generated');
  return {
    spiffeId: uri.slice('URI:'.length),
    certChainPem: blocks.join(''),
    keyPem,
    rootPem: pemBlocks(rootPem).join(''),
    notBefore: Date.parse(leaf.validFrom),
    notAfter: Date.parse(leaf.validTo),
  };
}

/** istiod's cert_chain → identity for `keyPem`. */
export function identityFromResponse(certChain: readonly string[], keyPem: string): WorkloadIdentity {
  if (certChain.length <= 1) throw bad(`${certChain.length} element(s); istiod sends the leaf and the root (invalid empty CertChain)`);
  return identityFrom(certChain.slice(0, -1).join('\n'), certChain[certChain.length - 1]!, keyPem);
}

/** cert-chain.pem as Istio writes it: leaf, intermediates, then the root. */
export function istioCertChainFile(id: WorkloadIdentity): string {
  return id.certChainPem + id.rootPem;
}

/** Parses Istio's cert-chain.pem (root appended) back: drops the trailing blocks that are in root-cert.pem. */
export function splitIstioChain(fileText: string, rootPem: string): string {
  const roots = new Set(pemBlocks(rootPem).map((b) => b.replace(/\s+/g, '')));
  const blocks = pemBlocks(fileText);
  while (blocks.length > 1 && roots.has(blocks[blocks.length - 1]!.replace(/\s+/g, ''))) blocks.pop();
  return blocks.join('');
}
