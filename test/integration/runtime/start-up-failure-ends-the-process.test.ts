// A start-up failure in any phase ends `vmlet run` (the shipped bundle): it stops what had started
// (status port, FAKE Envoy, capture rules in a netns this test creates) and exits with the code
// docs/errors.md gives, the message naming cause and fix. Before this, an unknown envoy.runAsUser
// left the agent up "starting" until systemd's start timeout. Each test waits on the exit event.
import { cpSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive } from '../../../src/envoy/orphan.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { hasBinary, isRoot, requireOrSkip } from '../../helpers/env.js';
import { freePort } from '../../helpers/free-port.js';
import { NetnsPair } from '../../helpers/netns.js';
import { ISTIO_FIXTURE } from '../../helpers/test-config.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { EMPTY_CONFIG, httpGet, spawnVmlet, type VmletProcess } from '../../helpers/vmlet-process.js';

const FAKE_ENVOY = join(import.meta.dirname, '..', '..', 'fakes', 'fake-envoy.mjs');
const netnsOk = requireOrSkip(isRoot() && hasBinary('ip') && hasBinary('iptables-nft-restore') && hasBinary('python3'), 'start-up failure tests with capture need root, iproute2, iptables and python3');

describe('a start-up failure ends the process', { timeout: 30_000 }, () => {
  let tmp: TmpDir;
  let n = 0;
  const started: VmletProcess[] = [];
  const servers: Server[] = [];
  beforeAll(() => { tmp = makeTmpDir('startfail'); });
  afterAll(async () => {
    await Promise.all(started.map((p) => p.stop(500)));
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    tmp.cleanup();
  });

  /** `vmlet run` with the fixture, the given flags and env; returns it and its status port. */
  async function run(flags: readonly string[], env: Record<string, string> = {}, extra: { istioDir?: string; wrap?: readonly string[] } = {}): Promise<{ vmlet: VmletProcess; port: number; dir: string }> {
    const dir = tmp.join(`case-${++n}`);
    mkdirSync(dir, { recursive: true });
    const port = await freePort();
    const vmlet = spawnVmlet({
      tmp: { path: dir, join: (...p) => join(dir, ...p), cleanup: () => undefined },
      argv: ['run', '--istio-dir', extra.istioDir ?? ISTIO_FIXTURE, '--config', EMPTY_CONFIG, '--log-format', 'json', '--set', `general.statusPort=${port}`, ...flags],
      env,
      ...(extra.wrap ? { wrap: extra.wrap } : {}),
    });
    started.push(vmlet);
    return { vmlet, port, dir };
  }
  const output = (v: VmletProcess) => `${v.stderr}\n${v.logs.map((l) => JSON.stringify(l)).join('\n')}`;
  const envoyFlags = async (dir: string) => ['--set', `envoy.adminPort=${await freePort()}`, '--set', 'envoy.runAsUser=', '--set', `envoy.binaryPath=${FAKE_ENVOY}`,
    '--set', `envoy.configDir=${join(dir, 'envoy')}`, '--set', `sds.socketPath=${join(dir, 'sds', 'socket')}`];
  const envoyPids = (record: string) => (existsSync(record) ? readFileSync(record, 'utf8') : '').split('\n').filter(Boolean)
    .map((l) => JSON.parse(l) as { event: string; pid: number }).filter((r) => r.event === 'start').map((r) => r.pid);

  it('config: bad configuration exits 2 naming the key and the fix; nothing listens', async () => {
    const { vmlet, port } = await run(['--set', 'general.drainGrace=1h']);
    expect(await vmlet.exited).toBe(2);
    expect(vmlet.stderr).toMatch(/general\.drainGrace/);
    expect(vmlet.stderr).toMatch(/make drainGrace shorter than shutdownTimeout/);
    expect(vmlet.stderr).toMatch(/\[VMLET_CONFIG_/);
    await expect(httpGet(port, '/healthz/live')).rejects.toThrow();
  });

  it('status server: a taken port exits 1 with VMLET_STATUS_LISTEN_FAILED', async () => {
    const holder = createServer();
    servers.push(holder);
    const port = await freePort();
    await new Promise<void>((r) => holder.listen(port, '127.0.0.1', () => r()));
    const { vmlet } = await run(['--set', `general.statusPort=${port}`]);
    expect(await vmlet.exited).toBe(1);
    expect(vmlet.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}`));
    expect(vmlet.stderr).toMatch(/\[VMLET_STATUS_LISTEN_FAILED\]/);
  });

  it('sidecar: envoy.runAsUser naming no user exits 2 (was: up "starting" until the start timeout); the status port closes', async () => {
    const record = tmp.join('user.rec');
    const { vmlet, port } = await run([...await envoyFlags(tmp.join('user-case')), '--set', 'envoy.runAsUser=vmlet-no-such-user'], { VMLET_ENVOY_ENABLED: 'true', FAKE_ENVOY_RECORD: record });
    expect(await vmlet.exited).toBe(2);
    expect(vmlet.stderr).toMatch(/envoy\.runAsUser: user "vmlet-no-such-user" does not exist.*useradd --system istio-proxy.*\[VMLET_ENVOY_USER_UNKNOWN\]/);
    await expect(httpGet(port, '/healthz/live')).rejects.toThrow();
    expect(envoyPids(record)).toEqual([]);
  });

  it('sidecar: an Envoy binary that does not exist exits 1 with VMLET_ENVOY_START_FAILED naming envoy.binaryPath', async () => {
    const dir = tmp.join('nobin-case');
    const { vmlet, port } = await run([...await envoyFlags(dir), '--set', `envoy.binaryPath=${join(dir, 'no-envoy-here')}`], { VMLET_ENVOY_ENABLED: 'true' });
    expect(await vmlet.exited).toBe(1);
    const out = output(vmlet);
    expect(out).toMatch(/cannot start Envoy .*no-envoy-here.*check envoy\.binaryPath/);
    expect(out).toMatch(/VMLET_ENVOY_START_FAILED/);
    await expect(httpGet(port, '/healthz/live')).rejects.toThrow();
  });

  it('xds: an XDS socket that cannot be created exits 1 with VMLET_XDS_SOCKET; the FAKE Envoy is gone', async () => {
    const dir = tmp.join('xds-case');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a-file'), 'not a directory\n');
    const record = join(dir, 'envoy.rec');
    const { vmlet, port } = await run([...await envoyFlags(dir), '--set', `xds.socketPath=${join(dir, 'a-file', 'XDS')}`],
      { VMLET_ENVOY_ENABLED: 'true', VMLET_XDS_ENABLED: 'true', FAKE_ENVOY_RECORD: record });
    expect(await vmlet.exited).toBe(1);
    const last = vmlet.logs.at(-1)!;
    expect(last.msg).toMatch(/^vmlet stopped because a component failed: xds: xds\.socketPath: cannot listen on .*a-file\/XDS: .*make its directory writable by vmlet or set xds\.socketPath \[VMLET_XDS_SOCKET\]$/);
    await expect(httpGet(port, '/healthz/live')).rejects.toThrow();
    for (const pid of envoyPids(record)) expect(alive(pid), `fake Envoy ${pid}`).toBe(false);
  });

  it('health: an invalid readinessProbe in mesh.yaml exits 2 naming the file and the fix', async () => {
    const istio = tmp.join('istio-badprobe');
    cpSync(ISTIO_FIXTURE, istio, { recursive: true });
    const mesh = readFileSync(join(istio, 'mesh.yaml'), 'utf8');
    expect(mesh).toContain('      port: 8080\n');
    writeFileSync(join(istio, 'mesh.yaml'), mesh.replace('      port: 8080\n', '      port: 0\n'));
    const { vmlet, port } = await run(['--set', `xds.socketPath=${join(istio, 'XDS')}`], { VMLET_XDS_ENABLED: 'true' }, { istioDir: istio });
    expect(await vmlet.exited).toBe(2);
    expect(vmlet.stderr).toMatch(/mesh\.yaml: defaultConfig\.readinessProbe\.httpGet\.port.*re-run istioctl x workload entry configure.*\[VMLET_HEALTH_PROBE_INVALID\]/);
    await expect(httpGet(port, '/healthz/live')).rejects.toThrow();
  });

  describe.skipIf(!netnsOk)('with capture in a network namespace', () => {
    const ns = new NetnsPair('startfail');
    let sim: Simulator;
    beforeAll(async () => {
      ns.create();
      sim = await startSimulator();
    }, 20_000);
    afterAll(async () => {
      ns.destroy();
      await sim?.stop();
    });
    const rulesInNs = () => ns.exec(ns.vm, 'iptables-nft-save', []);
    const listensInNs = (port: number) => !ns.connect(ns.vm, '127.0.0.1', port).startsWith('error');

    it('capture: no iptables backend exits 1 with VMLET_CAPTURE_NO_BACKEND; no rules, nothing listens', async () => {
      const { vmlet, port } = await run(['--set', 'capture.backend=nft'], { VMLET_CAPTURE_ENABLED: 'true', PATH: dirname(process.execPath) }, { wrap: ['/usr/sbin/ip', 'netns', 'exec', ns.vm] });
      expect(await vmlet.exited).toBe(1);
      expect(output(vmlet)).toMatch(/install iptables.*VMLET_CAPTURE_NO_BACKEND/);
      expect(rulesInNs()).not.toContain('ISTIO_');
      expect(listensInNs(port)).toBe(false);
    });

    it('identity: an expired token exits 2 at start, before anything starts (the pre-flight vmlet validate shares): no rules, no Envoy, nothing listens', async () => {
      const dir = tmp.join('identity-preflight-case');
      const record = join(dir, 'envoy.rec');
      const token = await sim.mintToken({ ns: 'bar', sa: 'vm-sa', expSeconds: -7200 });
      await sim.writeVmDir(join(dir, 'istio'), { ns: 'bar', sa: 'vm-sa', token });
      const { vmlet, port } = await run([...await envoyFlags(dir), '--set', 'capture.backend=nft'], {
        VMLET_CAPTURE_ENABLED: 'true', VMLET_IDENTITY_ENABLED: 'true', VMLET_ENVOY_ENABLED: 'true', FAKE_ENVOY_RECORD: record,
      }, { istioDir: join(dir, 'istio'), wrap: ['/usr/sbin/ip', 'netns', 'exec', ns.vm] });
      expect(await vmlet.exited).toBe(2);
      expect(vmlet.stderr).toMatch(/istio-token expired 2h ago.*\[VMLET_TOKEN_EXPIRED\]/);
      expect(vmlet.logs.some((l) => l.msg === 'capture rules applied')).toBe(false);
      expect(envoyPids(record)).toEqual([]);
      expect(rulesInNs()).not.toContain('ISTIO_');
      expect(listensInNs(port)).toBe(false);
      expect(vmlet.stderr).not.toContain(token);
    });

    it('identity: a token that expired after the pre-flight exits 2 after capture and the FAKE Envoy started; the rules, Envoy and the status port are gone', async () => {
      const dir = tmp.join('identity-case');
      const record = join(dir, 'envoy.rec');
      const token = await sim.mintToken({ ns: 'bar', sa: 'vm-sa', expSeconds: -7200 });
      // The pre-flight (src/preflight) refuses an expired token before anything starts; to reach
      // identity's own refusal after start, the token is valid at the pre-flight and replaced by
      // the expired one while capture applies (identity's first call waits for capture).
      await sim.writeVmDir(join(dir, 'istio'), { ns: 'bar', sa: 'vm-sa', token: await sim.mintToken({ ns: 'bar', sa: 'vm-sa' }) });
      writeFileSync(join(dir, 'expired-token'), token);
      // iptables on PATH waits until the FAKE Envoy has started (a bounded poll on its record),
      // so capture's apply, then identity's check, come after Envoy is up: all three are running.
      const shims = join(dir, 'shims');
      mkdirSync(shims, { recursive: true });
      for (const bin of ['iptables-nft', 'iptables-nft-save', 'iptables-nft-restore', 'ip6tables-nft', 'ip6tables-nft-save', 'ip6tables-nft-restore']) {
        writeFileSync(join(shims, bin), `#!/bin/sh\ni=0\nwhile [ $i -lt 400 ] && ! grep -q '"event":"start"' '${record}' 2>/dev/null; do i=$((i+1)); sleep 0.05; done\ncp '${join(dir, 'expired-token')}' '${join(dir, 'istio', 'istio-token')}'\nexec /usr/sbin/${bin} "$@"\n`);
        chmodSync(join(shims, bin), 0o755);
      }
      const { vmlet, port } = await run([...await envoyFlags(dir), '--set', 'capture.backend=nft'], {
        VMLET_CAPTURE_ENABLED: 'true', VMLET_IDENTITY_ENABLED: 'true', VMLET_ENVOY_ENABLED: 'true', FAKE_ENVOY_RECORD: record,
        PATH: `${shims}:${dirname(process.execPath)}:/usr/bin:/bin`,
      }, { istioDir: join(dir, 'istio'), wrap: ['/usr/sbin/ip', 'netns', 'exec', ns.vm] });
      expect(await vmlet.exited).toBe(2);
      const out = output(vmlet);
      expect(out).toMatch(/istio-token expired 2h ago.*\[VMLET_TOKEN_EXPIRED\]/);
      expect(vmlet.logs.some((l) => l.msg === 'capture rules applied')).toBe(true);
      expect(vmlet.logs.some((l) => l.msg === 'capture rules removed')).toBe(true);
      expect(rulesInNs()).not.toContain('ISTIO_');
      const pids = envoyPids(record);
      expect(pids.length).toBe(1);
      expect(alive(pids[0]!)).toBe(false);
      expect(listensInNs(port)).toBe(false);
      expect(out).not.toContain(token);
    });

    // Last in this namespace: the listener on 15053 stays until the namespace goes.
    it('dns: a DNS port held by another program exits 1 with VMLET_DNS_LISTEN_FAILED naming it; the status port closes', async () => {
      await ns.serve(ns.vm, [15053]);
      // The fixture's cluster.env asks for DNS capture (ISTIO_META_DNS_CAPTURE), as istioctl writes it.
      const { vmlet, port } = await run([], { VMLET_DNS_MODE: 'capture' }, { wrap: ['/usr/sbin/ip', 'netns', 'exec', ns.vm] });
      expect(await vmlet.exited).toBe(1);
      expect(output(vmlet)).toMatch(/cannot listen on 127\.0\.0\.1:15053.*stop what holds that port.*\[VMLET_DNS_LISTEN_FAILED\]/);
      expect(listensInNs(port)).toBe(false);
    });
  });
});
