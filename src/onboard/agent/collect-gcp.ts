/**
 * GCP: the instance identity token (a Google-signed JWT, format=full so it carries the project,
 * zone and instance) for the exchange service's audience. Only the VM's metadata server hands it
 * out, and only with the Metadata-Flavor header.
 */
import type { GcpAttestation } from '../protocol.js';
import { askMetadata, refused, type MetadataOptions } from './metadata.js';

const IDENTITY = '/computeMetadata/v1/instance/service-accounts/default/identity';

export async function collectGcp(opts: MetadataOptions, audience: string): Promise<GcpAttestation> {
  const query = new URLSearchParams({ audience, format: 'full' });
  const answer = await askMetadata('gcp', opts, {
    method: 'GET', path: `${IDENTITY}?${query.toString()}`, what: 'the instance identity token request',
    headers: { 'Metadata-Flavor': 'Google' },
  });
  if (answer.status === 404) {
    throw refused('gcp', 'the instance identity token', answer, 'the VM has no service account attached: attach one (gcloud compute instances set-service-account VM --service-account SA --scopes cloud-platform, with the VM stopped); it needs no roles');
  }
  const token = answer.body.trim();
  if (answer.status !== 200 || token.split('.').length !== 3) {
    throw refused('gcp', 'the instance identity token', { ...answer, body: answer.status === 200 ? '(not a JWT)' : answer.body }, 'check onboarding.metadataUrl and that this is a Compute Engine VM');
  }
  return { token };
}
