/**
 * FAKE cloud identity documents, signed with the FAKE test keys of cloud-keys.mjs: what the FAKE
 * metadata service (fake-cloud-metadata.mjs) serves, as pure functions of (keys, settings, now)
 * so unit tests can make the same documents without a server. `settings` is the fake's behaviour
 * (defaultSettings() and the fields described in fake-cloud-metadata.mjs's header).
 */
import { createPrivateKey, sign as cryptoSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cmsSign } from './cloud-keys.mjs';

export const defaultSettings = () => ({
  status: 0, delayMs: 0, signWith: 'trusted', tamper: false, timeOffsetSeconds: 0,
  document: {}, substitute: false, missing: [],
  claims: {}, computeEngine: {}, lifetimeSeconds: undefined, rotate: false,
  payload: {}, nonce: undefined,
});

// ── AWS ──────────────────────────────────────────────────────────────────────────
export const AWS_BASE = {
  accountId: '123456789012', architecture: 'x86_64', availabilityZone: 'eu-west-1a', billingProducts: null,
  devpayProductCodes: null, marketplaceProductCodes: null, imageId: 'ami-0fake0000000000001', instanceId: 'i-0fake00000000000001',
  instanceType: 't3.micro', kernelId: null, pendingTime: '2026-12-01T08:00:00Z', privateIp: '10.0.0.7', ramdiskId: null,
  region: 'eu-west-1', version: '2017-09-30',
};
/** AWS's layout: two-space indent and " : " between key and value. */
function awsText(fields) {
  return JSON.stringify(fields, null, 2).replace(/^( *"[^"]+"): /gm, '$1 : ');
}
export function awsDocument(settings) {
  return awsText({ ...AWS_BASE, ...settings.document });
}
function awsSigner(keys, settings) {
  return settings.signWith === 'other' ? { cert: keys.aws.otherCert, key: keys.aws.otherKey } : { cert: keys.aws.cert, key: keys.aws.signerKey };
}
/** One of IMDS's instance-identity items: [status, content type, body]. */
export function awsItem(keys, settings, item) {
  if (settings.missing.includes(item)) return [404, 'text/plain', 'Not Found'];
  const doc = awsDocument(settings);
  const signer = awsSigner(keys, settings);
  if (item === 'document') return [200, 'text/plain', settings.tamper ? doc.replace(/"instanceType" : "[^"]*"/, '"instanceType" : "x9.huge"') : doc];
  if (item === 'signature') {
    const sig = cryptoSign('sha256', Buffer.from(doc), createPrivateKey(readFileSync(signer.key)));
    return [200, 'text/plain', sig.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd()];
  }
  if (item === 'rsa2048') {
    const embedded = settings.substitute ? awsText({ ...AWS_BASE, ...settings.document, accountId: '999999999999' }) : doc;
    const der = cmsSign(Buffer.from(embedded), { ...signer, nocerts: true });
    return [200, 'text/plain', der.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd()];
  }
  return [404, 'text/plain', 'Not Found'];
}

// ── GCP ──────────────────────────────────────────────────────────────────────────
const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
/** The identity token for `audience` at `now` (a Date). */
export function gcpToken(keys, settings, audience, now) {
  const t = Math.floor(now.getTime() / 1000);
  const { claims, computeEngine } = settings;
  const payload = {
    aud: audience, azp: '112233445566778899001', email: '1234567890-compute@developer.gserviceaccount.com',
    email_verified: true, exp: t + (settings.lifetimeSeconds ?? 3600),
    google: {
      compute_engine: {
        instance_creation_timestamp: 1764576000, instance_id: '4321098765432109876', instance_name: 'web-1',
        project_id: 'fake-project', project_number: 1234567890, zone: 'europe-west1-b', ...computeEngine,
      },
    },
    iat: t, iss: 'https://accounts.google.com', sub: '112233445566778899001', ...claims,
  };
  const keyFile = settings.signWith === 'other' ? keys.gcp.otherKey : settings.rotate ? keys.gcp.nextKey : keys.gcp.signerKey;
  const kid = settings.rotate && settings.signWith !== 'other' ? keys.gcp.nextKid : keys.gcp.kid;
  const header = { alg: 'RS256', kid, typ: 'JWT' };
  const input = `${b64url(header)}.${b64url(payload)}`;
  const sig = cryptoSign('sha256', Buffer.from(input), createPrivateKey(readFileSync(keyFile))).toString('base64url');
  if (settings.tamper) {
    const forged = { ...payload, google: { compute_engine: { ...payload.google.compute_engine, project_id: 'someone-elses-project' } } };
    return `${b64url(header)}.${b64url(forged)}.${sig}`;
  }
  return `${input}.${sig}`;
}

// ── Azure ────────────────────────────────────────────────────────────────────────
const pad = (n) => String(n).padStart(2, '0');
/** Azure's timeStamp format, in UTC: MM/DD/YY HH:MM:SS -0000. */
export function azureTime(d) {
  return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCFullYear() % 100)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} -0000`;
}
/** The attested document's JSON answer for `nonce` at `now`. */
export function azureAnswer(keys, settings, nonce, now) {
  const created = now;
  const expires = new Date(created.getTime() + (settings.lifetimeSeconds ?? 21600) * 1000);
  const doc = {
    licenseType: '', nonce: settings.nonce ?? nonce, plan: { name: '', product: '', publisher: '' }, sku: '22_04-lts-gen2',
    subscriptionId: '8d10da13-8125-4ba9-a717-bf7490507b3d', timeStamp: { createdOn: azureTime(created), expiresOn: azureTime(expires) },
    vmId: '02aab8a4-74ef-476e-8182-f6d2ba4166a6', ...settings.payload,
  };
  const text = JSON.stringify(doc);
  const chain = settings.signWith === 'other'
    ? { cert: keys.azure.otherLeaf, key: keys.azure.otherLeafKey, certfile: keys.azure.otherIntermediate }
    : settings.signWith === 'wrong-san'
      ? { cert: keys.azure.wrongSanLeaf, key: keys.azure.wrongSanLeafKey, certfile: keys.azure.intermediate }
      : { cert: keys.azure.leaf, key: keys.azure.leafKey, certfile: keys.azure.intermediate };
  let der = cmsSign(Buffer.from(text), chain);
  if (settings.tamper) {
    // Same length, other subscription: the DER stays well-formed, only the signed bytes change.
    const at = der.indexOf(Buffer.from(doc.subscriptionId));
    if (at >= 0) {
      der = Buffer.from(der);
      der[at] = der[at] === 0x30 ? 0x31 : 0x30;
    }
  }
  return JSON.stringify({ encoding: 'pkcs7', signature: der.toString('base64') });
}
