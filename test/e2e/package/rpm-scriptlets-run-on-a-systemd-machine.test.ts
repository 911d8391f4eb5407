// The .rpm's scriptlets executed for real: `rpm -i` inside the booted Debian 12 machine (its own
// rpm tool and database; no RPM-based rootfs is reachable here, so --nodeps stands in for the
// distribution's iptables/iproute/systemd packages, and --force-debian for Debian's guard), with
// Fedora's preset policy ("disable *"). %post creates the istio-proxy user and the directories,
// presets the unit without starting it; the unit then runs the agent and installs capture; `rpm -e`
// stops it, capture is gone, and the machine holds exactly the paths it held before.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rulesSnapshot } from './agent-setup.js';
import { canRun, packagesBuilt, RPM } from './env.js';
import { pathDiff, pathSnapshot } from './fs-snapshot.js';
import { bootMachine, isRunnable, unitProp, type Machine } from './machine.js';

const runnable = canRun(isRunnable() ?? packagesBuilt());

describe.runIf(runnable)('the .rpm\'s scriptlets on a Debian 12 systemd machine', () => {
  let m: Machine;
  let before: Set<string>;
  let rulesBefore = '';

  beforeAll(async () => {
    m = await bootMachine('rpm');
    const version = m.run(['rpm', '--version']);
    if (version.code !== 0) throw new Error(`no rpm tool in the machine (${version.stderr.trim()}): make-rootfs.sh installs it; delete ${'~/.cache/vmlet-rootfs'} to rebuild`);
    // What an RPM distribution provides: its preset policy, and /usr/share/licenses (package filesystem).
    m.sh('mkdir -p /etc/systemd/system-preset /usr/share/licenses && echo "disable *" > /etc/systemd/system-preset/99-default-disable.preset');
    // Capture only (no istiod here): cluster.env at the stock path asks for every port, and a
    // drop-in switches off identity, Envoy and xDS.
    m.sh("mkdir -p /var/lib/istio/envoy && printf \"ISTIO_INBOUND_PORTS='*'\\nISTIO_SERVICE_CIDR='*'\\n\" > /var/lib/istio/envoy/cluster.env");
    m.sh("mkdir -p /etc/systemd/system/vmlet.service.d && printf '[Service]\\nWatchdogSec=5s\\nEnvironment=VMLET_IDENTITY_ENABLED=false VMLET_ENVOY_ENABLED=false VMLET_XDS_ENABLED=false\\n' > /etc/systemd/system/vmlet.service.d/60-test-capture-only.conf");
    // An operator's own rule: the nat table exists before, and must be exactly as before after.
    m.sh('iptables -t nat -A OUTPUT -p tcp --dport 9999 -j RETURN');
    copyFileSync(RPM, join(m.root, 'var', 'tmp', 'vmlet.rpm'));
    m.sh('systemctl daemon-reload');
    before = pathSnapshot(m);
    rulesBefore = rulesSnapshot(m);
  });
  afterAll(async () => {
    await m?.stop();
  });

  it('1. rpm -i runs %post: istio-proxy user, directories with their modes, unit preset but not started', () => {
    expect(m.run(['getent', 'passwd', 'istio-proxy']).code).not.toBe(0);
    const r = m.run(['rpm', '-i', '--nodeps', '--force-debian', '/var/tmp/vmlet.rpm'], 180_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(m.sh('getent passwd istio-proxy')).toMatch(/^istio-proxy:x:\d+:\d+:.*:\/usr\/sbin\/nologin$/m);
    expect(m.sh('stat -c "%n %a %U" /var/lib/vmlet /run/vmlet /etc/istio/proxy /run/secrets/workload-spiffe-uds /etc/vmlet/config.yaml').trim().split('\n')).toEqual([
      '/var/lib/vmlet 700 root',
      '/run/vmlet 755 root',
      '/etc/istio/proxy 755 root',
      '/run/secrets/workload-spiffe-uds 755 root',
      '/etc/vmlet/config.yaml 644 root',
    ]);
    expect(m.run(['systemctl', 'is-enabled', 'vmlet.service']).stdout.trim()).toBe('disabled');
    expect(unitProp(m, 'ActiveState')).toBe('inactive');
    expect(m.sh('rpm -q vmlet')).toMatch(/^vmlet-/);
    const verify = m.run(['rpm', '-V', '--nodeps', 'vmlet']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it('2. the rpm-installed unit starts the agent, which installs capture', () => {
    const r = m.run(['systemctl', 'enable', '--now', 'vmlet.service'], 120_000);
    expect(r.code, `${r.stderr}\n${m.run(['journalctl', '-u', 'vmlet', '--no-pager', '-n', '30', '-o', 'cat']).stdout}`).toBe(0);
    expect(unitProp(m, 'ActiveState')).toBe('active');
    expect(rulesSnapshot(m)).toMatch(/^:ISTIO_INBOUND /m);
  });

  it('3. rpm -e runs %preun/%postun: stops and disables the service, capture and state are gone', () => {
    const r = m.run(['rpm', '-e', 'vmlet'], 180_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(unitProp(m, 'ActiveState')).not.toBe('active');
    expect(rulesSnapshot(m)).toBe(rulesBefore);
    expect(m.run(['rpm', '-q', 'vmlet']).code).not.toBe(0);
    expect(m.run(['test', '-e', '/var/lib/vmlet']).code).not.toBe(0);
  });

  it('4. the machine holds exactly the paths it held before, but the istio-proxy user', () => {
    expect(pathDiff(before, pathSnapshot(m))).toEqual({ added: [], removed: [] });
    expect(m.run(['getent', 'passwd', 'istio-proxy']).code).toBe(0);
  });
});
