// vmlet doctor's network checks (dns, reach, tls, ca, clock, workloadgroup) driven into pass, warn
// and fail against the istiod simulator on loopback (a TEST DOUBLE with istiod's CA and ADS
// semantics, including the 2-minute NotBefore backdating the clock check reads).
import { createServer as createTlsServer } from 'node:tls';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor, type CheckResult } from '../../../src/doctor/index.js';
import { checkDns, checkReach, checkTls, targetOf } from '../../../src/doctor/network-checks.js';
import { createSimAds, type SimAds } from '../../sim/ads.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { makeRoot, makeServingCert } from '../../sim/pki.js';
import { doctorContext } from '../../helpers/doctor-context.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

describe('doctor network checks against the simulator', { timeout: 30_000 }, () => {
  let sim: Simulator;
  let ads: SimAds;
  let tmp: TmpDir;
  let n = 0;
  beforeAll(async () => {
    ads = createSimAds({ graceMs: 200 });
    sim = await startSimulator({ services: [ads.service] });
    ads.bind(sim);
    ads.registry.addGroup({ namespace: 'bar', name: 'vm-app', uid: 'uid-1', template: {} });
    tmp = makeTmpDir('doctor-net');
  });
  afterAll(async () => {
    await ads.stop();
    await sim.stop();
    tmp.cleanup();
  });

  async function vm(opts: { ns?: string; group?: string; flags?: Record<string, string> } = {}) {
    const dir = tmp.join(`vm-${++n}`);
    const ns = opts.ns ?? 'bar';
    await sim.writeVmDir(dir, { ns, sa: 'vm-sa', clusterEnv: { ISTIO_META_AUTO_REGISTER_GROUP: opts.group ?? 'vm-app' } });
    return doctorContext(dir, { 'general.stateDir': tmp.join(`state-${n}`), 'node.instanceIps': '10.0.0.2', ...opts.flags });
  }
  const byId = (checks: readonly CheckResult[], id: string) => checks.find((c) => c.id === id)!;

  it('a healthy setup: every network check passes, with its timeout shown', async () => {
    const r = await runDoctor(await vm(), 'test');
    for (const id of ['dns', 'reach', 'tls', 'ca', 'clock', 'workloadgroup']) expect(byId(r.checks, id).status, `${id}: ${byId(r.checks, id).saw}`).toBe('pass');
    expect(byId(r.checks, 'reach').timeoutMs).toBe(1000);
    expect(byId(r.checks, 'ca').saw).toContain('spiffe://cluster.local/ns/bar/sa/vm-sa');
    expect(byId(r.checks, 'workloadgroup').saw).toContain('bar/vm-app exists');
  });

  it('workloadgroup fails with istiod\'s FAILED_PRECONDITION when the group does not exist', async () => {
    const r = await runDoctor(await vm({ group: 'no-such-group' }), 'test');
    const wg = byId(r.checks, 'workloadgroup');
    expect(wg.status).toBe('fail');
    expect(wg.saw).toMatch(/FAILED_PRECONDITION: .*cannot find WorkloadGroup bar\/no-such-group/);
    expect(wg.fix).toMatch(/kubectl apply the WorkloadGroup/);
  });

  it('workloadgroup warns when istiod accepts the xDS stream but never answers, within its bound (test-double fault: silent ADS)', async () => {
    const before = ads.silenced.count;
    ads.faults.silent = true;
    try {
      const ctx = await vm();
      // The xDS bound is the one under test, set here; the certificate request (not under test,
      // and slow on a loaded machine) gets a generous bound of its own so it cannot end first.
      const timeouts = { ...ctx.timeouts, istiod: 20_000, xds: 500 };
      const r = await runDoctor({ ...ctx, timeouts }, 'test');
      const wg = byId(r.checks, 'workloadgroup');
      expect(byId(r.checks, 'ca').status, byId(r.checks, 'ca').saw).toBe('pass');
      // The outcome of the bound, not its timing: DEADLINE_EXCEEDED read as istiod's silence.
      expect(wg).toMatchObject({ status: 'warn', saw: 'no xDS answer within 500 ms', timeoutMs: 500, fix: expect.stringMatching(/run vmlet doctor again/) });
      expect(wg.data).toMatchObject({ source: 'xds-stream', timeoutMs: 500 });
      // The stream was open and its request read: the silence is istiod's, not a refused stream.
      await waitFor(() => ads.silenced.count > before, { what: 'the silent ADS to have read the doctor\'s request' });
    } finally {
      ads.faults.silent = false;
    }
  });

  it('reach warns when only some of the resolved addresses accept, and TLS goes to one that did', async () => {
    // istiod's name resolves to 127.0.0.2 (nothing listens there: refused) and 127.0.0.1 (the simulator).
    const etc = tmp.join('etc-hosts-two');
    writeFileSync(etc, '127.0.0.2 istiod.istio-system.svc\n127.0.0.1 istiod.istio-system.svc\n');
    const ctx = { ...(await vm({ flags: { 'istiod.caAddress': `istiod.istio-system.svc:${sim.port}` } })), etcHosts: etc };
    const r = await runDoctor(ctx, 'test');
    const reach = byId(r.checks, 'reach');
    expect(reach).toMatchObject({ status: 'warn', timeoutMs: 1000, fix: expect.stringMatching(/remove the dead addresses/) });
    expect(reach.saw).toMatch(new RegExp(`2 addresses, only 1 accept: TCP 127\\.0\\.0\\.2:${sim.port}: ECONNREFUSED; TCP 127\\.0\\.0\\.1:${sim.port}: accepted in \\d+ ms`));
    expect(reach.data?.['accepted']).toEqual(['127.0.0.1']);
    expect(byId(r.checks, 'tls').status).toBe('pass');
  });

  it('a discovery address that does not resolve: dns fails and every check after it says skip, with why', async () => {
    const r = await runDoctor(await vm({ flags: { 'istiod.caAddress': 'istiod.vmlet-test.invalid:15012' } }), 'test');
    expect(byId(r.checks, 'dns').status).toBe('fail');
    expect(byId(r.checks, 'reach')).toMatchObject({ status: 'skip', saw: 'the discovery address did not resolve' });
    expect(byId(r.checks, 'tls')).toMatchObject({ status: 'skip', saw: 'istiod is not reachable over TCP' });
    for (const id of ['ca', 'clock', 'workloadgroup']) expect(byId(r.checks, id)).toMatchObject({ status: 'skip', saw: 'no verified TLS connection to istiod' });
  });

  it('clock: warn at 20 s, fail beyond identity.clockSkew, from the certificate istiod issues', async () => {
    try {
      sim.faults.clockOffsetMs = 20_000;
      expect(byId((await runDoctor(await vm(), 'test')).checks, 'clock')).toMatchObject({ status: 'warn', saw: expect.stringMatching(/behind istiod/) });
      sim.faults.clockOffsetMs = -300_000;
      const c = byId((await runDoctor(await vm(), 'test')).checks, 'clock');
      expect(c).toMatchObject({ status: 'fail', saw: expect.stringMatching(/5m ahead of istiod/) });
      expect(c.fix).toMatch(/timedatectl set-ntp true/);
    } finally {
      sim.faults.clockOffsetMs = 0;
    }
  });

  it('ca: fail when istiod does not answer, warn when it issues another trust domain', async () => {
    try {
      sim.faults.unavailable = true;
      const r = await runDoctor(await vm(), 'test');
      expect(byId(r.checks, 'ca')).toMatchObject({ status: 'fail', saw: expect.stringMatching(/VMLET_CA_UNAVAILABLE/) });
      expect(byId(r.checks, 'clock').status).toBe('skip');
    } finally {
      sim.faults.unavailable = false;
    }
    const r = await runDoctor(await vm({ flags: { 'identity.trustDomain': 'other.local' } }), 'test');
    expect(byId(r.checks, 'ca')).toMatchObject({ status: 'warn', saw: expect.stringMatching(/not spiffe:\/\/other\.local/) });
  });

  it('tls: fail for another root and for a name istiod\'s certificate lacks; warn without h2', async () => {
    const wrongRoot = await vm();
    writeFileSync(join(wrongRoot.load.config.istio.dir!, 'root-cert.pem'), (await makeRoot('someone-else')).pem);
    const ctxRoot = await doctorContext(wrongRoot.load.config.istio.dir, { 'general.stateDir': tmp.join('s-root') });
    const t = targetOf(ctxRoot);
    const dns = await checkDns(ctxRoot, t);
    const root = await checkTls(ctxRoot, t, dns.resolved, true);
    expect(root).toMatchObject({ status: 'fail', saw: expect.stringMatching(/does not verify against root-cert\.pem/) });
    expect(root.fix).toMatch(/copy root-cert\.pem again/);

    const name = await vm({ flags: { 'istiod.serverName': 'istiod.wrong-ns.svc' } });
    const nameR = await checkTls(name, targetOf(name), (await checkDns(name, targetOf(name))).resolved, true);
    expect(nameR).toMatchObject({ status: 'fail', saw: expect.stringMatching(/not for istiod\.wrong-ns\.svc \(it names DNS:istiod\.istio-system\.svc/) });

    // A TLS server with istiod's name and root but no HTTP/2 (a TLS-terminating proxy in between).
    const sroot = await makeRoot('h1-root');
    const serving = await makeServingCert(sroot, ['istiod.istio-system.svc']);
    const server = createTlsServer({ cert: serving.certPem, key: serving.keyPem }, (s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const dir = tmp.join(`h1-${++n}`);
      await sim.writeVmDir(dir, { ns: 'bar', sa: 'vm-sa' });
      writeFileSync(join(dir, 'root-cert.pem'), sroot.pem);
      const ctx = await doctorContext(dir, { 'istiod.caAddress': `localhost:${port}` });
      const h1 = await checkTls(ctx, targetOf(ctx), (await checkDns(ctx, targetOf(ctx))).resolved, true);
      expect(h1).toMatchObject({ status: 'warn', saw: expect.stringMatching(/ALPN is .*not h2/) });
    } finally {
      server.close();
    }
  });

  it('dns: pass from the hosts file, warn when it disagrees with istioctl\'s, fail when nothing resolves; reach: fail on a closed port', async () => {
    const ctx = await vm({ flags: { 'istiod.caAddress': 'istiod.istio-system.svc:15012' } });
    const etc = tmp.join('etc-hosts');
    writeFileSync(etc, '127.0.0.1 localhost\n127.0.0.1 istiod.istio-system.svc\n');
    const t = targetOf(ctx);
    expect((await checkDns({ ...ctx, etcHosts: etc }, t)).verdict).toMatchObject({ status: 'pass', saw: 'istiod.istio-system.svc -> 127.0.0.1 (' + etc + ')' });
    writeFileSync(etc, '10.9.9.9 istiod.istio-system.svc\n');
    expect((await checkDns({ ...ctx, etcHosts: etc }, t)).verdict).toMatchObject({ status: 'warn', saw: expect.stringMatching(/istioctl's hosts file says 127\.0\.0\.1/) });
    const none = await vm({ flags: { 'istiod.caAddress': 'istiod.vmlet-test.invalid:15012' } });
    const d = await checkDns(none, targetOf(none));
    expect(d.verdict).toMatchObject({ status: 'fail', timeoutMs: 1000 });
    expect(d.verdict.fix).toMatch(/\/etc\/hosts/);

    const closed = createNetServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const reach = await checkReach(ctx, { host: '127.0.0.1', port, name: 'x' }, { addresses: ['127.0.0.1'], source: 'literal' });
    expect(reach).toMatchObject({ status: 'fail', saw: expect.stringMatching(/ECONNREFUSED/), fix: expect.stringMatching(/15012/) });
  });
});
