// When `vmlet run` onboards: only with onboarding configured, no valid stored certificate for the
// configured namespace and service account, and no valid istio-token. A token that is only not yet
// valid is a clock problem a new token would share, so it does not trigger onboarding either.
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { identityFromResponse } from '../../../src/identity/chain.js';
import { generateKeyAndCsr } from '../../../src/identity/keys.js';
import { CertStore } from '../../../src/identity/store.js';
import { decideOnboarding } from '../../../src/onboard/agent/decide.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { EMPTY_CONFIG } from '../../helpers/vmlet-process.js';
import { makeRoot, signWorkload } from '../../sim/pki.js';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const s = () => Math.floor(Date.now() / 1000);
const jwt = (claims: Record<string, unknown>) => `${b64({ alg: 'RS256' })}.${b64({ aud: ['istio-ca'], sub: 'system:serviceaccount:bar:vm-sa', exp: s() + 3600, ...claims })}.c2ln`;

interface Case {
  provider?: string;
  /** Stored certificate: valid for this identity, expired, or for another service account. */
  cert?: 'valid' | 'expired' | 'other-sa';
  token?: string;
  needed: boolean;
  why: RegExp;
}

describe('decideOnboarding', () => {
  let tmp: TmpDir;
  let n = 0;
  beforeAll(() => { tmp = makeTmpDir('onboard-decide'); });
  afterAll(() => tmp.cleanup());

  async function storeCert(dir: string, sa: string, notBefore: number): Promise<void> {
    const root = await makeRoot('decide-root');
    const id = `spiffe://cluster.local/ns/bar/sa/${sa}`;
    const { keyPem, csrPem } = await generateKeyAndCsr({ type: 'ECDSA', curve: 'P256' }, id);
    const leaf = await signWorkload(root, csrPem, id, 3_600_000, notBefore);
    mkdirSync(dir, { recursive: true });
    new CertStore(dir).save(identityFromResponse([leaf, root.pem], keyPem));
  }

  it.each<[string, Case]>([
    ['onboarding not configured', { provider: 'none', needed: false, why: /provider is none/ }],
    ['nothing at all (first boot)', { needed: true, why: /no valid stored certificate and no istio-token/ }],
    ['a valid stored certificate, no token', { cert: 'valid', needed: false, why: /stored certificate .* renews itself/ }],
    ['a valid stored certificate, an expired token', { cert: 'valid', token: jwt({ exp: s() - 7200 }), needed: false, why: /renews itself/ }],
    ['no certificate, a valid token', { token: jwt({}), needed: false, why: /istio-token .* is valid/ }],
    ['an expired certificate and an expired token (off for a week)', { cert: 'expired', token: jwt({ exp: s() - 6 * 86_400 }), needed: true, why: /VMLET_TOKEN_EXPIRED/ }],
    ["a certificate for another service account, no token", { cert: 'other-sa', needed: true, why: /no istio-token/ }],
    ['a token that is not a JWT', { token: 'garbage', needed: true, why: /VMLET_TOKEN_MALFORMED/ }],
    ['a token for another subject', { token: jwt({ sub: 'system:serviceaccount:other:x' }), needed: true, why: /VMLET_TOKEN_WRONG_SUBJECT/ }],
    ['a token not valid yet (clock): no', { token: jwt({ nbf: s() + 7200 }), needed: false, why: /VMLET_TOKEN_NOT_YET_VALID/ }],
  ])('%s', async (_name, c) => {
    const dir = tmp.join(`vm-${++n}`);
    mkdirSync(`${dir}/istio`, { recursive: true });
    writeFileSync(`${dir}/istio/cluster.env`, "POD_NAMESPACE='bar'\nSERVICE_ACCOUNT='vm-sa'\n");
    if (c.token !== undefined) writeFileSync(`${dir}/istio/istio-token`, c.token);
    if (c.cert === 'valid') await storeCert(`${dir}/state/identity`, 'vm-sa', Date.now() - 60_000);
    if (c.cert === 'expired') await storeCert(`${dir}/state/identity`, 'vm-sa', Date.now() - 7 * 86_400_000);
    if (c.cert === 'other-sa') await storeCert(`${dir}/state/identity`, 'someone-else', Date.now() - 60_000);
    const { config } = loadConfig({
      env: {}, configPath: EMPTY_CONFIG, istioDir: `${dir}/istio`,
      flags: { 'general.stateDir': `${dir}/state`, 'onboarding.provider': c.provider ?? 'join-token', 'onboarding.url': 'https://onboard.invalid' },
    });
    const d = await decideOnboarding(config, Date.now());
    expect(d.needed).toBe(c.needed);
    expect(d.why).toMatch(c.why);
  });
});
