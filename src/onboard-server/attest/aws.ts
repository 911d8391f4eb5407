/**
 * AWS EC2 instance identity document verifier. Prefers the /rsa2048 PKCS#7 (RSA-2048, SHA-256):
 * its signature must verify with one of the configured AWS certificates (trust.aws.certificates,
 * pinned self-signed certificates: no chain, and their validity dates are not applied, as AWS
 * keeps signing under them) and its embedded content must be byte-equal to the submitted document
 * (no substitution). Without /rsa2048 it falls back to /signature: RSA PKCS#1 v1.5 with SHA-256
 * over the document's exact bytes. Then the document's fields are read.
 *
 * The document has no nonce and no expiry: replay is the ledger's (TOFU on
 * accountId/region/instanceId, pendingTime, reauthSecret), so replayKey is that triple and
 * pendingTime is returned. A pendingTime in the future (beyond clock skew) is refused.
 */
import { constants, verify as cryptoVerify, type X509Certificate } from 'node:crypto';
import { OnboardRefusal } from '../../onboard/protocol.js';
import { loadCertificates } from './anchors.js';
import { attestationObject, base64Field, show, stringField } from './input.js';
import { parseSignedData, Pkcs7Error, verifySignedData } from './pkcs7.js';
import { refuseIfFuture } from './time.js';
import type { VerifiedIdentity, Verifier, VerifyContext } from './types.js';

const FORGED_FIX = 'send the document, rsa2048 and signature exactly as IMDS served them; if they are, the document was not signed by AWS '
  + "under a certificate this service trusts: the service's operator adds the region's RSA-2048 certificate to trust.aws.certificates";

/** The document fields copied into attributes (what policies may match). */
const ATTRIBUTE_FIELDS = ['accountId', 'region', 'availabilityZone', 'instanceId', 'imageId', 'instanceType', 'architecture', 'pendingTime', 'version'] as const;

function invalid(reason: string, cause?: unknown): OnboardRefusal {
  return new OnboardRefusal('ONBOARD_ATTESTATION_INVALID', `AWS instance identity document: ${reason}`, FORGED_FIX, { cause });
}

function trustedCertificates(ctx: VerifyContext): X509Certificate[] {
  const files = ctx.trust.aws?.certificates ?? [];
  if (files.length === 0) {
    throw new OnboardRefusal('ONBOARD_INTERNAL', 'this service trusts no AWS certificates (trust.aws.certificates is empty)',
      "the service's operator adds AWS's RSA-2048 certificate of each region VMs onboard from to trust.aws.certificates");
  }
  return loadCertificates(files);
}

/** Checks the signature (rsa2048 preferred, signature fallback) over the exact document bytes. */
function verifySignature(document: Buffer, rsa2048: string | undefined, signature: string | undefined, certs: X509Certificate[]): void {
  if (rsa2048 !== undefined) {
    const der = base64Field(rsa2048, 'rsa2048');
    try {
      const p7 = parseSignedData(der);
      verifySignedData(p7, certs);
      if (!p7.content.equals(document)) {
        throw invalid('the rsa2048 signature is valid but embeds a different document than the one submitted (substitution)');
      }
      return;
    } catch (err) {
      if (err instanceof Pkcs7Error) throw invalid(`the rsa2048 PKCS#7: ${err.message}`, err);
      throw err;
    }
  }
  if (signature === undefined) {
    throw new OnboardRefusal('ONBOARD_BAD_REQUEST', 'AWS attestation has neither rsa2048 nor signature',
      'send /latest/dynamic/instance-identity/rsa2048 (preferred) or /signature with the document');
  }
  const sig = base64Field(signature, 'signature');
  const ok = certs.some((c) => c.publicKey.asymmetricKeyType === 'rsa'
    && cryptoVerify('sha256', document, { key: c.publicKey, padding: constants.RSA_PKCS1_PADDING }, sig));
  if (!ok) throw invalid('its signature does not verify with any certificate in trust.aws.certificates (forged, changed, or signed by another key)');
}

function requireString(doc: Record<string, unknown>, field: string, pattern: RegExp): string {
  const v = doc[field];
  if (typeof v !== 'string' || !pattern.test(v)) throw invalid(`its ${field} ${show(v)} is missing or malformed`);
  return v;
}

function parseDocument(text: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw invalid(`the signed document is not JSON (${(err as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalid('the signed document is not a JSON object');
  return doc as Record<string, unknown>;
}

/** Verifies AWS attestations ({document, rsa2048?, signature?}); see the file's header. */
export function createAwsVerifier(): Verifier {
  return {
    provider: 'aws',
    async verify(attestation: unknown, ctx: VerifyContext): Promise<VerifiedIdentity> {
      const att = attestationObject(attestation, 'aws');
      const document = stringField(att, 'document', 'aws')!;
      const rsa2048 = stringField(att, 'rsa2048', 'aws', true);
      const signature = stringField(att, 'signature', 'aws', true);
      verifySignature(Buffer.from(document, 'utf8'), rsa2048, signature, trustedCertificates(ctx));

      const doc = parseDocument(document);
      const accountId = requireString(doc, 'accountId', /^\d{12}$/);
      const region = requireString(doc, 'region', /^[a-z]{2}(-[a-z0-9]+)+$/);
      const instanceId = requireString(doc, 'instanceId', /^i-[0-9a-z]{8,32}$/);
      const pendingTimeText = requireString(doc, 'pendingTime', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      const pendingTime = new Date(pendingTimeText);
      if (Number.isNaN(pendingTime.getTime())) throw invalid(`its pendingTime ${show(pendingTimeText)} is not a time`);
      refuseIfFuture(`AWS instance identity document of ${instanceId} (pendingTime)`, pendingTime, ctx.now, ctx.clockSkewSeconds);

      const attributes: Record<string, string> = {};
      for (const f of ATTRIBUTE_FIELDS) if (typeof doc[f] === 'string') attributes[f] = doc[f];
      const zone = typeof doc.availabilityZone === 'string' ? doc.availabilityZone : undefined;
      return {
        provider: 'aws', instanceId, account: accountId, region, ...(zone === undefined ? {} : { zone }),
        attributes, replayKey: `${accountId}/${region}/${instanceId}`, pendingTime,
      };
    },
  };
}
