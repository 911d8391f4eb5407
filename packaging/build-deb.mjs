// Builds vmlet_<version>_<arch>.deb with dpkg-deb from a staged tree: control file, maintainer
// scripts, conffiles, md5sums; root:root owners and SOURCE_DATE_EPOCH mtimes, so two builds of
// the same commit are byte-identical.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { installedSizeKiB } from './stage-tree.mjs';

const DEB_ARCH = { x64: 'amd64', arm64: 'arm64' };

function walkFiles(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walkFiles(p, out);
    else out.push(p);
  }
  return out;
}

/** @returns {string} path of the .deb */
export function buildDeb({ repo, stage, outDir, version, arch, epoch, maintainer }) {
  const debian = join(stage, 'DEBIAN');
  mkdirSync(debian, { recursive: true });
  const control = readFileSync(join(repo, 'packaging/deb/control.in'), 'utf8')
    .replaceAll('@VERSION@', version)
    .replaceAll('@ARCH@', DEB_ARCH[arch])
    .replaceAll('@MAINTAINER@', maintainer)
    .replaceAll('@INSTALLED_SIZE@', String(installedSizeKiB(stage)));
  writeFileSync(join(debian, 'control'), control, { mode: 0o644 });
  for (const script of ['postinst', 'prerm', 'postrm']) {
    copyFileSync(join(repo, 'packaging/deb', script), join(debian, script));
    chmodSync(join(debian, script), 0o755);
  }
  const conffiles = walkFiles(join(stage, 'etc')).map((p) => `/${relative(stage, p)}`);
  writeFileSync(join(debian, 'conffiles'), `${conffiles.join('\n')}\n`, { mode: 0o644 });
  const sums = walkFiles(stage)
    .filter((p) => !p.startsWith(`${debian}/`))
    .map((p) => `${createHash('md5').update(readFileSync(p)).digest('hex')}  ${relative(stage, p)}`);
  writeFileSync(join(debian, 'md5sums'), `${sums.join('\n')}\n`, { mode: 0o644 });
  for (const name of readdirSync(debian)) utimesSync(join(debian, name), epoch, epoch);
  chmodSync(debian, 0o755);
  utimesSync(debian, epoch, epoch);

  const out = join(outDir, `vmlet_${version}_${DEB_ARCH[arch]}.deb`);
  // --root-owner-group: every entry root:root whoever builds; -Zxz: the smallest payload dpkg
  // reads everywhere; SOURCE_DATE_EPOCH (in env) clamps the ar and tar timestamps.
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '-z9', '--build', stage, out], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) },
  });
  return out;
}
