// The token's directory, when onboarding creates it (the stock /var/run/secrets/tokens on a fresh
// VM), is root-only as docs/onboarding.md promises; its parent stays 0755, because Envoy
// (istio-proxy) reaches the SDS socket under /var/run/secrets; an existing directory keeps its mode.
import { mkdirSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { OnboardBundle } from '../../../src/onboard/protocol.js';
import { writeBundle, type BundleTargets } from '../../../src/onboard/agent/write-bundle.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';

const bundle: OnboardBundle = {
  group: { namespace: 'web', name: 'web-vms' }, serviceAccount: 'web-sa', clusterEnv: 'A=b\n', meshYaml: 'defaultConfig: {}\n',
  rootCertPem: '-----BEGIN CERTIFICATE-----\n', hosts: '10.0.0.5 istiod.istio-system.svc\n', token: 'tok', tokenExpiresAt: '2026-12-05T20:00:00Z', instanceId: 'i-1',
};
const mode = (p: string) => statSync(p).mode & 0o777;

describe('the onboarding token directory', () => {
  const tmp = makeTmpDir('bundle-token-dir');
  afterAll(() => tmp.cleanup());
  const targets = (root: string): BundleTargets => ({
    clusterEnv: `${root}/var/lib/istio/envoy/cluster.env`, mesh: `${root}/etc/istio/config/mesh`, rootCert: `${root}/etc/certs/root-cert.pem`,
    token: `${root}/var/run/secrets/tokens/istio-token`, hostsFile: `${root}/etc/hosts`,
  });

  it('created by vmlet: 0700, its parents 0755, the token 0600', () => {
    const t = targets(tmp.join('fresh'));
    writeBundle(bundle, t);
    expect(mode(t.token)).toBe(0o600);
    expect(mode(tmp.join('fresh/var/run/secrets/tokens'))).toBe(0o700);
    expect(mode(tmp.join('fresh/var/run/secrets'))).toBe(0o755);
    expect(mode(tmp.join('fresh/etc/certs'))).toBe(0o755);
  });

  it('already there: keeps its mode', () => {
    mkdirSync(tmp.join('kept/var/run/secrets/tokens'), { recursive: true, mode: 0o755 });
    const t = targets(tmp.join('kept'));
    writeBundle(bundle, t);
    expect(mode(tmp.join('kept/var/run/secrets/tokens'))).toBe(0o755);
    expect(mode(t.token)).toBe(0o600);
  });
});
