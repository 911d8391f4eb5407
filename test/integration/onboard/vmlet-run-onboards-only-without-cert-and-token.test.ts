// `vmlet run` with onboarding (join token) against the FAKE exchange service
// (test/fakes/fake-onboard-server.mjs, a test double answering what it is told) and the istiod
// simulator (a test double): numbered steps, one VM state carried through them.
//  1. a fresh VM (no Istio files, no certificate) whose policy is missing: the refusal is shown
//     as the `onboarding` component with cause and fix while vmlet retries with backoff;
//  2. the policy appears: the next attempt onboards, the files land whole (token 0600, hosts
//     block), the configuration is read from them and identity gets its certificate;
//  3. restart with the token gone but a valid stored certificate: no onboarding;
//  4. restart after "a week off" (expired certificate, expired token): it onboards by itself;
//  5. a stop during the retries ends vmlet at once (exit 0), a missing join token ends it with
//     exit 2 and its code before anything starts.
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFromResponse } from '../../../src/identity/chain.js';
import { generateKeyAndCsr } from '../../../src/identity/keys.js';
import { CertStore } from '../../../src/identity/store.js';
import { HOSTS_BEGIN } from '../../../src/onboard/agent/write-bundle.js';
import type { OnboardBundle } from '../../../src/onboard/protocol.js';
import { startFakeOnboardServer, type FakeOnboardServer } from '../../helpers/fake-onboard-server.js';
import { freePort } from '../../helpers/free-port.js';
import { NotifyListener } from '../../helpers/notify-listener.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { EMPTY_CONFIG, httpGet, spawnVmlet, type VmletProcess } from '../../helpers/vmlet-process.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { makeRoot, signWorkload } from '../../sim/pki.js';

/** How the process ended, or a failure after `ms` (an upper bound, not a wait). */
function exitWithin(v: VmletProcess, ms: number): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([v.exited, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`vmlet did not exit within ${ms} ms`)), ms); })]).finally(() => clearTimeout(timer));
}

interface Snapshot { line: string; components: { name: string; state: string; detail: string }[] }

