// The arm64 packages (built with VMLET_PKG_ARCHES="x64 arm64"): lintian and rpmlint clean, an
// aarch64 runtime inside, and the packaged vmlet answering `version` and `validate` on the
// bundled arm64 Node.js under qemu-user with a Debian 12 arm64 sysroot. No arm64 machine is
// reachable here, so this is the run-time evidence for arm64. Skipped (loudly, also in CI) when
// the arm64 packages were not built: they are not part of the default build.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTools } from '../../../packaging/ensure-tools.mjs';
import { REPO, VERSION } from './env.js';

const DEB = join(REPO, 'out', `vmlet_${VERSION}_arm64.deb`);
const RPM = join(REPO, 'out', `vmlet-${VERSION}.aarch64.rpm`);
const SYSROOT = process.env.VMLET_ARM64_SYSROOT ?? join(homedir(), '.cache', 'vmlet-rootfs', 'bookworm-arm64-sysroot');
const built = existsSync(DEB) && existsSync(RPM) && process.getuid?.() === 0;
if (!built) console.warn('\n*** SKIPPING arm64 checks: build with VMLET_PKG_ARCHES="x64 arm64" npm run package (as root) ***\n');

describe.runIf(built)('the arm64 packages', () => {
  let dir: string;
  beforeAll(() => {
    ensureTools({ lintian: 'lintian', rpmlint: 'rpmlint', 'qemu-aarch64-static': 'qemu-user-static', debootstrap: 'debootstrap' });
    execFileSync(join(import.meta.dirname, 'make-arm64-sysroot.sh'), [SYSROOT], { stdio: 'inherit', timeout: 1_000_000 });
    dir = mkdtempSync(join(tmpdir(), 'vmlet-arm64-'));
    execFileSync('dpkg-deb', ['-x', DEB, dir]);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('pass lintian and rpmlint like the amd64 ones', () => {
    expect(spawnSync('lintian', ['--pedantic', '--display-info', '--fail-on', 'error,warning,info,pedantic', DEB], { encoding: 'utf8' }).stdout).toBe('');
    expect(spawnSync('rpmlint', ['-r', join(REPO, 'packaging/rpm/rpmlintrc'), RPM], { encoding: 'utf8' }).stdout).toMatch(/0 errors, 0 warnings/);
    expect(execFileSync('rpm', ['-qp', '--qf', '%{ARCH}', RPM], { encoding: 'utf8' })).toBe('aarch64');
  });

  it('carry an aarch64 Node.js that runs vmlet version and validate under qemu-user', () => {
    const elf = execFileSync('head', ['-c', '20', join(dir, 'usr/lib/vmlet/node')]);
    expect(elf.readUInt16LE(18)).toBe(0xb7); // e_machine EM_AARCH64
    const node = (...args: string[]) =>
      spawnSync('qemu-aarch64-static', ['-L', SYSROOT, join(dir, 'usr/lib/vmlet/node'), join(dir, 'usr/lib/vmlet/vmlet.cjs'), ...args], { encoding: 'utf8', timeout: 60_000 });
    expect(node('version').stdout).toMatch(new RegExp(`^vmlet ${VERSION.replaceAll('.', '\\.')} \\(node v24\\.\\d+\\.\\d+, linux/arm64\\)`));
    // The shipped conffile is read and raises nothing of its own; what this host lacks (no Istio
    // files, so no token; no istio-proxy user) is refused by run's pre-flight, as `vmlet run` would.
    const validate = node('validate', '--json', '--config', join(dir, 'etc/vmlet/config.yaml'), '--set', 'envoy.runAsUser=');
    const report = JSON.parse(validate.stdout) as { configFile: { read: boolean }; problems: { code: string }[] };
    expect(report.configFile.read, validate.stdout).toBe(true);
    expect(report.problems.map((p) => p.code), validate.stdout).toEqual(['VMLET_TOKEN_MISSING']);
    expect(validate.status).toBe(2);
  });
});
