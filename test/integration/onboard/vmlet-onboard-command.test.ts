// `vmlet onboard [--dry-run]` (the built CLI) against the FAKE exchange service
// (test/fakes/fake-onboard-server.mjs, a test double): the dry run reaches the service and writes
// and spends nothing; a refusal exits 1 with the code, the service's reason and fix; a success
// exits 0 and lists the files; no onboarding configured exits 2.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOnboardServer, type FakeOnboardServer } from '../../helpers/fake-onboard-server.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { BUNDLE, EMPTY_CONFIG } from '../../helpers/vmlet-process.js';

describe('vmlet onboard', { timeout: 60_000 }, () => {
  let tmp: TmpDir;
  let server: FakeOnboardServer;
  let bundle: Record<string, unknown>;
  beforeAll(async () => {
    tmp = makeTmpDir('onboard-cli');
    server = await startFakeOnboardServer(tmp.join('tls'));
    bundle = {
      group: { namespace: 'bar', name: 'vm-app' }, serviceAccount: 'vm-sa', clusterEnv: "POD_NAMESPACE='bar'\nSERVICE_ACCOUNT='vm-sa'\n",
      meshYaml: 'defaultConfig:\n  discoveryAddress: istiod.istio-system.svc:15012\n', rootCertPem: readFileSync(server.caFile, 'utf8'),
      hosts: '10.0.0.5 istiod.istio-system.svc\n', token: 'aaa.bbb.ccc', tokenExpiresAt: '2026-12-06T00:00:00Z', instanceId: 'join-token/x',
    };
    writeFileSync(tmp.join('hosts-file'), '127.0.0.1 localhost\n');
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  const vmlet = (args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [BUNDLE, 'onboard', '--istio-dir', tmp.join('istio'), '--config', EMPTY_CONFIG, ...args], {
      encoding: 'utf8', timeout: 30_000,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin', VMLET_STATE_DIR: tmp.join('state'),
        VMLET_ONBOARDING_PROVIDER: 'join-token', VMLET_ONBOARDING_URL: server.url, VMLET_ONBOARDING_CA_FILE: server.caFile,
        VMLET_ONBOARDING_JOIN_TOKEN_FILE: tmp.join('join-token'), VMLET_ONBOARDING_HOSTS_FILE: tmp.join('hosts-file'), ...env,
      },
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const joinToken = () => {
    writeFileSync(tmp.join('join-token'), 'jt-cli-secret\n', { mode: 0o600 });
    chmodSync(tmp.join('join-token'), 0o600);
  };

  it('--dry-run reaches the service, says what run would decide, writes and spends nothing', async () => {
    joinToken();
    await server.answer({ bundle });
    const before = (await server.requests()).length;
    const r = vmlet(['--dry-run']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('vmlet run would onboard: no valid stored certificate and no istio-token');
    expect(r.out).toContain('nothing was exchanged or written');
    expect((await server.requests()).slice(before).map((q) => q.path)).toEqual(['/v1/challenge']);
    expect(existsSync(tmp.join('istio'))).toBe(false);
    expect(existsSync(tmp.join('join-token'))).toBe(true);
  });

  it('a refusal exits 1 with the code, the reason and the fix', async () => {
    joinToken();
    await server.answer({ status: 403, body: { code: 'ONBOARD_POLICY_LIMIT', reason: 'policy on-prem admitted 20 of 20 VMs', fix: 'raise maxVMs of policy on-prem' } });
    const r = vmlet([]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('[VMLET_ONBOARD_POLICY_REFUSED]');
    expect(r.err).toContain('policy on-prem admitted 20 of 20 VMs');
    expect(r.err).toContain('raise maxVMs of policy on-prem');
    expect(r.err + r.out).not.toContain('jt-cli-secret');
  });

  it('onboards: exit 0, the files listed and written, the token 0600', async () => {
    joinToken();
    await server.answer({ bundle });
    const r = vmlet([]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('onboarded into bar/vm-app as vm-sa');
    expect(r.out).toContain(`wrote ${tmp.join('istio', 'istio-token')}`);
    expect(readFileSync(tmp.join('istio', 'istio-token'), 'utf8')).toBe('aaa.bbb.ccc');
    expect(statSync(tmp.join('istio', 'istio-token')).mode & 0o777).toBe(0o600);
    expect(r.out).not.toContain('aaa.bbb.ccc');
  });

  it('without onboarding configured: exit 2, naming onboarding.provider', () => {
    const r = vmlet([], { VMLET_ONBOARDING_PROVIDER: 'none' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('onboarding.provider is none');
  });
});
