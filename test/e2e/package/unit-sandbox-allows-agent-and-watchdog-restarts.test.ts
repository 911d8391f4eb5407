// The shipped vmlet.service, every hardening line kept, on a real systemd machine, with a FAKE
// agent in ExecStart (fake-vmlet-run.mjs on the bundled Node.js): READY comes through
// NotifyAccess=all with the capped capability set, the sandbox lets the agent write its
// directories, start a child as istio-proxy and install iptables rules; a hung event loop is
// killed by the watchdog and restarted; kill -9 is restarted with capture kept (fail closed);
// a stop where the agent left capture behind makes ExecStopPost remove it.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRun, DEB, packagesBuilt } from './env.js';
import { linkControlPlane } from './control-plane-link.js';
import { bootMachine, expectStaysActive, isRunnable, type Machine } from './machine.js';
import { waitFor } from '../../helpers/wait-for.js';

const runnable = canRun(isRunnable() ?? packagesBuilt());

describe.runIf(runnable)('vmlet.service sandbox with a fake agent', () => {
  let m: Machine;
  const prop = (name: string) => m.sh(`systemctl show -P ${name} vmlet.service`).trim();
  const setMode = (mode: string) => writeFileSync(join(m.root, 'etc/vmlet-test/mode'), `${mode}\n`);
  const journal = () => m.sh('journalctl -u vmlet.service --no-pager -o cat');

  beforeAll(async () => {
    m = await bootMachine('sandbox');
    copyFileSync(DEB, join(m.root, 'root', 'vmlet.deb'));
    m.sh('dpkg -i /root/vmlet.deb');
    mkdirSync(join(m.root, 'usr/local/lib/vmlet-test'), { recursive: true });
    mkdirSync(join(m.root, 'etc/vmlet-test'), { recursive: true });
    copyFileSync(join(import.meta.dirname, 'fake-vmlet-run.mjs'), join(m.root, 'usr/local/lib/vmlet-test/fake-vmlet-run.mjs'));
    mkdirSync(join(m.root, 'etc/systemd/system/vmlet.service.d'), { recursive: true });
    writeFileSync(
      join(m.root, 'etc/systemd/system/vmlet.service.d/50-fake-agent.conf'),
      '[Service]\nExecStart=\nExecStart=/usr/lib/vmlet/node /usr/local/lib/vmlet-test/fake-vmlet-run.mjs\nWatchdogSec=3s\n',
    );
    setMode('normal');
    m.sh('systemctl daemon-reload');
  });
  afterAll(async () => {
    await m?.stop();
  });

  it('1. the package created the istio-proxy user (it did not exist)', () => {
    expect(m.sh('getent passwd istio-proxy')).toMatch(/^istio-proxy:x:\d+:\d+:/);
  });

  it('2. systemctl start returns once READY=1 arrived, with the STATUS line', () => {
    const t0 = Date.now();
    m.sh('systemctl start vmlet.service', 30_000);
    console.log(`fake agent start-to-READY under the unit: ${Date.now() - t0} ms`);
    expect(prop('ActiveState')).toBe('active');
    expect(prop('StatusText')).toMatch(/^fake ready: child uid \d+, chain ISTIO_FAKE$/);
    expect(m.sh('cat /var/lib/vmlet/fake-probe /run/vmlet/fake-probe /etc/istio/proxy/fake-probe /run/secrets/workload-spiffe-uds/fake-probe').trim().split('\n')).toHaveLength(4);
    expect(m.sh('iptables -t nat -S')).toContain('-N ISTIO_FAKE');
  });

  it('3. watchdog pings keep it alive past several WatchdogSec periods', async () => {
    await expectStaysActive(m);
  });

  it('4. a hung event loop is killed by the watchdog and restarted', async () => {
    m.sh('systemctl kill --kill-who=main -s SIGUSR1 vmlet.service');
    await waitFor(() => prop('NRestarts') === '1' && prop('ActiveState') === 'active', { timeoutMs: 20_000, what: 'a watchdog restart' });
    expect(journal()).toMatch(/Watchdog timeout/);
  });

  it('5. kill -9 is restarted, and ExecStopPost keeps capture through the restart', async () => {
    m.sh('systemctl kill --kill-who=main -s SIGKILL vmlet.service');
    await waitFor(() => prop('NRestarts') === '2' && prop('ActiveState') === 'active', { timeoutMs: 20_000, what: 'a restart after SIGKILL' });
    expect(journal()).toMatch(/systemd will restart it; keeping capture so traffic fails closed/);
  });

  it('6. a stop where the agent left capture behind makes ExecStopPost remove it', () => {
    setMode('leave-capture');
    m.sh('systemctl stop vmlet.service', 60_000);
    expect(journal()).toMatch(/stopped \(exit-code\) without removing capture; removing it now/);
    expect(prop('ActiveState')).not.toBe('active');
  });

  it('7. a clean stop: the agent removes its rule, ExecStopPost does nothing', () => {
    setMode('normal');
    m.sh('iptables -t nat -F ISTIO_FAKE; iptables -t nat -X ISTIO_FAKE; true');
    m.sh('systemctl start vmlet.service', 30_000);
    const lines = journal().split('\n').length;
    m.sh('systemctl stop vmlet.service', 60_000);
    expect(prop('Result')).toBe('success');
    expect(m.sh('iptables -t nat -S')).not.toContain('ISTIO_FAKE');
    expect(journal().split('\n').slice(lines - 1).join('\n')).not.toMatch(/capture/);
  });

  it('8. a veth links the machine to a control-plane network namespace on the host', async () => {
    const link = linkControlPlane(m, 'sandbox');
    const server = spawn('ip', ['netns', 'exec', link.ns, process.execPath, '-e',
      `require('node:net').createServer((s) => s.end('control plane\\n')).listen(15012, '${link.nsAddr}', () => console.log('listening'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise((resolve, reject) => {
        server.stdout?.once('data', resolve);
        server.once('exit', reject);
        setTimeout(() => reject(new Error('the stand-in control plane did not listen within 10 s')), 10_000);
      });
      const got = m.sh(`/usr/lib/vmlet/node -e "require('node:net').connect(15012, '${link.nsAddr}').on('data', (d) => process.stdout.write(d))"`, 10_000);
      expect(got).toBe('control plane\n');
    } finally {
      server.kill('SIGKILL');
      link.close();
    }
  });
});
