// `npm run package`: builds the bundle, then vmlet_<version>_amd64.deb and
// vmlet-<version>.x86_64.rpm into out/, reproducibly (SOURCE_DATE_EPOCH from the last commit
// unless set; fixed owners, modes and mtimes; sorted file lists). VMLET_PKG_ARCHES="x64 arm64"
// adds the arm64 packages. Installs its own tools (dpkg-deb is always there; rpmbuild comes from
// Debian's `rpm` package) when they are missing. VMLET_PKG_OUT overrides the output directory.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchRuntime } from './fetch-runtime.mjs';
import { stageTree } from './stage-tree.mjs';
import { buildDeb } from './build-deb.mjs';
import { buildRpm } from './build-rpm.mjs';
import { ensureTools } from './ensure-tools.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version;
const maintainer = process.env.VMLET_MAINTAINER ?? 'The vmlet authors <vmlet@example.org>';
const arches = (process.env.VMLET_PKG_ARCHES ?? 'x64').split(/[\s,]+/).filter(Boolean);

function sourceDateEpoch() {
  if (process.env.SOURCE_DATE_EPOCH) return Number(process.env.SOURCE_DATE_EPOCH);
  try {
    return Number(execFileSync('git', ['-C', repo, 'log', '-1', '--format=%ct'], { encoding: 'utf8' }).trim());
  } catch {
    throw new Error('SOURCE_DATE_EPOCH is not set and this is not a git checkout; set it for a reproducible build');
  }
}

ensureTools({ rpmbuild: 'rpm', strip: 'binutils' });
// The Node.js binary is stripped with the binutils that know its ELF machine.
if (arches.includes('arm64') && process.arch !== 'arm64') ensureTools({ 'aarch64-linux-gnu-strip': 'binutils-aarch64-linux-gnu' });
if (arches.includes('x64') && process.arch !== 'x64') ensureTools({ 'x86_64-linux-gnu-strip': 'binutils-x86-64-linux-gnu' });
const epoch = sourceDateEpoch();
execFileSync(process.execPath, [join(repo, 'scripts/build.mjs')], { stdio: 'inherit' });

const outDir = process.env.VMLET_PKG_OUT ?? join(repo, 'out');
const work = join(outDir, '.work');
mkdirSync(outDir, { recursive: true });
const built = {};
for (const arch of arches) {
  const runtime = fetchRuntime(arch);
  const common = { repo, version, arch, epoch, maintainer, outDir };
  const debStage = join(work, `deb-${arch}`);
  await stageTree({ root: debStage, format: 'deb', arch, repo, version, epoch, maintainer, runtime });
  const deb = buildDeb({ ...common, stage: debStage });
  const rpmStage = join(work, `rpm-${arch}`);
  await stageTree({ root: rpmStage, format: 'rpm', arch, repo, version, epoch, maintainer, runtime });
  const rpm = buildRpm({ ...common, stage: rpmStage, work });
  for (const p of [deb, rpm]) {
    built[basename(p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    console.log(`${p}  ${(statSync(p).size / 1048576).toFixed(1)} MiB`);
  }
}
// What a rebuild needs to reproduce these bytes, and the bytes' checksums.
writeFileSync(join(outDir, 'build-info.json'), `${JSON.stringify({ version, sourceDateEpoch: epoch, sha256: built }, null, 2)}\n`);
