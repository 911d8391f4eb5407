// Every cloud-init example passes cloud-init's own schema check, installs the package, puts the
// five istioctl files in place (or fetches the token with the operator's tooling) and enables
// the service only after that.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTools, hasCommand } from '../../../packaging/ensure-tools.mjs';
import { canRun, REPO } from './env.js';

const dir = join(REPO, 'examples/cloud-init');
const examples = readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort();
const runnable = canRun(hasCommand('cloud-init') || process.getuid?.() === 0 ? undefined : 'cloud-init is missing and installing it needs root');

describe.runIf(runnable)('cloud-init examples', () => {
  beforeAll(() => {
    ensureTools({ 'cloud-init': 'cloud-init' });
  });

  it('there is one example per way of getting the token onto the VM', () => {
    expect(examples).toEqual(['config-drive.yaml', 'onboard-aws.yaml', 'onboard-azure.yaml', 'onboard-gcp.yaml', 'onboard-on-prem.yaml', 'token-fetched.yaml', 'token-inline.yaml']);
  });

  it.each(examples)('%s is valid cloud-config', (name) => {
    const r = spawnSync('cloud-init', ['schema', '--config-file', join(dir, name)], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout + r.stderr).toMatch(/Valid cloud-config/);
    expect(r.status).toBe(0);
  });

  // Zero-touch onboarding (docs/onboarding.md): the VM gets the files from the exchange service.
  const onboarding = examples.filter((n) => n.startsWith('onboard-'));
  const istioctl = examples.filter((n) => !n.startsWith('onboard-'));

  it.each(onboarding)('%s configures onboarding for its provider, puts no Istio file or token in user data, validates with that configuration, then enables', (name) => {
    const text = readFileSync(join(dir, name), 'utf8');
    const provider = { 'onboard-aws.yaml': 'aws', 'onboard-gcp.yaml': 'gcp', 'onboard-azure.yaml': 'azure', 'onboard-on-prem.yaml': 'join-token' }[name];
    expect(text).toContain(`VMLET_ONBOARDING_PROVIDER=${provider}\n`);
    expect(text).toMatch(/VMLET_ONBOARDING_URL=https:\/\//);
    expect(text).toContain('VMLET_ONBOARDING_CA_FILE=/etc/vmlet/onboard-ca.pem');
    expect(text).toContain('EnvironmentFile=/etc/vmlet/onboarding.env');
    for (const path of ['/var/lib/istio/envoy/cluster.env', '/etc/istio/config/mesh', '/etc/certs/root-cert.pem', '/var/run/secrets/tokens/istio-token']) expect(text, path).not.toContain(path);
    if (provider === 'join-token') expect(text).toMatch(/path: \/etc\/vmlet\/join-token\n\s+permissions: "0600"/);
    else expect(text).not.toContain('join-token');
    const order = ['apt-get, install', '. /etc/vmlet/onboarding.env && vmlet validate', '[systemctl, daemon-reload]', '[systemctl, enable, --now, vmlet.service]'].map((s) => text.indexOf(s));
    expect(order.every((i) => i >= 0) && [...order].sort((a, b) => a - b).join() === order.join(), `order ${order}`).toBe(true);
  });

  it.each(istioctl)('%s installs the package, provides every istioctl file, validates, then enables', (name) => {
    const text = readFileSync(join(dir, name), 'utf8');
    for (const path of ['/var/lib/istio/envoy/cluster.env', '/etc/istio/config/mesh', '/etc/certs/root-cert.pem', '/var/run/secrets/tokens/istio-token', '/etc/hosts']) {
      expect(text, path).toContain(path);
    }
    const order = ['apt-get, install', '[vmlet, validate]', '[systemctl, enable, --now, vmlet.service]'].map((s) => text.indexOf(s));
    expect(order.every((i) => i >= 0) && [...order].sort((a, b) => a - b).join() === order.join(), `order ${order}`).toBe(true);
  });
});
