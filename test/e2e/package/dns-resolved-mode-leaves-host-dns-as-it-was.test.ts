// DNS in resolved mode, the packaged vmlet under the shipped unit on a booted Debian 12 machine
// whose own DNS is systemd-resolved (resolv.conf on its stub 127.0.0.53, the upstream a FAKE DNS
// server, test/fakes/fake-dns-upstream.mjs, behind a veth). The istiod simulator (a TEST DOUBLE)
// serves an NDS name table; the FAKE Envoy opens the xDS stream. dns.mode is left at auto, so
// vmlet must pick resolved mode itself. Mesh names resolve through the host's normal path
// (getent → stub → resolved → the vmlet-dns link → vmlet), other names keep going straight to the
// upstream, a frozen vmlet costs only mesh names, a kill -9 leaves a link the next start replaces,
// and after `systemctl stop` and after purge (even following a crash) the host's DNS state is
// exactly what it was.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import { FAKE_ENVOY_MODULES, installFakeEnvoy, installIstioFiles } from './agent-setup.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { canRun, DEB, packagesBuilt, REPO } from './env.js';
import { pathDiff, pathSnapshot } from './fs-snapshot.js';
import { bootMachine, isRunnable, unitProp, type Machine } from './machine.js';

const runnable = canRun(isRunnable() ?? packagesBuilt());

const MESH_K8S = 'web.bar.svc.cluster.local';
const MESH_K8S_IP = '10.96.0.21';
const MESH_SE = 'db.partner.example';
const MESH_SE_IP = '240.240.0.9';
const OUTSIDE = 'outside.example.org';
const OUTSIDE_IP = '192.0.2.44';
/** Known to the upstream only, beside a routed mesh host: must not be hidden by the routing. */
const SIBLING = 'www.partner.example';
const SIBLING_IP = '192.0.2.45';

