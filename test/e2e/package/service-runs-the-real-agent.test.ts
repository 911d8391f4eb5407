// The packaged vmlet under the shipped unit on a real systemd machine, with a control plane: the
// istiod simulator (a TEST DOUBLE) behind a veth in a namespace of the test's own, and the FAKE
// Envoy (test/fakes; not Envoy). `systemctl start` returns only after READY=1, which needs the
// certificate for the token, capture in the machine's own network namespace and the fake Envoy
// ready on SDS; the VM registers over ADS; SSH stays reachable while every other inbound port is
// captured; watchdog, kill -9 and `systemctl restart` recover with the stored certificate and
// no token; `systemctl stop` removes capture exactly; the journal holds the structured logs of
// every start; an upgrade restarts it; an /etc/istio/proxy handed to istio-proxy does not stop it.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import { FAKE_ENVOY_MODULES, installFakeEnvoy, installIstioFiles, ISTIO_TOKEN, rulesSnapshot, startListeners } from './agent-setup.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { canRun, DEB, packagesBuilt } from './env.js';
import { bootMachine, expectStaysActive, isRunnable, unitProp, type Machine } from './machine.js';

const runnable = canRun(isRunnable() ?? packagesBuilt());

const OPERATOR_PORT = 9999;

describe.runIf(runnable)('the real vmlet under vmlet.service, with the istiod simulator and a FAKE Envoy', () => {
  let m: Machine;
  let cp: ControlPlane;
  let rulesBefore = '';
  let rulesRunning = '';
  const prop = (name: string) => unitProp(m, name);
  /** The main PID, checked: a `kill 0` would signal the test's own process group. */
  const mainPid = () => {
    const pid = prop('MainPID');
    expect(pid, 'vmlet.service has a main process').toMatch(/^[1-9]\d*$/);
    return pid;
  };
  const journal = () => m.sh('journalctl -u vmlet.service --no-pager -o cat');
  const entry = async () => (await cp.entries()).find((e) => e.name === `vm-app-${cp.link.machineAddr}`);
  const tokenCalls = async (from: number) => (await cp.calls()).slice(from).filter((c) => c.bearer || c.auth === 'jwt');
  /** Waits for the restarted agent to be active with a new PID and connected to istiod again. */
  const recovered = async (oldPid: string, connectedBefore: string | undefined, what: string) => {
    await waitFor(() => prop('ActiveState') === 'active' && prop('MainPID') !== oldPid && prop('MainPID') !== '0', { timeoutMs: 60_000, intervalMs: 500, what });
    await waitFor(async () => {
      const e = await entry();
      const at = e?.annotations['istio.io/connectedAt'];
      return at !== undefined && at !== connectedBefore && e?.annotations['istio.io/disconnectedAt'] === undefined;
    }, { timeoutMs: 30_000, intervalMs: 500, what: `the ADS stream to reconnect (${what})` });
  };

  beforeAll(async () => {
    m = await bootMachine('agent', { bindReadOnly: [FAKE_ENVOY_MODULES] });
    copyFileSync(DEB, join(m.root, 'root', 'vmlet.deb'));
    m.sh('dpkg -i /root/vmlet.deb');
    // The operator's own rules, which capture must leave exactly as they were.
    m.sh(`iptables -t nat -A OUTPUT -p tcp --dport ${OPERATOR_PORT} -j RETURN && iptables -A INPUT -p tcp --dport 22 -j ACCEPT`);
    rulesBefore = rulesSnapshot(m);
    const envoy = installFakeEnvoy(m);
    cp = await startControlPlane(m, 'agent', join(m.root, 'root', 'istio'));
    installIstioFiles(m, '/root/istio');
    startListeners(m);
    // Test-only drop-ins: a short watchdog period (so checks do not wait 30 s each) and the FAKE
    // Envoy, which also fetches the certificate over SDS and speaks ADS through vmlet's proxy.
    m.sh('mkdir -p /etc/systemd/system/vmlet.service.d');
    m.sh(`printf '[Service]\\nWatchdogSec=3s\\n' > /etc/systemd/system/vmlet.service.d/50-test-watchdog.conf`);
    m.sh(`printf '[Service]\\nEnvironment=VMLET_ENVOY_BINARY=${envoy} FAKE_ENVOY_XDS=1 FAKE_ENVOY_SDS=1\\n' > /etc/systemd/system/vmlet.service.d/60-test-fake-envoy.conf`);
    m.sh('systemctl daemon-reload');
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    const tail = m.run(['journalctl', '-u', 'vmlet.service', '--no-pager', '-n', '40', '-o', 'short-monotonic']).stdout;
    console.log(`--- journal of vmlet.service after "${ctx.task.name}" failed:\n${tail.split('\n').map((l) => l.slice(0, 400)).join('\n')}`);
  });
  afterAll(async () => {
    await cp?.stop();
    await m?.stop();
  });

  it('0. before vmlet: SSH and the app answer from the network, no capture rules', () => {
    expect(cp.probe(22)).toBe('data:ssh-stand-in');
    expect(cp.probe(8080)).toBe('data:app');
    expect(rulesBefore).not.toMatch(/ISTIO_/);
    expect(rulesBefore).toContain(`-A OUTPUT -p tcp -m tcp --dport ${OPERATOR_PORT} -j RETURN`);
  });

  it('1. systemctl start returns after READY=1: certificate for the token, capture, FAKE Envoy ready', { timeout: 200_000 }, async () => {
    const t0 = Date.now();
    const r = m.run(['systemctl', 'start', 'vmlet.service'], 180_000);
    const ms = Date.now() - t0;
    expect(r.code, `${r.stderr}\n${m.run(['journalctl', '-u', 'vmlet', '--no-pager', '-n', '60', '-o', 'cat']).stdout}`).toBe(0);
    console.log(`cold start-to-READY with the control plane (systemctl start vmlet): ${ms} ms`);
    expect(prop('ActiveState')).toBe('active');
    console.log(`STATUS: ${prop('StatusText')}`);
    expect(prop('StatusText')).not.toBe('');
    const calls = await cp.calls();
    // Exactly one: capture goes in before the first CSR, so rules landing mid-request cannot lose
    // its answer (that cost a 10 s CA timeout on about one cold start in three).
    const tokenCsrs = calls.filter((c) => c.bearer || c.auth === 'jwt');
    const why = journal().split('\n').filter((l) => /"component":"(identity|capture)"/.test(l)).map((l) => l.slice(0, 400)).join('\n');
    expect(tokenCsrs, why).toHaveLength(1);
    expect(tokenCsrs[0]).toMatchObject({ code: 0, auth: 'jwt', identity: 'spiffe://cluster.local/ns/bar/sa/vm-sa' });
    const san = m.sh(`/usr/lib/vmlet/node -e "process.stdout.write(new (require('node:crypto').X509Certificate)(require('node:fs').readFileSync('/var/lib/vmlet/identity/cert-chain.pem')).subjectAltName)"`);
    expect(san).toBe('URI:spiffe://cluster.local/ns/bar/sa/vm-sa');
  });

  it('2. the VM registers: the simulator holds its WorkloadEntry, connected', async () => {
    const e = await waitFor(() => entry(), { timeoutMs: 30_000, intervalMs: 500, what: 'the WorkloadEntry' });
    expect(e.annotations['istio.io/connectedAt']).toBeDefined();
    expect(e.spec.address).toBe(cp.link.machineAddr);
    expect(e.labels['app']).toBe('vm-app');
  });

  it('3. capture is in the machine\'s own tables: other ports are redirected, SSH is not (no lockout)', () => {
    rulesRunning = rulesSnapshot(m);
    for (const line of rulesBefore.split('\n')) expect(rulesRunning.split('\n'), 'the operator\'s rules are kept').toContain(line);
    expect(rulesRunning).toMatch(/^:ISTIO_INBOUND /m);
    expect(rulesRunning).toMatch(/^:ISTIO_OUTPUT /m);
    expect(rulesRunning).toMatch(/-A ISTIO_INBOUND -p tcp -m tcp --dport 22 -j RETURN/);
    // 8080 now goes to 15006, where the FAKE Envoy does not listen: refused. 22 still answers.
    expect(cp.probe(8080)).toBe('refused');
    expect(cp.probe(22)).toBe('data:ssh-stand-in');
  });

  it('4. the packaged vmlet status reads the running agent over its local status server', () => {
    const r = m.run(['vmlet', 'status'], 30_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ready/i);
  });

  it('5. watchdog pings keep it alive past several WatchdogSec periods', async () => {
    await expectStaysActive(m);
  });

  it('6. a frozen vmlet misses its pings: the watchdog aborts it and systemd restarts it', async () => {
    const pid = mainPid();
    const connected = (await entry())?.annotations['istio.io/connectedAt'];
    m.sh(`kill -STOP ${pid}`);
    await waitFor(() => /Watchdog timeout/.test(journal()), { timeoutMs: 15_000, intervalMs: 500, what: 'the watchdog timeout' });
    // SIGABRT is pending on the stopped process; let it run into it.
    m.run(['kill', '-CONT', pid]);
    await recovered(pid, connected, 'after the watchdog');
    expect(prop('NRestarts')).toBe('1');
  });

  it('7. kill -9 with the token deleted: restarted, stored certificate reused (no token CSR), READY, reconnected', async () => {
    m.sh(`rm ${ISTIO_TOKEN}`);
    const callsBefore = (await cp.calls()).length;
    const pid = mainPid();
    const connected = (await entry())?.annotations['istio.io/connectedAt'];
    m.sh(`kill -9 ${pid}`);
    await recovered(pid, connected, 'after kill -9');
    expect(prop('NRestarts')).toBe('2');
    expect(await tokenCalls(callsBefore)).toEqual([]);
    // Capture was kept through the crash (fail closed) and is not installed twice.
    expect(rulesSnapshot(m)).toBe(rulesRunning);
    expect(cp.probe(22)).toBe('data:ssh-stand-in');
  });

  it('8. systemctl restart without a token: READY again with the stored certificate', async () => {
    const callsBefore = (await cp.calls()).length;
    const pid = prop('MainPID');
    const connected = (await entry())?.annotations['istio.io/connectedAt'];
    m.sh('systemctl restart vmlet.service', 120_000);
    await recovered(pid, connected, 'after systemctl restart');
    expect(await tokenCalls(callsBefore)).toEqual([]);
  });

  it('9. systemctl stop drains Envoy, exits 0 and removes capture exactly (iptables-save as before the start)', async () => {
    const lines = journal().split('\n').length;
    m.sh('systemctl stop vmlet.service', 120_000);
    expect(prop('ActiveState')).toBe('inactive');
    expect(prop('Result')).toBe('success');
    expect(prop('ExecMainStatus')).toBe('0');
    // vmlet drained Envoy and removed capture itself; the ExecStopPost safety net had nothing to do.
    const since = journal().split('\n').slice(lines - 1).join('\n');
    expect(since).toMatch(/"msg":"drain: /);
    expect(since).toMatch(/"msg":"capture rules removed"/);
    expect(since).not.toMatch(/removing it now/);
    expect(rulesSnapshot(m)).toBe(rulesBefore);
    expect(cp.probe(8080)).toBe('data:app');
    await waitFor(async () => (await entry())?.annotations['istio.io/disconnectedAt'] !== undefined || (await entry()) === undefined, { timeoutMs: 10_000, what: 'the ADS stream to close' });
  });

  it('10. journalctl -u vmlet holds structured JSON logs from every start', () => {
    const logs = journal().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level?: unknown; msg?: unknown; pid?: number });
    expect(logs.length).toBeGreaterThan(0);
    for (const l of logs) expect(typeof l.msg === 'string' && l.level !== undefined, JSON.stringify(l)).toBe(true);
    // Starts: first, after the watchdog, after kill -9, restart.
    expect(new Set(logs.map((l) => l.pid)).size).toBeGreaterThanOrEqual(4);
  });

  it('11. an upgrade (dpkg -i over itself) keeps the service enabled and restarts it if it was running', () => {
    m.sh('systemctl enable --now vmlet.service', 120_000);
    const pid = prop('MainPID');
    m.sh('dpkg -i /root/vmlet.deb', 180_000);
    expect(m.sh('systemctl is-enabled vmlet.service').trim()).toBe('enabled');
    expect(prop('ActiveState')).toBe('active');
    expect(prop('MainPID')).not.toBe(pid);
  });

  it('12. /etc/istio/proxy owned by istio-proxy (istio.io\'s VM guide chowns it): the capped root still starts and recovers from kill -9', async () => {
    m.sh('systemctl stop vmlet.service && chown -R istio-proxy:istio-proxy /etc/istio/proxy', 100_000);
    m.sh('systemctl start vmlet.service', 100_000);
    expect(prop('ActiveState')).toBe('active');
    // The crash leaves a stale XDS socket behind, which the next start must be able to remove.
    const pid = mainPid();
    const connected = (await entry())?.annotations['istio.io/connectedAt'];
    m.sh(`kill -9 ${pid}`);
    await recovered(pid, connected, 'after kill -9 with istio-proxy\'s /etc/istio/proxy');
  });
});
