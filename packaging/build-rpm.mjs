// Builds vmlet-<version>-1.<arch>.rpm with rpmbuild (Debian's `rpm` package) from a staged tree,
// then copies it to out/vmlet-<version>.<arch>.rpm. The spec only copies files; scriptlets follow
// Fedora's systemd conventions.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const RPM_ARCH = { x64: 'x86_64', arm64: 'aarch64' };

function rpmDate(epoch) {
  // "Wed, 25 Nov 2026 01:02:03 GMT" -> "Wed Nov 25 2026", the only form %changelog accepts.
  const [wd, day, mon, year] = new Date(epoch * 1000).toUTCString().replace(',', '').split(' ');
  return `${wd} ${mon} ${day} ${year}`;
}

/** @returns {string} path of the .rpm in outDir */
export function buildRpm({ repo, stage, work, outDir, version, arch, epoch, maintainer }) {
  const top = join(work, 'rpmbuild');
  rmSync(top, { recursive: true, force: true });
  for (const d of ['SPECS', 'RPMS', 'BUILD', 'BUILDROOT', 'SOURCES', 'SRPMS']) mkdirSync(join(top, d), { recursive: true });
  const spec = readFileSync(join(repo, 'packaging/rpm/vmlet.spec.in'), 'utf8')
    .replaceAll('@VERSION@', version)
    .replaceAll('@RPMARCH@', RPM_ARCH[arch])
    .replaceAll('@STAGE@', stage)
    .replaceAll('@MAINTAINER@', maintainer)
    .replaceAll('@DATE@', rpmDate(epoch));
  const specPath = join(top, 'SPECS/vmlet.spec');
  writeFileSync(specPath, spec);
  execFileSync(
    'rpmbuild',
    ['-bb', '--quiet', '--define', `_topdir ${top}`, '--target', `${RPM_ARCH[arch]}-linux`, '--define', '_source_payload w9.xzdio', specPath],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch), TZ: 'UTC', LC_ALL: 'C' } },
  );
  const built = join(top, 'RPMS', RPM_ARCH[arch], `vmlet-${version}-1.${RPM_ARCH[arch]}.rpm`);
  const out = join(outDir, `vmlet-${version}.${RPM_ARCH[arch]}.rpm`);
  copyFileSync(built, out);
  return out;
}
