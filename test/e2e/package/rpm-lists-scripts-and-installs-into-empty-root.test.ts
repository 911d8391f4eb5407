// The .rpm without an RPM-based machine (none is reachable here): its file list, its scriptlets
// (systemd conventions, capture removal on erase, no start on install) and an install into an
// empty --root with --nodeps --noscripts (the scriptlets need a shell inside that root; their
// syntax is checked with sh -n instead).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTools } from '../../../packaging/ensure-tools.mjs';
import { canRun, packagesBuilt, RPM } from './env.js';

const runnable = canRun(process.getuid?.() === 0 ? packagesBuilt() : 'needs root to install rpm');

describe.runIf(runnable)('the .rpm', () => {
  let root: string;
  beforeAll(() => {
    ensureTools({ rpm: 'rpm' });
    root = mkdtempSync(join(tmpdir(), 'vmlet-rpmroot-'));
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('rpm -qpl lists the program, runtime, unit, sysusers/tmpfiles, conffile, licence and docs', () => {
    const files = execFileSync('rpm', ['-qpl', RPM], { encoding: 'utf8' }).trim().split('\n');
    expect(files).toEqual(expect.arrayContaining([
      '/usr/bin/vmlet', '/usr/lib/vmlet/node', '/usr/lib/vmlet/vmlet.cjs', '/usr/lib/vmlet/stop-post',
      '/usr/lib/systemd/system/vmlet.service', '/usr/lib/sysusers.d/vmlet.conf', '/usr/lib/tmpfiles.d/vmlet.conf',
      '/etc/vmlet/config.yaml', '/usr/share/licenses/vmlet/LICENSE', '/usr/share/doc/vmlet/third-party-licenses.txt',
    ]));
    expect(execFileSync('rpm', ['-qp', '--configfiles', RPM], { encoding: 'utf8' }).trim()).toBe('/etc/vmlet/config.yaml');
    const requires = execFileSync('rpm', ['-qpR', RPM], { encoding: 'utf8' });
    expect(requires).toMatch(/^iptables$/m);
    expect(requires).toMatch(/^iproute$/m);
  });

  it('rpm -qp --scripts: preset on install (no start), stop+disable and capture removal on erase, try-restart on upgrade', () => {
    const scripts = execFileSync('rpm', ['-qp', '--scripts', RPM], { encoding: 'utf8' });
    const section = (name: string) => new RegExp(`${name} scriptlet[^\\n]*\\n([\\s\\S]*?)(?=\\n\\S+ scriptlet|$)`).exec(scripts)?.[1] ?? '';
    expect(section('postinstall')).toMatch(/systemd-sysusers/);
    expect(section('postinstall')).toMatch(/systemctl --no-reload preset vmlet\.service/);
    expect(section('postinstall')).not.toMatch(/systemctl[^\n]*\b(start|enable)\b/);
    expect(section('preuninstall')).toMatch(/disable --now vmlet\.service/);
    expect(section('preuninstall')).toMatch(/vmlet capture remove/);
    expect(section('postuninstall')).toMatch(/try-restart vmlet\.service/);
    for (const name of ['postinstall', 'preuninstall', 'postuninstall']) {
      const check = spawnSync('sh', ['-n'], { input: section(name), encoding: 'utf8' });
      expect(check.status, `${name}: ${check.stderr}`).toBe(0);
    }
  });

  it('installs into an empty --root with --nodeps --noscripts', () => {
    const r = spawnSync('rpm', ['-i', '--root', root, '--nodeps', '--noscripts', RPM], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(join(root, 'usr/lib/vmlet/node')).mode & 0o777).toBe(0o755);
    const version = spawnSync(join(root, 'usr/lib/vmlet/node'), [join(root, 'usr/lib/vmlet/vmlet.cjs'), 'version'], { encoding: 'utf8' });
    expect(version.stdout).toMatch(/^vmlet \S+ \(node v24\./);
    expect(execFileSync('rpm', ['--root', root, '-q', 'vmlet'], { encoding: 'utf8' })).toMatch(/^vmlet-/);
  });
});
