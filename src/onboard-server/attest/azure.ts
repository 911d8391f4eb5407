/**
 * Azure IMDS attested document verifier. The `signature` is a PKCS#7 SignedData embedding the
 * JSON document: its signature is checked (with the signed attributes' messageDigest), the
 * signer certificate must chain to one of trust.azure.roots (intermediates taken from the
 * PKCS#7's certificates, and, only when trust.azure.aiaHosts lists hosts, from the certificates'
 * AIA "CA Issuers" URLs on those hosts: aia.ts), every certificate of the path valid at the service's
 * time, and carry a DNS SAN equal to or under one of trust.azure.sanSuffixes. Then the document:
 * nonce == this request's challenge, vmId UUID-shaped, subscriptionId present, and
 * timeStamp.createdOn/expiresOn (MM/DD/YY HH:MM:SS -0000) around the service's clock (clockSkew).
 *
 * replayKey is the signed document's SHA-256 (not the PKCS#7's: unsigned parts of it can change
 * without breaking the signature), kept until expiresOn; the nonce already makes it single use.
 */
import { createHash, type X509Certificate } from 'node:crypto';
import { OnboardRefusal } from '../../onboard/protocol.js';
import { AiaFetcher, type CertificateFetcher } from './aia.js';
import { loadCertificates } from './anchors.js';
import { chainToRoots } from './chain.js';
import { attestationObject, base64Field, show, stringField } from './input.js';
import { parseSignedData, Pkcs7Error, verifySignedData } from './pkcs7.js';
import { refuseIfExpired, refuseIfFuture } from './time.js';
import type { VerifiedIdentity, Verifier, VerifyContext } from './types.js';

const FORGED_FIX = 'send the attested document\'s "signature" exactly as IMDS returned it; if it is, it was not signed under a root '
  + "this service trusts: the service's operator checks trust.azure.roots (docs/onboard-verification.md)";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function invalid(reason: string, cause?: unknown): OnboardRefusal {
  return new OnboardRefusal('ONBOARD_ATTESTATION_INVALID', `Azure attested document: ${reason}`, FORGED_FIX, { cause });
}

/** The DNS names of a certificate's subjectAltName, as node:crypto renders them (quoted when they hold odd characters). */
export function dnsNames(cert: X509Certificate): string[] {
  const san = cert.subjectAltName;
  if (san === undefined) return [];
  const names: string[] = [];
  for (const m of san.matchAll(/(?:^|, )DNS:("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    const raw = m[1]!;
    try {
      names.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
    } catch {
      // An unparsable quoted name matches no suffix.
    }
  }
  return names.map((n) => n.toLowerCase());
}

function sanAllowed(names: readonly string[], suffixes: readonly string[]): boolean {
  return names.some((n) => suffixes.some((s) => {
    const suffix = s.toLowerCase().replace(/^\.+/, '');
    return n === suffix || n.endsWith(`.${suffix}`);
  }));
}

/** Azure's timeStamp format MM/DD/YY HH:MM:SS ±HHMM, as a Date; undefined when it is not that. */
export function parseAzureTime(text: unknown): Date | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(\d\d)\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/.exec(text);
  if (!m) return undefined;
  const [mo, d, y, h, mi, s, sign, oh, om] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7], Number(m[8]), Number(m[9])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59 || oh > 23 || om > 59) return undefined;
  const utc = Date.UTC(2000 + y, mo - 1, d, h, mi, s) - (sign === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  const date = new Date(utc);
  // Reject 02/31 and the like, which Date.UTC would roll over.
  return new Date(Date.UTC(2000 + y, mo - 1, d)).getUTCDate() === d ? date : undefined;
}

export interface AzureVerifierOptions {
  /** How AIA intermediates are fetched (tests inject one); default: the global fetch. */
  readonly fetchCertificate?: CertificateFetcher;
}

/** AIA rounds: the signer's issuer, then that issuer's issuer. */
const AIA_ROUNDS = 2;

