// Each of vmlet doctor's local checks driven into pass, warn and fail (or skip where nothing
// applies): files, token, config, address, user, envoy, ports, iptables, systemd and the agent's
// view. Programs doctor runs (iptables-*-save, systemctl, envoy) are stand-in scripts on PATH.
import { appendFileSync, chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkAgent, readAgent } from '../../../src/doctor/agent.js';
import { checkConfig, checkFiles } from '../../../src/doctor/files-and-token.js';
import { checkAddress, checkEnvoy, checkIptables, checkSystemd, checkUser } from '../../../src/doctor/host-checks.js';
import { checkPorts } from '../../../src/doctor/ports.js';
import { checkToken } from '../../../src/doctor/token-check.js';
import type { DoctorContext } from '../../../src/doctor/types.js';
import { doctorContext } from '../../helpers/doctor-context.js';
import { freePort } from '../../helpers/free-port.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/istio-vm');
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const jwt = (claims: Record<string, unknown>) => `${b64({ alg: 'RS256' })}.${b64({ aud: ['istio-ca'], sub: 'system:serviceaccount:bar:vm-sa', exp: now() + 3600, ...claims })}.c2ln`;

describe('doctor local checks', { timeout: 20_000 }, () => {
  let tmp: TmpDir;
  let n = 0;
  const savedPath = process.env.PATH;
  beforeAll(() => { tmp = makeTmpDir('doctor-local'); });
  afterAll(() => tmp.cleanup());
  afterEach(() => { process.env.PATH = savedPath; });

  async function vm(flags: Record<string, string> = {}, edit?: (istio: string) => void): Promise<DoctorContext> {
    const istio = tmp.join(`istio-${++n}`);
    cpSync(FIXTURE, istio, { recursive: true });
    chmodSync(join(istio, 'istio-token'), 0o600);
    edit?.(istio);
    return doctorContext(istio, { 'general.stateDir': tmp.join(`state-${n}`), ...flags });
  }
  /** A directory of stand-in programs, put first on PATH. */
  function shims(scripts: Record<string, string>): void {
    const dir = tmp.join(`bin-${++n}`);
    mkdirSync(dir);
    for (const [name, body] of Object.entries(scripts)) {
      writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(dir, name), 0o755);
    }
    process.env.PATH = dir;
  }

  it('config: pass, warn (a warning problem), fail (a pre-flight error)', async () => {
    expect(checkConfig(await vm()).status).toBe('pass');
    expect(checkConfig(await vm({}, (i) => appendFileSync(join(i, 'cluster.env'), 'POD_NAMESPACE=bar\n'))).status).toBe('warn');
    const bad = checkConfig(await vm({}, (i) => writeFileSync(join(i, 'istio-token'), jwt({ exp: now() - 60_000 }))));
    expect(bad).toMatchObject({ status: 'fail', saw: expect.stringMatching(/VMLET_TOKEN_EXPIRED/), fix: expect.stringMatching(/kubectl create token/) });
  });

  it('files: pass, warn for a token others can read, fail for a world-readable key and for a missing file', async () => {
    const ctx = await vm();
    expect(checkFiles(ctx, false).status).toBe('pass');
    chmodSync(join(ctx.load.config.istio.dir!, 'istio-token'), 0o644);
    expect(checkFiles(ctx, false)).toMatchObject({ status: 'warn', saw: expect.stringMatching(/istio-token .* mode 0644/) });
    const store = join(ctx.load.config.general.stateDir, 'identity');
    mkdirSync(store, { recursive: true });
    writeFileSync(join(store, 'key.pem'), 'k', { mode: 0o644 });
    chmodSync(join(store, 'key.pem'), 0o644);
    expect(checkFiles(ctx, true)).toMatchObject({ status: 'fail', saw: expect.stringMatching(/key\.pem .* mode 0644/), fix: expect.stringMatching(/chmod 0600/) });
    const missing = await doctorContext(tmp.join('no-such-istio-dir'), { 'general.stateDir': tmp.join('s-missing') });
    expect(checkFiles(missing, false)).toMatchObject({ status: 'fail', saw: expect.stringMatching(/missing: cluster\.env/) });
  });

  it('token: pass with its claims (never its text), warn when it expires within minutes, fail for another namespace', async () => {
    const good = await vm();
    const p = await checkToken(good, undefined);
    expect(p).toMatchObject({ status: 'pass', saw: expect.stringMatching(/sub system:serviceaccount:bar:vm-sa, aud istio-ca/) });
    expect(JSON.stringify(p)).not.toContain('eyJ');
    const soon = await vm({}, (i) => writeFileSync(join(i, 'istio-token'), jwt({ exp: now() + 120 })));
    expect((await checkToken(soon, undefined)).status).toBe('warn');
    const other = await vm({}, (i) => writeFileSync(join(i, 'istio-token'), jwt({ sub: 'system:serviceaccount:other:vm-sa' })));
    const f = await checkToken(other, undefined);
    expect(f).toMatchObject({ status: 'fail', saw: expect.stringMatching(/VMLET_TOKEN_WRONG_SUBJECT: .*"other"/) });
    expect(JSON.stringify(f)).not.toContain('c2ln');
    // With a valid stored certificate the token is not needed at all.
    expect((await checkToken(other, { spiffeId: 'spiffe://cluster.local/ns/bar/sa/vm-sa', notAfter: Date.now() + 3_600_000, ours: true })).status).toBe('pass');
  });

  it('address: pass for a configured IP on an interface, warn with several candidates, fail with none', async () => {
    const ifs = { eth0: [{ address: '10.0.0.2', family: 'IPv4', internal: false }], eth1: [{ address: '192.168.1.5', family: 'IPv4', internal: false }], lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }] } as never;
    expect(checkAddress(await vm({ 'node.instanceIps': '192.168.1.5' }), ifs)).toMatchObject({ status: 'pass', saw: '192.168.1.5 on eth1: set by ISTIO_SVC_IP / node.instanceIps' });
    expect(checkAddress(await vm(), ifs)).toMatchObject({ status: 'warn', saw: expect.stringMatching(/10\.0\.0\.2 on eth0: the first non-loopback address .* other candidates: 192\.168\.1\.5 \(eth1\)/) });
    expect(checkAddress(await vm(), { lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }] } as never).status).toBe('fail');
  });

  it('user: pass for an existing user, warn when not root, fail for an unknown one', async () => {
    expect(checkUser(await vm({ 'envoy.runAsUser': 'root' }))).toMatchObject({ status: 'pass', saw: 'root exists (uid 0, gid 0)' });
    expect(checkUser({ ...(await vm({ 'envoy.runAsUser': 'root' })), uid: 4242 }).status).toBe('warn');
    expect(checkUser(await vm({ 'envoy.runAsUser': 'vmlet-no-such-user' }))).toMatchObject({ status: 'fail', fix: expect.stringMatching(/useradd/) });
  });

  it('envoy: pass with its version, warn when it does not run, fail when absent', async () => {
    const bin = tmp.join('envoy-ok');
    writeFileSync(bin, '#!/bin/sh\necho "envoy  version: 0123abcd/1.36.2/Clean/RELEASE/BoringSSL"\n');
    chmodSync(bin, 0o755);
    expect(await checkEnvoy(await vm({ 'envoy.binaryPath': bin }))).toMatchObject({ status: 'pass', saw: `${bin}: 1.36.2` });
    const broken = tmp.join('envoy-broken');
    writeFileSync(broken, '#!/bin/sh\nexit 3\n');
    chmodSync(broken, 0o755);
    expect((await checkEnvoy(await vm({ 'envoy.binaryPath': broken }))).status).toBe('warn');
    expect(await checkEnvoy(await vm({ 'envoy.binaryPath': tmp.join('nothing') }))).toMatchObject({ status: 'fail', fix: expect.stringMatching(/install Envoy/) });
  });

  it('ports: pass when free or held by the expected program, fail when another holds one, warn when the owner cannot be seen', async () => {
    const [status, admin] = [await freePort(), await freePort()];
    const flags = { 'general.statusPort': String(status), 'envoy.adminPort': String(admin) };
    expect((checkPorts(await vm(flags))).status).toBe('pass');
    // This node process on the status port: vmlet's port held by node, as expected.
    const mine = createNetServer();
    await new Promise<void>((r) => mine.listen(status, '127.0.0.1', r));
    let other: ChildProcess | undefined;
    try {
      const p = checkPorts(await vm(flags));
      expect(p).toMatchObject({ status: 'pass', saw: expect.stringMatching(new RegExp(`${status} held as expected by node \\(pid ${process.pid}\\)`)) });
      // python3 on Envoy's admin port: taken.
      other = spawn('python3', ['-c', `import socket,time\ns=socket.socket()\ns.bind(("127.0.0.1",${admin}))\ns.listen()\nprint("up",flush=True)\ntime.sleep(30)`], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      other.stdout!.on('data', (d) => { out += String(d); });
      await waitFor(() => out.includes('up'), { what: 'python listening' });
      expect(checkPorts(await vm(flags))).toMatchObject({ status: 'fail', saw: expect.stringMatching(new RegExp(`${admin} taken by python3 \\(pid ${other.pid}\\)`)) });
      // A /proc where the socket's owner cannot be read (not root): held, owner unknown.
      const proc = tmp.join('proc');
      mkdirSync(join(proc, 'net'), { recursive: true });
      // procfs files report size 0, so copy by reading (copyFileSync would copy nothing).
      writeFileSync(join(proc, 'net', 'tcp'), readFileSync('/proc/net/tcp'));
      expect(checkPorts({ ...(await vm(flags)), procRoot: proc })).toMatchObject({ status: 'warn', fix: expect.stringMatching(/sudo vmlet doctor/) });
    } finally {
      other?.kill();
      mine.close();
    }
  });

  it('iptables: pass with vmlet rules in one backend, warn when both hold rules, fail when none is installed', async () => {
    shims({ 'iptables-nft-save': 'echo "*nat"; echo "-A PREROUTING -p tcp -j ISTIO_INBOUND"', 'iptables-legacy-save': 'echo "*nat"' });
    expect(await checkIptables(await vm())).toMatchObject({ status: 'pass', saw: expect.stringMatching(/vmlet's rules: in iptables-nft/) });
    shims({ 'iptables-nft-save': 'echo "-A PREROUTING -j ISTIO_INBOUND"', 'iptables-legacy-save': 'echo "-A INPUT -j DROP"' });
    expect((await checkIptables(await vm())).status).toBe('warn');
    shims({});
    expect(await checkIptables(await vm({ 'capture.enabled': 'true' }))).toMatchObject({ status: 'fail', fix: expect.stringMatching(/install iptables/) });
  });

  it('systemd: pass when active, warn when inactive, fail when failed, skip without systemctl', async () => {
    const unit = (active: string, sub: string) => shims({ systemctl: `echo LoadState=loaded; echo ActiveState=${active}; echo SubState=${sub}; echo UnitFileState=enabled; echo NRestarts=0; echo ExecMainStatus=0` });
    unit('active', 'running');
    expect(await checkSystemd(await vm())).toMatchObject({ status: 'pass', saw: expect.stringMatching(/loaded, active \(running\), enabled/) });
    unit('inactive', 'dead');
    expect((await checkSystemd(await vm())).status).toBe('warn');
    unit('failed', 'failed');
    expect((await checkSystemd(await vm())).status).toBe('fail');
    shims({});
    expect((await checkSystemd(await vm())).saw).toMatch(/not under systemd/);
  });

  describe('agent', () => {
    let server: Server;
    let snapshot: unknown;
    let port: number;
    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url === '/status') res.end(JSON.stringify(snapshot));
        else res.end(`vmlet_identity_expiry_timestamp_seconds ${Math.floor(Date.now() / 1000) + 10_800}\n`);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => { server.close(); });
    const view = async () => {
      const ctx = await vm({ 'general.statusPort': String(port) });
      const { view: v, why } = await readAgent(ctx);
      return checkAgent(ctx, v, why);
    };

    it('pass when ready (with the certificate expiry), warn with a degraded component, fail with an unmet gate and its cause + fix; skip when none runs', async () => {
      snapshot = { phase: 'running', ready: true, gates: [{ name: 'identity', passed: true }], components: [], line: '' };
      expect(await view()).toMatchObject({ status: 'pass', saw: expect.stringMatching(/certificate expires in 3h/) });
      snapshot = { phase: 'running', ready: true, gates: [], components: [{ name: 'xds-config', state: 'degraded', detail: 'Envoy rejected LDS', since: '' }], line: '' };
      expect((await view()).status).toBe('warn');
      snapshot = { phase: 'starting', ready: false, gates: [{ name: 'identity', passed: false, reason: 'no workload certificate: istio-token expired [VMLET_TOKEN_EXPIRED]' }], components: [], line: '' };
      expect(await view()).toMatchObject({ status: 'fail', cause: expect.stringMatching(/exp is in the past/), fix: expect.stringMatching(/kubectl create token/) });
      const ctx = await vm({ 'general.statusPort': String(await freePort()) });
      const none = await readAgent(ctx);
      expect(checkAgent(ctx, none.view, none.why)).toMatchObject({ status: 'skip', saw: expect.stringMatching(/ECONNREFUSED/) });
    });
  });
});
