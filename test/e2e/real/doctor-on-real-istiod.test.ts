// vmlet doctor against an unmodified istiod (issue 15): on a correct VM every istiod check passes
// (istiod accepts doctor's certificate request and its short xDS stream), and each common mistake
// is reported by the check it belongs to: a TLS name istiod's certificate lacks (tls), another
// root in root-cert.pem (tls), a missing WorkloadGroup (workloadgroup, istiod's own
// FAILED_PRECONDITION text), a token for another namespace (token), istiod down (reach).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ControlPlane, CP_IP, inNs } from './control-plane.js';
import { BUNDLE, createWorkload, type Workload } from './vm.js';

const state = inject('controlPlane');
const EMPTY_CONFIG = join(import.meta.dirname, '..', '..', 'helpers', 'empty-config.yaml');

interface Check { id: string; status: string; saw: string; fix?: string; timeoutMs?: number }

describe.skipIf(!state)('vmlet doctor on a real istiod', { timeout: 120_000 }, () => {
  let cp: ControlPlane;
  let good: Workload;
  beforeAll(async () => {
    cp = ControlPlane.attach(state!);
    good = await createWorkload(cp, { ns: 'doc-ok', sa: 'vm-sa', group: 'doc-app' });
  });

  /** `vmlet doctor --json` inside the VM's namespace on workload `w`'s files. */
  function doctor(w: Workload, extra: string[] = []): { code: number; checks: Record<string, Check> } {
    const argv = [BUNDLE, 'doctor', '--json', '--istio-dir', w.dir, '--config', EMPTY_CONFIG, '--set', 'envoy.runAsUser=',
      '--set', `general.stateDir=${mkdtempSync(join(cp.work, 'doctor-'))}`, '--set', 'capture.enabled=false', ...extra];
    let out: string;
    let code = 0;
    try {
      out = inNs(cp.vmNs, process.execPath, argv, undefined, 30_000);
    } catch (err) {
      out = String((err as { stdout?: string }).stdout ?? '');
      code = (err as { status?: number }).status ?? -1;
    }
    const report = JSON.parse(out) as { checks: Check[] };
    return { code, checks: Object.fromEntries(report.checks.map((c) => [c.id, c])) };
  }

  it('a correct VM: dns, reach, tls, ca, clock and workloadgroup pass against istiod', () => {
    const { checks } = doctor(good);
    for (const id of ['token', 'dns', 'reach', 'tls', 'ca', 'clock', 'workloadgroup']) expect(checks[id]!.status, `${id}: ${checks[id]!.saw}`).toBe('pass');
    expect(checks.ca!.saw).toContain('spiffe://cluster.local/ns/doc-ok/sa/vm-sa');
    expect(checks.workloadgroup!.saw).toContain('doc-ok/doc-app exists');
  });

  it('a TLS name istiod\'s certificate lacks: tls fails naming the SANs it has', () => {
    const { code, checks } = doctor(good, ['--set', 'istiod.serverName=istiod.wrong-ns.svc']);
    expect(code).toBe(1);
    expect(checks.tls).toMatchObject({ status: 'fail', saw: expect.stringMatching(/not for istiod\.wrong-ns\.svc \(it names .*istiod\.istio-system\.svc/) });
  });

  it('another root in root-cert.pem: tls fails, saying the certificate does not verify', () => {
    const dir = mkdtempSync(join(cp.work, 'other-root-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k'), '-out', join(dir, 'root-cert.pem'), '-days', '2', '-subj', '/O=cluster.local/CN=not-istio',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'], { stdio: 'pipe' });
    const w = { ...good, dir: mkdtempSync(join(cp.work, 'vm-copy-')) };
    execFileSync('cp', ['-r', `${good.dir}/.`, w.dir]);
    execFileSync('cp', [join(dir, 'root-cert.pem'), join(w.dir, 'root-cert.pem')]);
    const { checks } = doctor(w);
    expect(checks.tls).toMatchObject({ status: 'fail', saw: expect.stringMatching(/does not verify against root-cert\.pem/), fix: expect.stringMatching(/copy root-cert\.pem again/) });
    expect(checks.ca!.status).toBe('skip');
  });

  it('a missing WorkloadGroup: workloadgroup fails with istiod\'s FAILED_PRECONDITION', async () => {
    const w = await createWorkload(cp, { ns: 'doc-nogroup', sa: 'vm-sa', group: 'missing-app', withGroup: false });
    const { checks } = doctor(w);
    expect(checks.ca!.status).toBe('pass');
    expect(checks.workloadgroup).toMatchObject({ status: 'fail', saw: expect.stringMatching(/FAILED_PRECONDITION: .*cannot find WorkloadGroup doc-nogroup\/missing-app/) });
  });

  it('a token for another namespace: token fails naming both', async () => {
    const w = await createWorkload(cp, { ns: 'doc-right', sa: 'vm-sa', group: 'right-app' });
    cp.kubectl(['create', 'namespace', 'doc-other']);
    cp.kubectl(['-n', 'doc-other', 'create', 'serviceaccount', 'other-sa']);
    const token = cp.kubectl(['-n', 'doc-other', 'create', 'token', 'other-sa', '--audience', 'istio-ca', '--duration', '1h']).trim();
    writeFileSync(join(w.dir, 'istio-token'), token, { mode: 0o600 });
    const { checks } = doctor(w);
    expect(checks.token).toMatchObject({ status: 'fail', saw: expect.stringMatching(/VMLET_TOKEN_WRONG_SUBJECT: .*"doc-other".*doc-right\/vm-sa/) });
    expect(checks.config!.status).toBe('fail');
    expect(JSON.stringify(checks)).not.toContain(token);
  });

  it('istiod down (its port refuses in the VM\'s namespace): reach fails within its timeout; tls, ca and workloadgroup are skipped', () => {
    const rule = ['OUTPUT', '-p', 'tcp', '-d', CP_IP, '--dport', '15012', '-j', 'REJECT', '--reject-with', 'tcp-reset'];
    inNs(cp.vmNs, 'iptables', ['-I', ...rule]);
    try {
      const { checks } = doctor(good);
      expect(checks.reach).toMatchObject({ status: 'fail', saw: expect.stringMatching(/ECONNREFUSED/), timeoutMs: 1000 });
      for (const id of ['tls', 'ca', 'workloadgroup']) expect(checks[id]!.status, id).toBe('skip');
    } finally {
      inNs(cp.vmNs, 'iptables', ['-D', ...rule]);
    }
  });
});
