// vmlet doctor's network checks across a real link: doctor runs as its CLI inside the `vm`
// namespace (ip netns exec), istiod's address is in the `peer` namespace across a veth. The istiod
// simulator (a TEST DOUBLE) runs in this process and appears at PEER_V4:15012 through a TCP relay
// that listens inside `peer`. A silent address (an iptables DROP in the PEER namespace's own table,
// never the host's) ends reach in a fail after its bound, shown; a closed port fails at once; the
// simulator through the veth passes reach, tls, ca, clock and workloadgroup; another root fails tls.
// dns reads the VM's /etc/hosts: a file bind-mounted in a private mount namespace of the one
// command, so a name can resolve to a live and a silent address (reach's warn).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimAds, type SimAds } from '../../sim/ads.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { makeRoot } from '../../sim/pki.js';
import { hasBinary, isRoot, requireOrSkip } from '../../helpers/env.js';
import { NetnsPair, OTHER_V4, PEER_V4, VM_V4 } from '../../helpers/netns.js';
import { BUNDLE } from '../../helpers/vmlet-process.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';

const run = promisify(execFile);
const EMPTY_CONFIG = join(import.meta.dirname, '..', '..', 'helpers', 'empty-config.yaml');
const ok = requireOrSkip(isRoot() && hasBinary('ip') && hasBinary('iptables') && hasBinary('python3'), 'the doctor netns test needs root, iproute2, iptables and python3');

interface Check { id: string; status: string; saw: string; fix?: string; timeoutMs?: number; durationMs: number; data?: Record<string, unknown> }
interface Report { ok: boolean; durationMs: number; checks: Check[] }
const NETWORK = ['dns', 'reach', 'tls', 'ca', 'clock', 'workloadgroup'];

