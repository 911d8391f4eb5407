/**
 * AWS: the instance identity document through IMDSv2 — a PUT for a session token, then the
 * document, its RSA-2048 PKCS#7 (preferred by the service) and the raw signature (fallback),
 * each exactly as IMDS served it. Nothing is verified here: the service does that.
 */
import type { AwsAttestation } from '../protocol.js';
import { askMetadata, refused, type MetadataOptions } from './metadata.js';

/** Session token lifetime asked for, s: the three GETs follow at once. */
const IMDS_TOKEN_TTL_S = 60;
const BASE = '/latest/dynamic/instance-identity';

export async function collectAws(opts: MetadataOptions, reauthSecret?: string): Promise<AwsAttestation> {
  const put = await askMetadata('aws', opts, {
    method: 'PUT', path: '/latest/api/token', what: 'the IMDSv2 session token request',
    headers: { 'X-aws-ec2-metadata-token-ttl-seconds': String(IMDS_TOKEN_TTL_S) },
  });
  if (put.status !== 200 || put.body.trim() === '') {
    throw refused('aws', 'the IMDSv2 session token', { ...put, body: '' },
      put.status === 403 ? 'IMDS is disabled on this instance: enable it (aws ec2 modify-instance-metadata-options --http-endpoint enabled)' : 'check the instance metadata options (IMDSv2 must be allowed)');
  }
  const headers = { 'X-aws-ec2-metadata-token': put.body.trim() };
  const [document, rsa2048, signature] = await Promise.all(['document', 'rsa2048', 'signature'].map((name) =>
    askMetadata('aws', opts, { method: 'GET', path: `${BASE}/${name}`, what: `the identity ${name}`, headers })));
  if (document!.status !== 200 || !document!.body.trim().startsWith('{')) {
    throw refused('aws', 'the instance identity document', document!, 'this does not look like an EC2 instance\'s metadata service: check onboarding.metadataUrl and onboarding.provider');
  }
  const ok = (a: typeof rsa2048) => (a !== undefined && a.status === 200 && a.body.trim() !== '' ? a.body.trim() : undefined);
  const rsa = ok(rsa2048);
  const sig = ok(signature);
  if (rsa === undefined && sig === undefined) {
    throw refused('aws', 'both signatures of the identity document', rsa2048!, 'IMDS served the document without /rsa2048 or /signature; check the instance metadata service');
  }
  return {
    document: document!.body,
    ...(rsa === undefined ? {} : { rsa2048: rsa }),
    ...(sig === undefined ? {} : { signature: sig }),
    ...(reauthSecret === undefined ? {} : { reauthSecret }),
  };
}
