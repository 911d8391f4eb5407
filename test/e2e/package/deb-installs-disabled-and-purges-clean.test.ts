// The .deb on a real systemd machine: installs without enabling or starting the service, keeps an
// existing istio-proxy user, ships a unit that passes systemd-analyze verify with an exposure
// score ≤ 4.5, answers every CLI subcommand, and `dpkg -r` then `dpkg -P` leave nothing behind.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRun, DEB, packagesBuilt, REPO, VERSION } from './env.js';
import { pathDiff, pathSnapshot } from './fs-snapshot.js';
import { bootMachine, isRunnable, type Machine } from './machine.js';

const runnable = canRun(isRunnable() ?? packagesBuilt());

describe.runIf(runnable)('the .deb on a Debian 12 systemd machine', () => {
  let m: Machine;
  let before: Set<string>;

  beforeAll(async () => {
    m = await bootMachine('deb');
    // Istio's own packages create istio-proxy too (system uid); a pre-existing one must be kept.
    m.sh('groupadd --system --gid 1337 istio-proxy && useradd --system --uid 1337 --gid 1337 --no-create-home --shell /usr/sbin/nologin istio-proxy');
    before = pathSnapshot(m);
    copyFileSync(DEB, join(m.root, 'root', 'vmlet.deb'));
  });
  afterAll(async () => {
    await m?.stop();
  });

  it('1. installs with dpkg -i, neither enabled nor started', () => {
    m.sh('dpkg -i /root/vmlet.deb && rm /root/vmlet.deb');
    expect(m.run(['systemctl', 'is-enabled', 'vmlet.service']).stdout.trim()).toBe('disabled');
    expect(m.run(['systemctl', 'is-active', 'vmlet.service']).stdout.trim()).toBe('inactive');
    expect(m.sh("dpkg-query -W -f='${Conffiles}' vmlet")).toContain('/etc/vmlet/config.yaml');
  });

  it('2. keeps the existing istio-proxy user and creates the directories with their modes', () => {
    expect(m.sh('getent passwd istio-proxy').split(':').slice(2, 4)).toEqual(['1337', '1337']);
    expect(m.sh('stat -c "%n %a %U" /var/lib/vmlet /run/vmlet /etc/istio/proxy /run/secrets/workload-spiffe-uds /etc/vmlet/config.yaml').trim().split('\n')).toEqual([
      '/var/lib/vmlet 700 root',
      '/run/vmlet 755 root',
      '/etc/istio/proxy 755 root',
      '/run/secrets/workload-spiffe-uds 755 root',
      '/etc/vmlet/config.yaml 644 root',
    ]);
  });

  it('3. ships a unit that systemd-analyze verifies, with an exposure score of at most 4.5', () => {
    const verify = m.run(['systemd-analyze', 'verify', 'vmlet.service']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stderr.trim()).toBe('');
    const security = m.run(['systemd-analyze', 'security', '--no-pager', 'vmlet.service']).stdout;
    const score = Number(/Overall exposure level for vmlet\.service: ([\d.]+)/.exec(security)?.[1]);
    console.log(`systemd-analyze security vmlet.service: ${score}`);
    expect(score).toBeLessThanOrEqual(4.5);
  });

  it('3b. systemd waits longer than vmlet\'s own graceful stop (shutdownTimeout + forceStopTimeout) before SIGKILL', () => {
    const conf = m.sh('cat /etc/vmlet/config.yaml');
    const seconds = (key: string) => {
      const v = new RegExp(`# ${key}: (\\d+)s$`, 'm').exec(conf)?.[1];
      expect(v, `${key} default in config.yaml`).toBeDefined();
      return Number(v);
    };
    // systemd prints the timeout as e.g. "45s".
    const timeoutStopSec = Number(/^(\d+)s$/.exec(m.sh('systemctl show -P TimeoutStopUSec vmlet.service').trim())?.[1]);
    expect(timeoutStopSec).toBeGreaterThan(seconds('shutdownTimeout') + seconds('forceStopTimeout'));
  });

  it('4. /usr/bin/vmlet runs on the bundled Node.js and answers every subcommand', () => {
    expect(m.sh('vmlet version')).toContain(VERSION);
    expect(m.sh('readlink -f /usr/bin/vmlet; head -c 2 /usr/bin/vmlet; /usr/lib/vmlet/node --version')).toMatch(/^\/usr\/bin\/vmlet\n#!v24\./);
    const commands = [...m.sh('vmlet --help').matchAll(/^ {2}([a-z][a-z-]*(?: [a-z][a-z-]*)?)\s{2,}/gm)].map((x) => x[1] as string);
    expect(commands).toEqual(expect.arrayContaining(['validate', 'version']));
    for (const cmd of commands) {
      const r = m.run(['vmlet', ...cmd.split(' '), '--help']);
      expect(r.code, `vmlet ${cmd} --help: ${r.stderr}`).toBe(0);
    }
    // The shipped conffile and the example are accepted by the same loader `vmlet run` uses. This
    // machine has no Istio files yet and no network, so validate (which runs run's pre-flight)
    // refuses only what `vmlet run` would refuse here: no token and no stored certificate
    // (VMLET_TOKEN_MISSING) and no address to register (VMLET_NODE_NO_INSTANCE_IP); exit 2.
    const refusesOnlyWhatTheHostLacks = (config: string) => {
      const r = m.run(['vmlet', 'validate', '--json', '--config', config]);
      const report = JSON.parse(r.stdout) as { configFile: { read: boolean }; problems: { code: string; file?: string }[] };
      expect(report.configFile.read, r.stdout).toBe(true);
      const codes = report.problems.map((p) => p.code);
      expect(codes, r.stdout).toContain('VMLET_TOKEN_MISSING');
      expect(codes.filter((c) => c !== 'VMLET_TOKEN_MISSING' && c !== 'VMLET_NODE_NO_INSTANCE_IP'), r.stdout).toEqual([]);
      expect(report.problems.filter((p) => p.file === config), r.stdout).toEqual([]);
      expect(r.code).toBe(2);
    };
    refusesOnlyWhatTheHostLacks('/etc/vmlet/config.yaml');
    copyFileSync(join(REPO, 'examples/config/config.yaml'), join(m.root, 'root/example-config.yaml'));
    refusesOnlyWhatTheHostLacks('/root/example-config.yaml');
    m.sh('rm /root/example-config.yaml');
  });

  it('4b. the example drop-in is a valid addition to the shipped unit', () => {
    m.sh('mkdir -p /etc/systemd/system/vmlet.service.d');
    copyFileSync(join(REPO, 'examples/systemd/istio-dir.conf'), join(m.root, 'etc/systemd/system/vmlet.service.d/istio-dir.conf'));
    try {
      m.sh('systemctl daemon-reload');
      expect(m.sh('systemctl show -P Environment vmlet.service')).toContain('VMLET_ISTIO_DIR=/etc/vmlet/istio');
      const verify = m.run(['systemd-analyze', 'verify', 'vmlet.service']);
      expect(verify.code, verify.stderr).toBe(0);
    } finally {
      m.sh('rm -r /etc/systemd/system/vmlet.service.d && systemctl daemon-reload');
    }
  });

  it('5. dpkg -r removes the program, keeps the configuration, leaves no capture rules', () => {
    m.sh('dpkg -r vmlet');
    expect(m.run(['test', '-e', '/usr/bin/vmlet']).code).not.toBe(0);
    expect(m.run(['test', '-e', '/usr/lib/vmlet']).code).not.toBe(0);
    expect(m.run(['test', '-f', '/etc/vmlet/config.yaml']).code).toBe(0);
    expect(m.run(['systemctl', 'is-active', 'vmlet.service']).stdout.trim()).not.toBe('active');
    expect(m.sh('iptables-save; ip6tables-save')).not.toMatch(/ISTIO_|VMLET/);
  });

  it('6. dpkg -P leaves nothing behind but the istio-proxy user', () => {
    m.sh('dpkg -P vmlet');
    expect(pathDiff(before, pathSnapshot(m))).toEqual({ added: [], removed: [] });
    expect(m.sh('getent passwd istio-proxy')).toContain(':1337:1337:');
  });
});
