import { describe, expect, it } from 'vitest';
import type { VerifiedIdentity } from '../../../src/onboard-server/attest/types.js';
import type { Policy } from '../../../src/onboard-server/config.js';
import { choosePolicy, policyMatches } from '../../../src/onboard-server/policy.js';
import { OnboardRefusal } from '../../../src/onboard/protocol.js';

const aws = (attributes: Record<string, string>): VerifiedIdentity => ({ provider: 'aws', instanceId: attributes.instanceId ?? 'i-1', account: attributes.accountId ?? '', attributes, replayKey: 'k' });
const policies: Policy[] = [
  { name: 'web-eu', provider: 'aws', match: { accountId: ['111111111111'], region: ['eu-west-1', 'eu-west-2'] }, workloadGroup: { namespace: 'web', name: 'web-vms' }, maxVMs: 2 },
  { name: 'any-111', provider: 'aws', match: { accountId: ['111111111111'] }, workloadGroup: { namespace: 'misc', name: 'vms' } },
  { name: 'gcp', provider: 'gcp', match: { project_id: ['p1'] }, workloadGroup: { namespace: 'g', name: 'g' } },
  { name: 'onprem', provider: 'join-token', match: {}, workloadGroup: { namespace: 'dc', name: 'rack' } },
];

describe('policies: first match wins, deny by default', () => {
  it.each([
    [{ accountId: '111111111111', region: 'eu-west-2' }, 'web-eu'],
    [{ accountId: '111111111111', region: 'us-east-1' }, 'any-111'],
  ])('%o -> %s', (attrs, name) => {
    expect(choosePolicy(policies, aws(attrs)).name).toBe(name);
  });

  it('refuses an account no policy names, with ONBOARD_NO_POLICY listing what was checked', () => {
    const err = (() => { try { choosePolicy(policies, aws({ accountId: '222222222222', region: 'eu-west-1' })); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(OnboardRefusal);
    expect((err as OnboardRefusal).code).toBe('ONBOARD_NO_POLICY');
    expect((err as OnboardRefusal).reason).toContain('accountId=222222222222');
    expect((err as OnboardRefusal).reason).toContain('web-eu, any-111');
  });

  it('a condition on an attribute the identity lacks never matches', () => {
    expect(policyMatches({ ...policies[1]!, match: { accountId: ['111111111111'], imageId: ['ami-1'] } }, aws({ accountId: '111111111111' }))).toBe(false);
  });

  it('the provider must be the policy\'s', () => {
    expect(policyMatches(policies[2]!, { ...aws({ project_id: 'p1' }), provider: 'gcp' })).toBe(true);
    expect(policyMatches(policies[2]!, aws({ project_id: 'p1' }))).toBe(false);
  });

  it("a join token only enters the group it was made for", () => {
    const jt = (group: string): VerifiedIdentity => ({ provider: 'join-token', instanceId: 'vmlet-join-x', account: group, attributes: { group }, replayKey: 'x' });
    expect(choosePolicy(policies, jt('dc/rack')).name).toBe('onprem');
    expect(() => choosePolicy(policies, jt('web/web-vms'))).toThrow(/no policy admits/);
  });
});