describe.runIf(runnable)('DNS resolved mode on a systemd-resolved host: mesh names via vmlet, the host\'s DNS untouched', () => {
  let m: Machine;
  let cp: ControlPlane;
  let upstream: ChildProcess | undefined;
  const upstreamSeen: { name: string; type: string }[] = [];
  let pathsBeforeInstall: Set<string>;
  let dnsBefore = '';
  const prop = (name: string) => unitProp(m, name);
  const journal = () => m.sh('journalctl -u vmlet.service --no-pager -o cat');
  /** What the host's own resolution path answers (glibc → /etc/resolv.conf → resolved's stub). */
  const getent = (name: string) => m.run(['getent', 'ahostsv4', name], 30_000);
  const resolvesTo = (name: string) => [...new Set(getent(name).stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0]))];

  /**
   * Every piece of DNS state vmlet could change: resolved's view of links and servers, links and
   * addresses, resolved's runtime files, and the configuration files in /etc.
   */
  const dnsState = () => m.sh([
    'echo "## resolvectl status"; resolvectl status --no-pager',
    'echo "## links"; ip -o link show | sed "s/ qlen [0-9]*//"',
    'echo "## addresses"; ip -o addr show',
    'echo "## routes"; ip route show table all',
    // Files and sockets only: resolved keeps its (then empty) netif directory once any link had
    // settings; it is resolved's own runtime directory, gone at reboot.
    'echo "## /run/systemd/resolve"; find /run/systemd/resolve \\( -type f -o -type s \\) | sort',
    'for f in /run/systemd/resolve/resolv.conf /run/systemd/resolve/stub-resolv.conf /run/systemd/resolve/netif/*; do [ -f "$f" ] && { echo "## $f"; cat "$f"; }; done',
    'echo "## /etc/resolv.conf"; readlink /etc/resolv.conf; cat /etc/resolv.conf',
    'echo "## /etc/systemd/resolved.conf*"; find /etc/systemd/resolved.conf /etc/systemd/resolved.conf.d -type f -exec sha256sum {} +',
    'echo "## /etc/systemd/network /etc/NetworkManager"; ls -R /etc/systemd/network /etc/NetworkManager 2>/dev/null || true',
  ].join('; '));

  beforeAll(async () => {
    m = await bootMachine('dns', { bindReadOnly: [FAKE_ENVOY_MODULES] });
    // The host as its operator runs it, before vmlet: resolved on, resolv.conf on the stub, the
    // upstream configured globally (as a cloud image's resolved.conf.d or DHCP would).
    cp = await startControlPlane(m, 'dns', join(m.root, 'root', 'istio'), {
      nameTable: {
        [MESH_K8S]: { ips: [MESH_K8S_IP], registry: 'Kubernetes', shortname: 'web', namespace: 'bar' },
        [MESH_SE]: { ips: [MESH_SE_IP], registry: 'External' },
      },
    });
    upstream = spawn('ip', ['netns', 'exec', cp.link.ns, process.execPath, join(REPO, 'test', 'fakes', 'fake-dns-upstream.mjs'), cp.link.nsAddr, '53',
      `${OUTSIDE}=${OUTSIDE_IP}`, `${SIBLING}=${SIBLING_IP}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let ready = false;
    createInterface({ input: upstream.stdout! }).on('line', (l) => {
      if (l.startsWith('ready')) ready = true;
      else try { upstreamSeen.push(JSON.parse(l) as { name: string; type: string }); } catch { /* not a query line */ }
    });
    await waitFor(() => ready || upstream!.exitCode !== null, { timeoutMs: 20_000, what: 'the FAKE upstream DNS server' });
    m.sh([
      'mkdir -p /etc/systemd/resolved.conf.d',
      `printf '[Resolve]\\nDNS=${cp.link.nsAddr}\\nDNSSEC=no\\n' > /etc/systemd/resolved.conf.d/upstream.conf`,
      'systemctl unmask systemd-resolved.service', 'systemctl start systemd-resolved.service',
      'ln -sf ../run/systemd/resolve/stub-resolv.conf /etc/resolv.conf',
    ].join(' && '));
    await waitFor(() => resolvesTo(OUTSIDE).includes(OUTSIDE_IP), { timeoutMs: 30_000, intervalMs: 500, what: 'the host to resolve names through resolved before vmlet' });
    pathsBeforeInstall = pathSnapshot(m);
    copyFileSync(DEB, join(m.root, 'root', 'vmlet.deb'));
    m.sh('dpkg -i /root/vmlet.deb');
    const envoy = installFakeEnvoy(m);
    installIstioFiles(m, '/root/istio');
    m.sh('mkdir -p /etc/systemd/system/vmlet.service.d');
    // ISTIO_META_DNS_CAPTURE as istioctl writes it; capture off: the FAKE Envoy forwards nothing,
    // and resolved mode needs no capture rule (port 53 is never touched).
    m.sh(`printf '[Service]\\nEnvironment=VMLET_ENVOY_BINARY=${envoy} FAKE_ENVOY_XDS=1 FAKE_ENVOY_SDS=1 ISTIO_META_DNS_CAPTURE=true VMLET_CAPTURE_ENABLED=false\\n' > /etc/systemd/system/vmlet.service.d/60-test.conf`);
    m.sh('systemctl daemon-reload');
    dnsBefore = dnsState();
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    const tail = m.run(['journalctl', '-u', 'vmlet.service', '-u', 'systemd-resolved.service', '--no-pager', '-n', '60', '-o', 'short-monotonic']).stdout;
    console.log(`--- journal after "${ctx.task.name}" failed:\n${tail.split('\n').map((l) => l.slice(0, 400)).join('\n')}`);
  });
  afterAll(async () => {
    if (upstream?.exitCode === null) upstream.kill('SIGKILL');
    await cp?.stop();
    await m?.stop();
  });

  it('0. before vmlet: non-mesh names resolve through resolved, mesh names do not', () => {
    expect(resolvesTo(OUTSIDE)).toEqual([OUTSIDE_IP]);
    expect(getent(MESH_K8S).code).not.toBe(0);
    expect(dnsBefore).not.toMatch(/vmlet-dns/);
  });

  it('1. started with dns.mode auto, vmlet picks resolved mode and routes only mesh domains over its own link', { timeout: 200_000 }, async () => {
    const r = m.run(['systemctl', 'start', 'vmlet.service'], 180_000);
    expect(r.code, `${r.stderr}\n${journal().split('\n').slice(-40).join('\n')}`).toBe(0);
    await waitFor(() => m.run(['resolvectl', 'dns', 'vmlet-dns']).stdout.includes('127.0.0.1:15053'), { timeoutMs: 30_000, intervalMs: 500, what: 'the DNS server on link vmlet-dns' });
    const link = m.sh('resolvectl status vmlet-dns --no-pager');
    expect(link).toMatch(/-DefaultRoute/);
    expect(link).toMatch(/-LLMNR/);
    expect(link).toMatch(/-mDNS/);
    // The cluster domain, and the ServiceEntry host exactly (its sibling stays with the upstream).
    expect(link).toMatch(/DNS Domain: (.* )?~cluster\.local/);
    await waitFor(() => m.sh('resolvectl domain vmlet-dns').includes(`~${MESH_SE}`), { timeoutMs: 30_000, intervalMs: 500, what: 'the name table\'s host as a routing domain' });
    expect(m.sh('resolvectl domain vmlet-dns')).not.toMatch(/~partner\.example\b(?!\S)/);
    // Port 53 is left alone: no capture rule at all.
    expect(m.sh('iptables-save')).not.toMatch(/15053/);
  });

  it('2. mesh names resolve through the host\'s own path (getent → stub → resolved → vmlet), from the name table', async () => {
    await waitFor(() => resolvesTo(MESH_K8S).includes(MESH_K8S_IP), { timeoutMs: 30_000, intervalMs: 500, what: `${MESH_K8S} through resolved` });
    expect(resolvesTo(MESH_K8S)).toEqual([MESH_K8S_IP]);
    expect(resolvesTo(MESH_SE)).toEqual([MESH_SE_IP]);
  });

  it('3. other names, including a sibling of a routed mesh host, go to the upstream as before; mesh names never do', async () => {
    const before = upstreamSeen.length;
    m.sh('resolvectl flush-caches');
    expect(resolvesTo(OUTSIDE)).toEqual([OUTSIDE_IP]);
    expect(resolvesTo(SIBLING)).toEqual([SIBLING_IP]);
    await waitFor(() => [OUTSIDE, SIBLING].every((n) => upstreamSeen.slice(before).some((q) => q.name === n)), { timeoutMs: 10_000, what: 'the upstream to report both queries' });
    // Answered by vmlet from the table: the upstream never saw them.
    expect(upstreamSeen.map((q) => q.name)).not.toContain(MESH_K8S);
    expect(upstreamSeen.map((q) => q.name)).not.toContain(MESH_SE);
  });

  it('4. fail-open: with vmlet frozen, non-mesh names still resolve at once; only mesh names fail', async () => {
    const pid = prop('MainPID');
    expect(pid).toMatch(/^[1-9]\d*$/);
    m.sh('resolvectl flush-caches');
    m.sh(`kill -STOP ${pid}`);
    try {
      const t0 = Date.now();
      expect(resolvesTo(OUTSIDE)).toEqual([OUTSIDE_IP]);
      // The routed host's sibling never depended on vmlet either.
      expect(resolvesTo(SIBLING)).toEqual([SIBLING_IP]);
      const ms = Date.now() - t0;
      console.log(`non-mesh lookup with vmlet frozen: ${ms} ms`);
      expect(getent(MESH_K8S).code).not.toBe(0);
    } finally {
      m.run(['kill', '-CONT', pid]);
    }
    await waitFor(() => resolvesTo(MESH_K8S).includes(MESH_K8S_IP), { timeoutMs: 30_000, intervalMs: 500, what: 'mesh names again after SIGCONT' });
  });

  it('5. kill -9 leaves the link (only mesh names fail meanwhile); the restarted vmlet replaces it and mesh names resolve again', async () => {
    const pid = prop('MainPID');
    m.sh(`kill -9 ${pid}`);
    await waitFor(() => prop('MainPID') !== pid && prop('MainPID') !== '0' && prop('ActiveState') === 'active', { timeoutMs: 60_000, intervalMs: 500, what: 'the restart' });
    await waitFor(() => /removed link vmlet-dns left by an earlier vmlet/.test(journal()), { timeoutMs: 30_000, intervalMs: 500, what: 'the stale link to be replaced' });
    await waitFor(() => resolvesTo(MESH_K8S).includes(MESH_K8S_IP), { timeoutMs: 30_000, intervalMs: 500, what: 'mesh names after the restart' });
    expect(resolvesTo(OUTSIDE)).toEqual([OUTSIDE_IP]);
  });

  it('6. systemctl stop: the host\'s DNS state is exactly as before vmlet started, and resolves as before', () => {
    m.sh('systemctl stop vmlet.service', 120_000);
    expect(prop('ActiveState')).toBe('inactive');
    expect(prop('Result')).toBe('success');
    expect(dnsState()).toBe(dnsBefore);
    expect(resolvesTo(OUTSIDE)).toEqual([OUTSIDE_IP]);
    expect(getent(MESH_K8S).code).not.toBe(0);
  });

  it('7. purge right after a crash (the link left behind, systemd waiting to restart): nothing of vmlet remains, DNS as before', async () => {
    // A long RestartSec holds systemd in auto-restart, so the purge meets the crash's leftovers.
    m.sh(`printf '[Service]\\nRestartSec=1h\\n' > /etc/systemd/system/vmlet.service.d/70-test-slow-restart.conf && systemctl daemon-reload`);
    m.sh('systemctl start vmlet.service', 180_000);
    await waitFor(() => m.run(['resolvectl', 'dns', 'vmlet-dns']).stdout.includes('127.0.0.1:15053'), { timeoutMs: 30_000, intervalMs: 500, what: 'resolved mode again' });
    m.sh(`kill -9 ${prop('MainPID')}`);
    await waitFor(() => prop('SubState') === 'auto-restart', { timeoutMs: 20_000, intervalMs: 100, what: 'systemd to wait before restarting' });
    expect(m.run(['ip', 'link', 'show', 'dev', 'vmlet-dns']).code, 'the crash left the link').toBe(0);
    m.sh('dpkg --purge vmlet', 180_000);
    expect(dnsState()).toBe(dnsBefore);
    m.sh('rm -rf /etc/systemd/system/vmlet.service.d /root/vmlet.deb && systemctl daemon-reload');
    const { added, removed } = pathDiff(pathsBeforeInstall, pathSnapshot(m));
    // The istioctl files the test installed are the operator's, not the package's.
    const operatorFiles = /^\/(etc\/certs|etc\/istio|var\/lib\/istio|var\/run\/secrets|run\/secrets|usr\/local\/lib\/vmlet-test)(\/|$)/;
    expect(added.filter((p) => !operatorFiles.test(p))).toEqual([]);
    expect(removed).toEqual([]);
    expect(resolvesTo(OUTSIDE)).toEqual([OUTSIDE_IP]);
  });
});
