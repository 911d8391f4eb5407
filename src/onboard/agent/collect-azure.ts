/**
 * Azure: the IMDS attested document, asked with the exchange service's nonce so the signed
 * payload proves freshness. The header `Metadata: true` is required; IMDS refuses proxied
 * requests (http.ts never uses a proxy).
 */
import type { AzureAttestation } from '../protocol.js';
import { askMetadata, refused, type MetadataOptions } from './metadata.js';

export const AZURE_API_VERSION = '2025-04-07';

export async function collectAzure(opts: MetadataOptions, nonce: string): Promise<AzureAttestation> {
  const query = new URLSearchParams({ 'api-version': AZURE_API_VERSION, nonce });
  const answer = await askMetadata('azure', opts, {
    method: 'GET', path: `/metadata/attested/document?${query.toString()}`, what: 'the attested document request',
    headers: { Metadata: 'true' },
  });
  let signature: unknown;
  try {
    signature = answer.status === 200 ? (JSON.parse(answer.body) as { signature?: unknown }).signature : undefined;
  } catch {
    signature = undefined;
  }
  if (typeof signature !== 'string' || signature === '') {
    throw refused('azure', 'the attested document', { ...answer, body: answer.status === 200 ? '(no "signature" in the answer)' : answer.body }, 'check onboarding.metadataUrl and that this is an Azure VM (IMDS api-version 2025-04-07)');
  }
  return { signature };
}