/** Verifies Azure attestations ({signature}); see the file's header. */
export function createAzureVerifier(opts: AzureVerifierOptions = {}): Verifier {
  const aia = new AiaFetcher(opts.fetchCertificate);
  return {
    provider: 'azure',
    async verify(attestation: unknown, ctx: VerifyContext): Promise<VerifiedIdentity> {
      const der = base64Field(stringField(attestationObject(attestation, 'azure'), 'signature', 'azure')!, 'signature');
      const trust = ctx.trust.azure;
      if (trust === undefined || trust.roots.length === 0 || trust.sanSuffixes.length === 0) {
        throw new OnboardRefusal('ONBOARD_INTERNAL', 'this service has no Azure trust anchors (trust.azure.roots or trust.azure.sanSuffixes is empty)',
          "the service's operator sets trust.azure.roots (Microsoft's and DigiCert's roots) and trust.azure.sanSuffixes: [metadata.azure.com]");
      }
      const roots = loadCertificates(trust.roots);

      let content: Buffer;
      let signer: X509Certificate;
      let carried: readonly X509Certificate[];
      try {
        const p7 = parseSignedData(der);
        if (p7.certificates.length === 0) throw new Pkcs7Error('it carries no certificates (the signer certificate is needed)');
        signer = verifySignedData(p7, p7.certificates);
        content = p7.content;
        carried = p7.certificates;
      } catch (err) {
        if (err instanceof Pkcs7Error) throw invalid(`its PKCS#7: ${err.message}`, err);
        throw err;
      }
      const intermediates = carried.filter((c) => c !== signer);
      let path = chainToRoots(signer, intermediates, roots, ctx.now, ctx.clockSkewSeconds);
      const aiaHosts = trust.aiaHosts ?? [];
      const aiaNotes: string[] = [];
      for (let round = 0, from = [signer, ...intermediates]; typeof path === 'string' && aiaHosts.length > 0 && round < AIA_ROUNDS; round++) {
        const fetched = await aia.intermediatesFor(from, aiaHosts);
        if (fetched.notes !== '') aiaNotes.push(fetched.notes);
        if (fetched.certificates.length === 0) break;
        intermediates.push(...fetched.certificates);
        from = fetched.certificates;
        path = chainToRoots(signer, intermediates, roots, ctx.now, ctx.clockSkewSeconds);
      }
      if (typeof path === 'string') throw invalid(`the signer is not trusted: ${path}${aiaNotes.length > 0 ? ` (AIA: ${aiaNotes.join('; ')})` : ''}`);
      const names = dnsNames(signer);
      if (!sanAllowed(names, trust.sanSuffixes)) {
        throw invalid(`the signer certificate's DNS names ${show(names.join(', '))} are not under any of trust.azure.sanSuffixes ${show(trust.sanSuffixes.join(', '))}`);
      }

      let doc: Record<string, unknown>;
      try {
        const parsed = JSON.parse(content.toString('utf8')) as unknown;
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
        doc = parsed as Record<string, unknown>;
      } catch (err) {
        throw invalid(`the signed document is not a JSON object (${(err as Error).message})`);
      }
      if (doc.nonce !== ctx.nonce) {
        throw new OnboardRefusal('ONBOARD_NONCE_INVALID', `Azure attested document: it carries nonce ${show(doc.nonce)}, not this request's challenge ${show(ctx.nonce)}`,
          'fetch the attested document with nonce=<the nonce POST /v1/challenge just returned>, and send it in the same onboard request');
      }
      const vmId = doc.vmId;
      if (typeof vmId !== 'string' || !UUID.test(vmId)) throw invalid(`its vmId ${show(vmId)} is not UUID-shaped`);
      const subscriptionId = doc.subscriptionId;
      if (typeof subscriptionId !== 'string' || !UUID.test(subscriptionId)) throw invalid(`its subscriptionId ${show(subscriptionId)} is missing or not UUID-shaped`);
      const ts = (typeof doc.timeStamp === 'object' && doc.timeStamp !== null ? doc.timeStamp : {}) as Record<string, unknown>;
      const createdOn = parseAzureTime(ts.createdOn);
      const expiresOn = parseAzureTime(ts.expiresOn);
      if (createdOn === undefined || expiresOn === undefined) {
        throw invalid(`its timeStamp.createdOn ${show(ts.createdOn)} / expiresOn ${show(ts.expiresOn)} is missing or not MM/DD/YY HH:MM:SS -0000`);
      }
      refuseIfFuture(`Azure attested document of VM ${vmId} (timeStamp.createdOn)`, createdOn, ctx.now, ctx.clockSkewSeconds);
      refuseIfExpired(`Azure attested document of VM ${vmId} (timeStamp.expiresOn)`, expiresOn, ctx.now, ctx.clockSkewSeconds);

      const attributes: Record<string, string> = { subscriptionId, vmId };
      if (typeof doc.sku === 'string') attributes.sku = doc.sku;
      if (typeof doc.licenseType === 'string' && doc.licenseType !== '') attributes.licenseType = doc.licenseType;
      const plan = (typeof doc.plan === 'object' && doc.plan !== null ? doc.plan : {}) as Record<string, unknown>;
      for (const [k, v] of Object.entries({ planName: plan.name, planProduct: plan.product, planPublisher: plan.publisher })) {
        if (typeof v === 'string' && v !== '') attributes[k] = v;
      }
      return {
        provider: 'azure', instanceId: vmId, account: subscriptionId, attributes,
        replayKey: createHash('sha256').update(content).digest('hex'), notAfter: expiresOn,
      };
    },
  };
}