describe('vmlet run onboards only when it has no valid certificate and no valid token', { timeout: 90_000 }, () => {
  let tmp: TmpDir;
  let sim: Simulator;
  let server: FakeOnboardServer;
  let bundle: OnboardBundle;
  const running: VmletProcess[] = [];
  const listeners: NotifyListener[] = [];

  beforeAll(async () => {
    tmp = makeTmpDir('onboard-run');
    sim = await startSimulator();
    server = await startFakeOnboardServer(tmp.join('tls'));
    // What the exchange service would hand out for bar/vm-app: the simulator's istioctl-shaped files.
    await sim.writeVmDir(tmp.join('template'), { ns: 'bar', sa: 'vm-sa' });
    const read = (f: string) => readFileSync(tmp.join('template', f), 'utf8');
    bundle = {
      group: { namespace: 'bar', name: 'vm-app' }, serviceAccount: 'vm-sa', clusterEnv: read('cluster.env'), meshYaml: read('mesh.yaml'),
      rootCertPem: read('root-cert.pem'), hosts: read('hosts'), token: read('istio-token').trim(),
      tokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(), instanceId: 'join-token/vm-1',
    };
    writeFileSync(tmp.join('hosts-file'), '127.0.0.1 localhost\n');
  }, 60_000);
  afterAll(async () => {
    for (const v of running) await v.stop();
    for (const l of listeners) await l.close();
    await server?.stop();
    await sim?.stop();
    tmp.cleanup();
  });

  const writeJoinToken = () => {
    writeFileSync(tmp.join('join-token'), 'jt-run-secret\n', { mode: 0o600 });
    chmodSync(tmp.join('join-token'), 0o600);
  };
  const start = async (extraEnv: Record<string, string> = {}) => {
    const port = await freePort();
    const vmlet = spawnVmlet({
      tmp,
      argv: ['run', '--istio-dir', tmp.join('istio'), '--config', EMPTY_CONFIG, '--log-format', 'json'],
      env: {
        VMLET_IDENTITY_ENABLED: 'true', VMLET_STATUS_PORT: String(port), ECC_SIGNATURE_ALGORITHM: 'ECDSA',
        VMLET_ONBOARDING_PROVIDER: 'join-token', VMLET_ONBOARDING_URL: server.url, VMLET_ONBOARDING_CA_FILE: server.caFile,
        VMLET_ONBOARDING_JOIN_TOKEN_FILE: tmp.join('join-token'), VMLET_ONBOARDING_HOSTS_FILE: tmp.join('hosts-file'),
        VMLET_ONBOARDING_RETRY_INITIAL: '200ms', VMLET_ONBOARDING_RETRY_MAX: '1s', VMLET_ONBOARDING_TIMEOUT: '3s',
        ...extraEnv,
      },
    });
    running.push(vmlet);
    return { vmlet, port };
  };
  const status = async (port: number) => JSON.parse((await httpGet(port, '/status')).body) as Snapshot;
  const identityLine = (logs: Record<string, unknown>[]) => logs.find((l) => l.component === 'identity' && typeof l.how === 'string');
  const onboards = async () => (await server.requests()).filter((r) => r.path === '/v1/onboard').length;

  it('1-2. refused while no policy allows it (shown, retried), then onboards, writes the files whole and gets its certificate', async () => {
    writeJoinToken();
    await server.answer({ status: 403, body: { code: 'ONBOARD_NO_POLICY', reason: 'no policy matches join-token group bar/vm-app', fix: 'add a policy for provider join-token' } });
    const notify = await NotifyListener.start(tmp.join('notify.sock'));
    listeners.push(notify);
    const { vmlet, port } = await start({ NOTIFY_SOCKET: tmp.join('notify.sock') });
    const degraded = await waitFor(async () => {
      const s = await status(port).catch(() => undefined);
      const c = s?.components.find((x) => x.name === 'onboarding');
      return c?.state === 'degraded' ? { s: s!, c } : undefined;
    }, { what: 'onboarding degraded in /status', timeoutMs: 15_000 });
    expect(degraded.c.detail).toContain('VMLET_ONBOARD_POLICY_REFUSED');
    expect(degraded.c.detail).toContain('no policy matches join-token group bar/vm-app');
    expect(degraded.c.detail).toContain('add a policy for provider join-token');
    expect(degraded.c.detail).toMatch(/^VMLET_ONBOARD_POLICY_REFUSED \(attempt \d+, retry in \d+s\): /);
    expect(degraded.s.line).toContain('onboarding degraded'); // the STATUS= line's text
    // systemd hears it too, and READY=1 has not been sent.
    const notified = await waitFor(() => notify.messages().find((m) => m.includes('STATUS=') && m.includes('onboarding degraded: VMLET_ONBOARD_POLICY_REFUSED')), { what: 'STATUS= with the refusal', timeoutMs: 10_000 });
    expect(notified).not.toContain('READY=1');
    // It keeps trying (a second refused attempt), never silently.
    await waitFor(async () => (await onboards()) >= 2, { what: 'a retried onboarding', timeoutMs: 15_000 });

    await server.answer({ bundle });
    const line = await waitFor(() => identityLine(vmlet.logs), { what: 'identity after onboarding', timeoutMs: 20_000 });
    expect(line).toMatchObject({ how: 'issued', spiffeId: 'spiffe://cluster.local/ns/bar/sa/vm-sa' });
    await waitFor(() => notify.messages().some((m) => m.includes('READY=1')), { what: 'READY=1 after onboarding', timeoutMs: 10_000 });
    const s = await status(port);
    expect(s.components.find((c) => c.name === 'onboarding')).toMatchObject({ state: 'ok', detail: expect.stringContaining('onboarded into bar/vm-app as vm-sa') });
    for (const [file, text] of [['cluster.env', bundle.clusterEnv], ['mesh.yaml', bundle.meshYaml], ['root-cert.pem', bundle.rootCertPem], ['hosts', bundle.hosts], ['istio-token', bundle.token]] as const) {
      expect(readFileSync(tmp.join('istio', file), 'utf8'), file).toBe(text);
    }
    expect(statSync(tmp.join('istio', 'istio-token')).mode & 0o777).toBe(0o600);
    expect(readFileSync(tmp.join('hosts-file'), 'utf8')).toContain(`${HOSTS_BEGIN}\n127.0.0.1 istiod.istio-system.svc\n`);
    expect(() => statSync(tmp.join('join-token'))).toThrow(); // spent
    expect(await vmlet.stop()).toBe(0);
    const all = JSON.stringify(vmlet.logs) + vmlet.stderr;
    expect(all).not.toContain('jt-run-secret');
    expect(all).not.toContain(bundle.token);
  });

  it('3. a restart with a valid stored certificate and no token does not onboard', async () => {
    rmSync(tmp.join('istio', 'istio-token'));
    const before = await onboards();
    const { vmlet } = await start();
    const line = await waitFor(() => identityLine(vmlet.logs), { what: 'identity from the store', timeoutMs: 15_000 });
    expect(line).toMatchObject({ how: 'loaded' });
    expect(vmlet.logs.some((l) => l.component === 'onboarding' && String(l.msg).startsWith('onboarding not needed'))).toBe(true);
    expect(await onboards()).toBe(before);
    expect(await vmlet.stop()).toBe(0);
  });

  it('4. after a week off (expired certificate, expired token) it onboards by itself', async () => {
    // An expired certificate for the same identity, as a VM that was off left it.
    const root = await makeRoot('week-old-root');
    const { keyPem, csrPem } = await generateKeyAndCsr({ type: 'ECDSA', curve: 'P256' }, 'spiffe://cluster.local/ns/bar/sa/vm-sa');
    const leaf = await signWorkload(root, csrPem, 'spiffe://cluster.local/ns/bar/sa/vm-sa', 3_600_000, Date.now() - 7 * 86_400_000);
    new CertStore(tmp.join('state', 'identity')).save(identityFromResponse([leaf, root.pem], keyPem));
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    mkdirSync(tmp.join('istio'), { recursive: true });
    writeFileSync(tmp.join('istio', 'istio-token'), `${b64({ alg: 'RS256' })}.${b64({ aud: ['istio-ca'], sub: 'system:serviceaccount:bar:vm-sa', exp: Math.floor(Date.now() / 1000) - 6 * 86_400 })}.c2ln\n`, { mode: 0o600 });
    writeJoinToken();
    const before = await onboards();
    const { vmlet } = await start();
    const line = await waitFor(() => identityLine(vmlet.logs), { what: 'identity after re-onboarding', timeoutMs: 20_000 });
    expect(line).toMatchObject({ how: 'issued' });
    expect(await onboards()).toBe(before + 1);
    expect(readFileSync(tmp.join('istio', 'istio-token'), 'utf8')).toBe(bundle.token);
    expect(await vmlet.stop()).toBe(0);
  });

  it('5. SIGTERM during the retries stops at once (exit 0); a missing join token is exit 2 before anything starts', async () => {
    rmSync(tmp.join('state', 'identity'), { recursive: true, force: true });
    rmSync(tmp.join('istio', 'istio-token'), { force: true });
    writeJoinToken();
    await server.answer({ status: 503, body: 'down' });
    const { vmlet, port } = await start({ VMLET_ONBOARDING_RETRY_INITIAL: '30s', VMLET_ONBOARDING_RETRY_MAX: '60s' });
    await waitFor(async () => (await status(port).catch(() => undefined))?.components.some((c) => c.name === 'onboarding' && c.state === 'degraded'), { what: 'a failed attempt', timeoutMs: 15_000 });
    vmlet.child.kill('SIGTERM');
    expect(await exitWithin(vmlet, 5_000)).toBe(0);

    rmSync(tmp.join('join-token'));
    const second = await start();
    expect(await exitWithin(second.vmlet, 10_000)).toBe(2);
    expect(second.vmlet.stderr).toContain('VMLET_ONBOARD_JOIN_TOKEN_MISSING');
    expect(second.vmlet.stderr).toContain(tmp.join('join-token'));
  });
});
