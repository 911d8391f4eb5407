// Lays out the installed file tree of the vmlet package in a staging directory, the same tree for
// the .deb and the .rpm except where the two conventions differ (unit directory, licence and
// changelog locations). Every file gets an explicit mode; owners and mtimes are fixed later by
// the archivers (root:root, SOURCE_DATE_EPOCH).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeConfigFile } from './render-config.mjs';
import { thirdPartyNotices } from './third-party.mjs';

/** Docs shipped in /usr/share/doc/vmlet when they exist in the tree (others write some of them). */
const DOCS = ['README.md', 'docs/packaging.md', 'docs/systemd.md', 'docs/configuration.md', 'docs/errors.md', 'docs/dependencies.md'];

/** Writes `content` (a string or bytes) to root/path with `mode`. */
function write(root, path, content, mode) {
  const dest = join(root, path);
  mkdirSync(dirname(dest), { recursive: true });
  writeFileSync(dest, content);
  chmodSync(dest, mode);
}

/** Copies the file `from` to root/path with `mode`. */
function put(root, path, from, mode) {
  write(root, path, readFileSync(from), mode);
}

/** gzip -9n: no name or timestamp in the header, so the bytes depend on the content only. */
function gzip(content) {
  return execFileSync('gzip', ['-9n'], { input: content });
}

function debianChangelog(version, epochSeconds, maintainer) {
  const date = new Date(epochSeconds * 1000).toUTCString().replace('GMT', '+0000');
  return `vmlet (${version}) unstable; urgency=medium\n\n  * Release ${version}; the project history is in its git log.\n\n -- ${maintainer}  ${date}\n`;
}

/**
 * @param {object} o
 * @param {string} o.root staging directory (recreated)
 * @param {'deb'|'rpm'} o.format
 * @param {string} o.repo repository root
 * @param {string} o.version
 * @param {number} o.epoch SOURCE_DATE_EPOCH
 * @param {'x64'|'arm64'} o.arch
 * @param {string} o.maintainer
 * @param {{node: string, license: string}} o.runtime
 */
export async function stageTree(o) {
  const { root, format, repo, version, epoch, maintainer, runtime } = o;
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const src = (p) => join(repo, p);
  const doc = 'usr/share/doc/vmlet';
  const unitDir = format === 'deb' ? 'lib/systemd/system' : 'usr/lib/systemd/system';

  put(root, 'usr/bin/vmlet', src('packaging/common/vmlet-launcher.sh'), 0o755);
  put(root, 'usr/lib/vmlet/node', runtime.node, 0o755);
  // Upstream ships the symbol table (18 MB of 127 MB); the dynamic symbols addons need stay.
  // The build ID note is kept, so the stripped binary still names the upstream build.
  execFileSync(stripFor(o.arch), ['--strip-unneeded', '--remove-section=.comment', join(root, 'usr/lib/vmlet/node')]);
  // vmlet.cjs and the chunks it imports on demand, as this build made them (dist/manifest.json,
  // written by scripts/build.mjs; dist/chunks may also hold older builds' chunks). No source maps.
  for (const file of JSON.parse(readFileSync(src('dist/manifest.json'), 'utf8')).files) {
    put(root, `usr/lib/vmlet/${file}`, src(`dist/${file}`), 0o644);
  }
  put(root, 'usr/lib/vmlet/stop-post', src('packaging/common/stop-post.sh'), 0o755);
  write(root, 'usr/share/man/man8/vmlet.8.gz', gzip(readFileSync(src('packaging/common/vmlet.8'))), 0o644);
  put(root, `${unitDir}/vmlet.service`, src('systemd/vmlet.service'), 0o644);
  put(root, 'usr/lib/sysusers.d/vmlet.conf', src('packaging/common/sysusers.conf'), 0o644);
  put(root, 'usr/lib/tmpfiles.d/vmlet.conf', src('packaging/common/tmpfiles.conf'), 0o644);
  mkdirSync(join(root, 'etc/vmlet'), { recursive: true });
  await writeConfigFile(repo, join(root, 'etc/vmlet/config.yaml'));

  for (const d of DOCS) if (existsSync(src(d))) put(root, `${doc}/${d.split('/').pop()}`, src(d), 0o644);
  put(root, `${doc}/nodejs-LICENSE`, runtime.license, 0o644);
  // Some packages ship CRLF licence files; the doc is plain Unix text (rpmlint wrong-file-end-of-line-encoding).
  write(root, `${doc}/third-party-licenses.txt`, thirdPartyNotices(repo).replace(/\r\n?/g, '\n'), 0o644);
  if (format === 'deb') {
    put(root, `${doc}/copyright`, src('packaging/deb/copyright'), 0o644);
    put(root, 'usr/share/lintian/overrides/vmlet', src('packaging/deb/lintian-overrides'), 0o644);
    write(root, `${doc}/changelog.gz`, gzip(debianChangelog(version, epoch, maintainer)), 0o644);
  } else {
    put(root, 'usr/share/licenses/vmlet/LICENSE', '/usr/share/common-licenses/Apache-2.0', 0o644);
  }
  fixTree(root, epoch);
}

/** The strip that understands the target's ELF: binutils' own for the host, the cross one otherwise. */
function stripFor(arch) {
  const host = process.arch;
  if (arch === host) return 'strip';
  return arch === 'arm64' ? 'aarch64-linux-gnu-strip' : 'x86_64-linux-gnu-strip';
}

/** Directories 0755 and every mtime = SOURCE_DATE_EPOCH, so the archive bytes do not depend on when or where it was built. */
function fixTree(dir, epoch) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      chmodSync(p, 0o755);
      fixTree(p, epoch);
    }
    utimesSync(p, epoch, epoch);
  }
  utimesSync(dir, epoch, epoch);
}

export function installedSizeKiB(dir) {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    total += s.isDirectory() ? installedSizeKiB(p) + 1 : Math.ceil(s.size / 1024);
  }
  return total;
}

export function readText(p) {
  return readFileSync(p, 'utf8');
}
