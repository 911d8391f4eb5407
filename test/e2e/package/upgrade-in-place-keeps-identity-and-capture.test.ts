// Upgrade in place (issue 16, scenario 7): a newer vmlet .deb installed with `dpkg -i` over an
// older one that is running under vmlet.service, on a real systemd machine, with the istiod
// simulator (a TEST DOUBLE) and the FAKE Envoy (test/fakes; not Envoy). The newer package is the
// built one with its version bumped in a staged copy (control file and the bundle's version
// string), so dpkg sees a real upgrade and the restarted process proves which files it runs.
// The token is removed before the upgrade: the new version must come up on the stored identity.
// Prints the downtime: how long vmlet.service was not active (systemd's own timestamps, from the
// old process leaving "active" to the new one's READY=1) and how long the VM's ADS stream was gone.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import { FAKE_ENVOY_MODULES, installFakeEnvoy, installIstioFiles, ISTIO_TOKEN, rulesSnapshot, startListeners } from './agent-setup.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { canRun, DEB, packagesBuilt, VERSION } from './env.js';
import { bootMachine, isRunnable, unitProp, type Machine } from './machine.js';

const runnable = canRun(isRunnable() ?? packagesBuilt());
const NEW_VERSION = `${VERSION}+upgrade1`;

/** The built .deb with its version bumped in a staged copy; returns its path. */
function bumpedDeb(dir: string): string {
  const stage = join(dir, 'stage');
  execFileSync('dpkg-deb', ['-R', DEB, stage]);
  const control = join(stage, 'DEBIAN', 'control');
  writeFileSync(control, readFileSync(control, 'utf8').replace(/^Version: .*$/m, `Version: ${NEW_VERSION}`));
  // The bundle answers `vmlet version` from a string esbuild inlined: the new files say so.
  const from = `function vmletVersion(){return"${VERSION}"}`;
  let patched = 0;
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.cjs') && readFileSync(p, 'utf8').includes(from)) {
        writeFileSync(p, readFileSync(p, 'utf8').replaceAll(from, `function vmletVersion(){return"${NEW_VERSION}"}`));
        patched++;
      }
    }
  };
  walk(join(stage, 'usr', 'lib', 'vmlet'));
  if (patched === 0) throw new Error(`no ${from} in the package's bundle: the version string moved; update this test`);
  const out = join(dir, `vmlet_${NEW_VERSION}_amd64.deb`);
  // Fast compression: this package only travels to the test machine.
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '-z1', '-b', stage, out], { stdio: 'ignore' });
  return out;
}

describe.runIf(runnable)('upgrade in place: the new .deb installed over a running older one', () => {
  let m: Machine;
  let cp: ControlPlane;
  let work = '';
  const prop = (name: string) => unitProp(m, name);
  const entry = async () => (await cp.entries()).find((e) => e.name === `vm-app-${cp.link.machineAddr}`);
  const identityFiles = () => m.sh('sha256sum /var/lib/vmlet/identity/key.pem /var/lib/vmlet/identity/cert-chain.pem');

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'vmlet-upgrade-'));
    const newer = bumpedDeb(work);
    m = await bootMachine('upgrade', { bindReadOnly: [FAKE_ENVOY_MODULES] });
    copyFileSync(DEB, join(m.root, 'root', 'old.deb'));
    copyFileSync(newer, join(m.root, 'root', 'new.deb'));
    m.sh('dpkg -i /root/old.deb', 180_000);
    const envoy = installFakeEnvoy(m);
    cp = await startControlPlane(m, 'upgrade', join(m.root, 'root', 'istio'));
    installIstioFiles(m, '/root/istio');
    startListeners(m);
    m.sh('mkdir -p /etc/systemd/system/vmlet.service.d');
    m.sh(`printf '[Service]\\nEnvironment=VMLET_ENVOY_BINARY=${envoy} FAKE_ENVOY_XDS=1 FAKE_ENVOY_SDS=1\\n' > /etc/systemd/system/vmlet.service.d/60-test-fake-envoy.conf`);
    m.sh('systemctl daemon-reload');
    // Returns after READY=1: certificate for the token, capture, the FAKE Envoy ready.
    m.sh('systemctl enable --now vmlet.service', 180_000);
  });
  afterAll(async () => {
    await cp?.stop();
    await m?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('keeps the identity (same key and certificate, no token), installs capture once, and reconnects; prints the downtime', async () => {
    expect(m.sh("dpkg-query -W -f '${Version}' vmlet")).toBe(VERSION);
    expect(m.sh('vmlet version')).toContain(VERSION);
    const before = await waitFor(async () => { const e = await entry(); return e?.annotations['istio.io/connectedAt'] !== undefined ? e : undefined; }, { timeoutMs: 30_000, intervalMs: 500, what: 'the WorkloadEntry, connected' });
    const connectedBefore = before.annotations['istio.io/connectedAt'];
    const rules = rulesSnapshot(m);
    expect(rules).toMatch(/^:ISTIO_INBOUND /m);
    const ids = identityFiles();
    const pid = prop('MainPID');
    const callsBefore = (await cp.calls()).length;
    m.sh(`rm ${ISTIO_TOKEN}`);

    const t0 = Date.now();
    m.sh('dpkg -i /root/new.deb', 180_000);
    const dpkgMs = Date.now() - t0;
    // postinst try-restarts a running service; `systemctl restart` returns after the new READY=1.
    expect(m.sh("dpkg-query -W -f '${Version}' vmlet")).toBe(NEW_VERSION);
    expect(prop('ActiveState')).toBe('active');
    expect(prop('MainPID')).not.toBe(pid);
    expect(m.sh('systemctl is-enabled vmlet.service').trim()).toBe('enabled');
    const downMs = (Number(prop('ActiveEnterTimestampMonotonic')) - Number(prop('ActiveExitTimestampMonotonic'))) / 1000;
    const reconnected = await waitFor(async () => {
      const e = await entry();
      const at = e?.annotations['istio.io/connectedAt'];
      return at !== undefined && at !== connectedBefore && e?.annotations['istio.io/disconnectedAt'] === undefined ? Date.now() : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250, what: 'the ADS stream to reconnect after the upgrade' });

    // The new files are installed, and the running agent is the new version (its build info metric).
    expect(m.sh('vmlet version')).toContain(NEW_VERSION);
    const metrics = m.sh(`/usr/lib/vmlet/node -e "fetch('http://127.0.0.1:15020/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))"`);
    expect(metrics).toContain(`vmlet_build_info{version="${NEW_VERSION}"} 1`);
    // Identity kept: the same key and certificate, and no CSR with the (deleted) token.
    expect(identityFiles()).toBe(ids);
    const since = (await cp.calls()).slice(callsBefore);
    expect(since.filter((c) => c.bearer || c.auth === 'jwt')).toEqual([]);
    // Capture: removed by the old process, installed by the new one, exactly once.
    expect(rulesSnapshot(m)).toBe(rules);
    expect(m.sh('iptables-save -t nat').split('\n').filter((l) => /-j ISTIO_INBOUND$/.test(l))).toHaveLength(1);
    expect(cp.probe(22)).toBe('data:ssh-stand-in');
    console.log(`upgrade in place ${VERSION} -> ${NEW_VERSION}: dpkg -i took ${dpkgMs} ms; vmlet.service not active for ${downMs.toFixed(0)} ms (systemd: old leaves active -> new READY=1); ADS reconnected ${reconnected - t0} ms after dpkg -i began`);
  });
});
