/**
 * Deny by default: a verified identity is mapped to a WorkloadGroup by the first policy whose
 * provider and every condition match; no match refuses (ONBOARD_NO_POLICY). Pure.
 *
 * A condition `attribute: [values]` holds when the identity's signed attribute equals one of the
 * values; an attribute the identity does not carry never matches (a policy on `imageId` does not
 * admit a document without one). A join token names its group, so a join-token policy also needs
 * its workloadGroup to be the token's: a token made for one group cannot enter another.
 */
import { OnboardRefusal } from '../onboard/protocol.js';
import type { VerifiedIdentity } from './attest/types.js';
import type { Policy } from './config.js';

/** The attribute a join-token identity carries its group in, as NS/NAME. */
export const JOIN_TOKEN_GROUP_ATTRIBUTE = 'group';

export function policyMatches(policy: Policy, id: VerifiedIdentity): boolean {
  if (policy.provider !== id.provider) return false;
  if (id.provider === 'join-token' && id.attributes[JOIN_TOKEN_GROUP_ATTRIBUTE] !== `${policy.workloadGroup.namespace}/${policy.workloadGroup.name}`) return false;
  for (const [attr, allowed] of Object.entries(policy.match)) {
    const value = Object.hasOwn(id.attributes, attr) ? id.attributes[attr] : undefined;
    if (value === undefined || !allowed.includes(value)) return false;
  }
  return true;
}

/** The first matching policy; throws ONBOARD_NO_POLICY naming what was checked (no secrets: attributes are signed, public fields). */
export function choosePolicy(policies: readonly Policy[], id: VerifiedIdentity): Policy {
  const found = policies.find((p) => policyMatches(p, id));
  if (found !== undefined) return found;
  const mine = policies.filter((p) => p.provider === id.provider).map((p) => p.name);
  const attrs = Object.entries(id.attributes).map(([k, v]) => `${k}=${v}`).join(', ');
  throw new OnboardRefusal(
    'ONBOARD_NO_POLICY',
    `no policy admits this ${id.provider} identity (${attrs}); ${mine.length === 0 ? `no policy is for provider ${id.provider}` : `checked ${mine.join(', ')}`}`,
    'ask the operator of the onboarding service to add or widen a policy for this identity (policies in its config), or start the VM in an allowed account/project/region',
  );
}