describe.skipIf(!ok)('doctor network checks from a VM namespace to istiod across a veth', { timeout: 60_000 }, () => {
  let pair: NetnsPair;
  let sim: Simulator;
  let ads: SimAds;
  let tmp: TmpDir;
  let n = 0;

  beforeAll(async () => {
    tmp = makeTmpDir('doctor-netns');
    pair = new NetnsPair('doc');
    try {
      pair.create();
      ads = createSimAds({ graceMs: 200 });
      sim = await startSimulator({ services: [ads.service] });
      ads.bind(sim);
      ads.registry.addGroup({ namespace: 'bar', name: 'vm-app', uid: 'uid-1', template: {} });
      await pair.relay(pair.peer, PEER_V4, 15012, '127.0.0.1', sim.port);
      // The silent address: the peer drops what reaches OTHER_V4:15012 (its own table only).
      pair.exec(pair.peer, 'iptables', ['-w', '5', '-A', 'INPUT', '-d', OTHER_V4, '-p', 'tcp', '--dport', '15012', '-j', 'DROP']);
    } catch (err) {
      pair.destroy();
      throw err;
    }
  });
  afterAll(async () => {
    pair?.destroy();
    await ads?.stop();
    await sim?.stop();
    tmp?.cleanup();
  });

  /** `vmlet doctor --json` inside the vm namespace (asynchronous: the simulator answers from this process). */
  async function doctor(caAddress: string, edit?: (dir: string) => void, etcHosts?: string): Promise<{ code: number; report: Report; byId: (id: string) => Check }> {
    const dir = tmp.join(`vm-${++n}`);
    await sim.writeVmDir(dir, { ns: 'bar', sa: 'vm-sa', clusterEnv: { ISTIO_META_AUTO_REGISTER_GROUP: 'vm-app' } });
    edit?.(dir);
    const argv = [BUNDLE, 'doctor', '--json', '--istio-dir', dir, '--config', EMPTY_CONFIG, '--set', 'envoy.runAsUser=', '--set', 'capture.enabled=false',
      '--set', `general.stateDir=${mkdtempSync(join(tmp.path, 'state-'))}`, '--set', `node.instanceIps=${VM_V4}`,
      '--set', `istiod.caAddress=${caAddress}`, '--set', 'istiod.serverName=istiod.istio-system.svc'];
    let out: string;
    let code = 0;
    try {
      const inVm = ['ip', 'netns', 'exec', pair.vm, process.execPath, ...argv];
      // With etcHosts: the VM's /etc/hosts is that file, bind-mounted in a private mount namespace
      // of this one command (the host's own /etc/hosts is never written).
      let cmd = inVm;
      if (etcHosts !== undefined) {
        const file = join(dir, 'etc-hosts');
        writeFileSync(file, etcHosts);
        cmd = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec "$@"', file, ...inVm];
      }
      out = (await run(cmd[0]!, cmd.slice(1), { timeout: 30_000, encoding: 'utf8' })).stdout;
    } catch (err) {
      out = String((err as { stdout?: string }).stdout ?? '');
      code = typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
    }
    const report = JSON.parse(out) as Report;
    return { code, report, byId: (id) => report.checks.find((c) => c.id === id)! };
  }

  it('the simulator through the veth: reach, tls, ca, clock and workloadgroup pass', async () => {
    const { byId } = await doctor(`${PEER_V4}:15012`);
    for (const id of ['dns', 'reach', 'tls', 'ca', 'clock', 'workloadgroup']) expect(byId(id).status, `${id}: ${byId(id).saw}`).toBe('pass');
    expect(byId('reach').saw).toMatch(new RegExp(`^TCP ${PEER_V4.replace(/\./g, '\\.')}:15012: accepted in \\d+ ms$`));
    expect(byId('tls').saw).toMatch(/verified against root-cert\.pem for istiod\.istio-system\.svc/);
    expect(byId('ca').saw).toContain('spiffe://cluster.local/ns/bar/sa/vm-sa');
    expect(byId('workloadgroup').saw).toContain('bar/vm-app exists');
  });

  it('a silent address (packets dropped in the peer): reach fails after its bound, shown, and the run stays bounded', async () => {
    const { code, report, byId } = await doctor(`${OTHER_V4}:15012`);
    expect(code).toBe(1);
    const reach = byId('reach');
    expect(reach).toMatchObject({ status: 'fail', saw: `TCP ${OTHER_V4}:15012: no answer within 1000 ms`, timeoutMs: 1000, fix: expect.stringMatching(/firewall/) });
    expect(reach.durationMs).toBeGreaterThanOrEqual(1000);
    for (const id of ['tls', 'ca', 'clock', 'workloadgroup']) expect(byId(id).status, id).toBe('skip');
    // Bounded: reach gave up at its bound (its text and timeoutMs above), and nothing after it ran
    // (the skips). No wall-clock ceiling on the whole run: a loaded machine may stretch it.
    expect(report.checks.filter((c) => NETWORK.includes(c.id) && c.status === 'fail').map((c) => c.id)).toEqual(['reach']);
  });

  it('a closed port in the peer: reach fails at once with the refusal', async () => {
    const { code, byId } = await doctor(`${PEER_V4}:15013`);
    expect(code).toBe(1);
    const reach = byId('reach');
    expect(reach).toMatchObject({ status: 'fail', saw: `TCP ${PEER_V4}:15013: ECONNREFUSED`, timeoutMs: 1000 });
    expect(byId('tls').status).toBe('skip');
  });

  it('dns from the VM\'s /etc/hosts: pass when it agrees with istioctl\'s hosts file, warn when not, fail when the name is nowhere', async () => {
    const name = 'istiod.istio-system.svc';
    const agree = await doctor(`${name}:15012`, (dir) => writeFileSync(join(dir, 'hosts'), `${PEER_V4} ${name}\n`), `${PEER_V4} ${name}\n`);
    expect(agree.byId('dns')).toMatchObject({ status: 'pass', saw: `${name} -> ${PEER_V4} (/etc/hosts)`, timeoutMs: 1000 });
    expect(agree.byId('reach').status).toBe('pass');
    expect(agree.byId('workloadgroup').status).toBe('pass');
    // istioctl's hosts file (written by the simulator) still says 127.0.0.1.
    const stale = await doctor(`${name}:15012`, undefined, `${PEER_V4} ${name}\n`);
    expect(stale.byId('dns')).toMatchObject({ status: 'warn', saw: expect.stringMatching(/istioctl's hosts file says 127\.0\.0\.1/) });
    const none = await doctor('istiod.vmlet-test.invalid:15012', undefined, '127.0.0.1 localhost\n');
    expect(none.byId('dns')).toMatchObject({ status: 'fail', timeoutMs: 1000 });
    expect(none.byId('reach').status).toBe('skip');
  });

  it('reach warns when the name resolves to an address that answers and one that is silent; TLS goes to the one that answered', async () => {
    const name = 'istiod.istio-system.svc';
    const both = `${OTHER_V4} ${name}\n${PEER_V4} ${name}\n`;
    const { byId } = await doctor(`${name}:15012`, (dir) => writeFileSync(join(dir, 'hosts'), both), both);
    expect(byId('dns').status).toBe('pass');
    const reach = byId('reach');
    expect(reach).toMatchObject({ status: 'warn', timeoutMs: 1000, fix: expect.stringMatching(/remove the dead addresses/) });
    expect(reach.saw).toMatch(new RegExp(`^2 addresses, only 1 accept: TCP ${OTHER_V4.replace(/\./g, '\\.')}:15012: no answer within 1000 ms; TCP ${PEER_V4.replace(/\./g, '\\.')}:15012: accepted in \\d+ ms$`));
    expect(reach.data?.['accepted']).toEqual([PEER_V4]);
    expect(byId('tls').status).toBe('pass');
    expect(byId('ca').status).toBe('pass');
    expect(byId('clock').status).toBe('pass');
    expect(byId('workloadgroup'), byId('workloadgroup').saw).toMatchObject({ status: 'pass' });
  });

  it('clock and workloadgroup warn through the veth: istiod 20 s ahead, and an xDS stream accepted but never answered (test-double faults)', async () => {
    sim.faults.clockOffsetMs = 20_000;
    ads.faults.silent = true;
    try {
      const { report, byId } = await doctor(`${PEER_V4}:15012`);
      expect(byId('clock')).toMatchObject({ status: 'warn', saw: expect.stringMatching(/behind istiod/) });
      expect(byId('workloadgroup')).toMatchObject({ status: 'warn', saw: 'no xDS answer within 2000 ms', timeoutMs: 2000 });
      expect(report.checks.filter((c) => NETWORK.includes(c.id) && c.status === 'fail').map((c) => c.id)).toEqual([]);
    } finally {
      sim.faults.clockOffsetMs = 0;
      ads.faults.silent = false;
    }
  });

  it('tls fails through the veth for another root, and ca fails when istiod\'s CA is down', async () => {
    const other = (await makeRoot('someone-else')).pem;
    const wrong = await doctor(`${PEER_V4}:15012`, (dir) => writeFileSync(join(dir, 'root-cert.pem'), other));
    expect(wrong.byId('reach').status).toBe('pass');
    expect(wrong.byId('tls')).toMatchObject({ status: 'fail', saw: expect.stringMatching(/does not verify against root-cert\.pem/), timeoutMs: 1500 });
    expect(wrong.byId('ca').status).toBe('skip');
    sim.faults.unavailable = true;
    try {
      const down = await doctor(`${PEER_V4}:15012`);
      expect(down.byId('tls').status).toBe('pass');
      expect(down.byId('ca')).toMatchObject({ status: 'fail', saw: expect.stringMatching(/VMLET_CA_UNAVAILABLE/), timeoutMs: 2000 });
    } finally {
      sim.faults.unavailable = false;
    }
  });
});
