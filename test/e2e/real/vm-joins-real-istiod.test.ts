// Scenarios 1–6 of issue 7 against an unmodified istiod and kube-apiserver: one VM, in order of
// its life — token → certificate, auto-registration, health following the app, renewal over mTLS
// without the token, SIGKILL + restart within the grace period, graceful stop → deletion.
// vmlet runs with the FAKE Envoy (no Envoy build exists here).
import { execFileSync, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ControlPlane, GRACE_SECONDS, ISTIOD_POD_NAME, VM_IP } from './control-plane.js';
import { pollUntil } from './poll.js';
import { App, APP_PORT, createWorkload, getEntry, healthy, startVmlet, waitReady, type Vmlet, type Workload, type WorkloadEntry } from './vm.js';

const state = inject('controlPlane');
const NS = 'vm-e2e';
const SA = 'vm-sa';
const GROUP = 'vm-app';
const ENTRY = `${GROUP}-${VM_IP}`;
// Short enough that a renewal happens during the run (at half of it), long enough to outlive a restart.
const CERT_TTL = '60s';

describe.skipIf(!state)('a VM joins a real istiod through vmlet', { timeout: 120_000 }, () => {
  let cp: ControlPlane;
  let w: Workload;
  let app: App;
  let vmlet: Vmlet;
  let home: string;
  const certFile = () => join(home, 'state', 'identity', 'cert-chain.pem');
  const leaf = () => new X509Certificate(readFileSync(certFile()));
  const entry = () => getEntry(cp, NS, ENTRY);
  const start = () => startVmlet(cp, w, { state: home, extra: ['--set', `identity.certTtl=${CERT_TTL}`] });

  beforeAll(async () => {
    cp = ControlPlane.attach(state!);
    w = await createWorkload(cp, { ns: NS, sa: SA, group: GROUP });
    home = mkdtempSync(join(cp.work, 'vmlet-'));
    app = new App(cp);
    await app.start();
    vmlet = start();
    await waitReady(cp, vmlet, 60_000);
  });

  afterAll(async () => {
    await vmlet?.stop('SIGTERM', 10_000);
    await app?.stop();
  });

  it('1: trades the istioctl token for a certificate whose SAN is the workload identity and that chains to istiod\'s root', () => {
    const cert = leaf();
    expect(cert.subjectAltName).toBe(`URI:spiffe://cluster.local/ns/${NS}/sa/${SA}`);
    const rootPem = cp.kubectl(['-n', NS, 'get', 'configmap', 'istio-ca-root-cert', '-o', 'jsonpath={.data.root-cert\\.pem}']);
    writeFileSync(join(home, 'root.pem'), rootPem);
    // openssl verifies the whole chain (leaf → istiod's self-signed root) as a TLS peer would.
    const out = execFileSync('openssl', ['verify', '-CAfile', join(home, 'root.pem'), '-untrusted', certFile(), certFile()], { encoding: 'utf8' });
    expect(out).toContain(': OK');
    expect(cert.verify(new X509Certificate(rootPem).publicKey)).toBe(true);
  });

  it('2: istiod auto-registers WorkloadEntry <group>-<ip> with the group\'s labels and its annotations', async () => {
    const e = await pollUntil(() => entry(), 30_000, `WorkloadEntry ${ENTRY}`);
    expect(e.spec.address).toBe(VM_IP);
    expect(e.spec.serviceAccount).toBe(SA);
    expect(e.metadata.labels).toMatchObject({ app: GROUP, version: 'v1' });
    expect(e.metadata.annotations).toMatchObject({
      'istio.io/autoRegistrationGroup': GROUP,
      'istio.io/workloadController': ISTIOD_POD_NAME,
      'proxy.istio.io/health-checks-enabled': 'true',
    });
    expect(e.metadata.annotations?.['istio.io/connectedAt']).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('2b: vmlet proxy-status shows CDS, LDS, EDS and RDS SYNCED once istiod has pushed (a Service with an HTTP port gives RDS)', async () => {
    const svc = join(home, 'svc.yaml');
    writeFileSync(svc, `apiVersion: v1\nkind: Service\nmetadata: {name: ${GROUP}, namespace: ${NS}}\nspec:\n  selector: {app: ${GROUP}}\n  ports: [{name: http, port: 80, targetPort: ${APP_PORT}}]\n`);
    cp.kubectl(['apply', '-f', svc]);
    const view = await pollUntil(() => {
      const r = vmlet.cli('proxy-status', '--json');
      const v = JSON.parse(r.stdout || '{}') as { types?: { short: string; state: string }[] };
      const states = Object.fromEntries((v.types ?? []).map((t) => [t.short, t.state]));
      return ['CDS', 'LDS', 'EDS', 'RDS'].every((t) => states[t] === 'SYNCED') ? v : undefined;
    }, 60_000, 'CDS, LDS, EDS, RDS SYNCED in vmlet proxy-status');
    expect(view.types?.filter((t) => t.state === 'NACKED')).toEqual([]);
    // The text form is another call: istiod may push in between (a type is STALE until Envoy ACKs),
    // so it is read until it shows the same state, not once.
    const synced = (out: string) => ['CDS', 'LDS', 'EDS', 'RDS'].every((t) => new RegExp(`^${t}\\s+SYNCED \\(`, 'm').test(out));
    await pollUntil(() => { const out = vmlet.cli('proxy-status').stdout; return synced(out) ? out : undefined; }, 60_000, 'CDS, LDS, EDS, RDS SYNCED in the text of vmlet proxy-status');
    // Envoy's view agrees: the Service's outbound cluster and its RDS route are in the FAKE Envoy's config dump.
    expect(vmlet.cli('proxy-config', 'clusters').stdout).toMatch(new RegExp(`^${GROUP}\\.${NS}\\.svc\\.cluster\\.local\\s+80\\s+-\\s+outbound\\s+EDS`, 'm'));
    expect(vmlet.cli('proxy-config', 'routes').stdout).toMatch(/^80\s+/m);
  });

  it('3: Healthy follows the app: up → True, down → False with the probe\'s message, up → True', async () => {
    await pollUntil(() => healthy(entry())?.status === 'True', 30_000, 'Healthy=True');
    await app.stop();
    const down = await pollUntil(() => { const h = healthy(entry()); return h?.status === 'False' ? h : undefined; }, 30_000, 'Healthy=False');
    expect(down.message).toMatch(/8080|refused|connect/i);
    await app.start();
    await pollUntil(() => healthy(entry())?.status === 'True', 30_000, 'Healthy=True again');
  });

  it('4: with the token deleted, the certificate is renewed over mTLS by istiod', async () => {
    const before = leaf();
    rmSync(join(w.dir, 'istio-token'));
    const after = await pollUntil(() => { const c = leaf(); return c.serialNumber !== before.serialNumber ? c : undefined; }, 60_000, 'a renewed certificate');
    expect(existsSync(join(w.dir, 'istio-token'))).toBe(false);
    expect(after.subjectAltName).toBe(before.subjectAltName);
    expect(Date.parse(after.validTo)).toBeGreaterThan(Date.parse(before.validTo));
    // The workload stays registered and healthy across the renewal.
    expect(healthy(entry())?.status).toBe('True');
  });

  it('5: SIGKILLed and started again, it reuses its certificate, reconnects, and the WorkloadEntry survives', async () => {
    const cert = leaf();
    const uid = (cp.kubectl(['-n', NS, 'get', 'workloadentry', ENTRY, '-o', 'jsonpath={.metadata.uid}']));
    await vmlet.stop('SIGKILL');
    vmlet = start();
    await waitReady(cp, vmlet, 30_000, 'vmlet ready after restart');
    expect(leaf().serialNumber).toBe(cert.serialNumber);
    const e = await pollUntil(() => { const x = entry(); return x && !x.metadata.annotations?.['istio.io/disconnectedAt'] ? x : undefined; }, 30_000, 'reconnected entry');
    expect(cp.kubectl(['-n', NS, 'get', 'workloadentry', ENTRY, '-o', 'jsonpath={.metadata.uid}'])).toBe(uid);
    await pollUntil(() => healthy(entry())?.status === 'True', 30_000, 'Healthy=True after restart');
    expect(e.metadata.annotations?.['istio.io/autoRegistrationGroup']).toBe(GROUP);
  });

  it('6: a graceful stop reports unhealthy first, then disconnects; istiod deletes the entry after the grace period', async () => {
    const seen: WorkloadEntry[] = [];
    const watch = spawn('ip', ['netns', 'exec', cp.cpNs, join(cp.bin, 'kubectl'), `--kubeconfig=${cp.kubeconfig}`, '-n', NS,
      'get', 'workloadentry', ENTRY, '--watch', '--output-watch-events', '-o', 'json'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let buf = '';
    // kubectl prints one JSON event per line (pretty-printed by some versions: then lines add up).
    createInterface({ input: watch.stdout! }).on('line', (line) => {
      buf += `${line}\n`;
      try {
        seen.push((JSON.parse(buf) as { object: WorkloadEntry }).object);
        buf = '';
      } catch { /* not complete yet */ }
    });
    try {
      await pollUntil(() => seen.length > 0, 10_000, 'the watch to start');
      const t0 = Date.now();
      expect(await vmlet.stop('SIGTERM', 30_000)).toBe(0);
      const stopMs = Date.now() - t0;
      await pollUntil(() => entry() === undefined, (GRACE_SECONDS + 20) * 1000, 'deletion after the grace period');
      const unhealthyAt = seen.findIndex((e) => healthy(e)?.status === 'False');
      const disconnectedAt = seen.findIndex((e) => e.metadata.annotations?.['istio.io/disconnectedAt'] !== undefined);
      expect(unhealthyAt, 'istiod saw Healthy=False').toBeGreaterThanOrEqual(0);
      expect(disconnectedAt, 'istiod saw the disconnect').toBeGreaterThanOrEqual(0);
      expect(unhealthyAt).toBeLessThan(disconnectedAt);
      expect(seen[unhealthyAt]!.metadata.annotations?.['istio.io/disconnectedAt']).toBeUndefined();
      expect(stopMs).toBeLessThan(20_000);
    } finally {
      watch.kill('SIGKILL');
    }
  });
});
