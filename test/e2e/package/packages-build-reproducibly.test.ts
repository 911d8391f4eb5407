// Two builds of the same tree give byte-identical packages: a second `npm run package` into a
// temporary directory, with the SOURCE_DATE_EPOCH recorded in out/build-info.json, must reproduce
// out/'s .deb and .rpm exactly (fixed owners, modes and mtimes, sorted file lists). Needs a tree
// nobody edits between the two builds (CI's clean checkout).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canRun, DEB, packagesBuilt, REPO, RPM } from './env.js';

const runnable = canRun(process.getuid?.() === 0 ? packagesBuilt() : 'needs root to install rpm');
const sha256 = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe.runIf(runnable)('reproducible packages', () => {
  const out = mkdtempSync(join(tmpdir(), 'vmlet-repro-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('a second build yields byte-identical .deb and .rpm', () => {
    const info = JSON.parse(readFileSync(join(REPO, 'out/build-info.json'), 'utf8')) as { sourceDateEpoch: number };
    execFileSync('nice', ['-n', '10', process.execPath, join(REPO, 'packaging/build-packages.mjs')], {
      env: { ...process.env, VMLET_PKG_OUT: out, SOURCE_DATE_EPOCH: String(info.sourceDateEpoch) },
      stdio: 'inherit',
      timeout: 600_000,
    });
    for (const p of [DEB, RPM]) expect(sha256(join(out, basename(p))), basename(p)).toBe(sha256(p));
  }, 660_000);
});
