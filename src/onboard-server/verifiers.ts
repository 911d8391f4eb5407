/**
 * Which verifier answers which provider: the cloud verifiers for the providers the config trusts
 * (trust.aws, trust.gcp, trust.azure), the join-token one when any policy is for join tokens.
 * Loaded lazily, so a service trusting only one cloud does not load the others' code.
 */
import type { Verifier } from './attest/types.js';
import type { ServerConfig } from './config.js';
import type { OnboardProvider } from '../onboard/protocol.js';

export async function loadVerifiers(config: ServerConfig): Promise<Partial<Record<OnboardProvider, Verifier>>> {
  const out: Partial<Record<OnboardProvider, Verifier>> = {};
  if (config.trust.aws !== undefined) out.aws = (await import('./attest/aws.js')).createAwsVerifier();
  if (config.trust.gcp !== undefined) out.gcp = (await import('./attest/gcp.js')).createGcpVerifier();
  if (config.trust.azure !== undefined) out.azure = (await import('./attest/azure.js')).createAzureVerifier();
  if (config.policies.some((p) => p.provider === 'join-token')) out['join-token'] = (await import('./attest/join-token.js')).createJoinTokenVerifier();
  return out;
}
