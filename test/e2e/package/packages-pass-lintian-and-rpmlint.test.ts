// lintian on the .deb and rpmlint on the .rpm report nothing: every tag is fixed or overridden
// with a written reason (packaging/deb/lintian-overrides, packaging/rpm/rpmlintrc).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTools } from '../../../packaging/ensure-tools.mjs';
import { canRun, DEB, packagesBuilt, REPO, RPM } from './env.js';

const runnable = canRun(process.getuid?.() === 0 ? packagesBuilt() : 'needs root to install lintian and rpmlint');

describe.runIf(runnable)('package linters', () => {
  beforeAll(() => {
    ensureTools({ lintian: 'lintian', rpmlint: 'rpmlint' });
  });

  it('lintian --pedantic reports no error, warning, info or pedantic tag on the .deb', () => {
    const r = spawnSync('lintian', ['--pedantic', '--display-info', '--fail-on', 'error,warning,info,pedantic', DEB], { encoding: 'utf8', timeout: 300_000 });
    // stdout carries the tags; stderr only lintian's own notice about running as root.
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('rpmlint reports 0 errors and 0 warnings on the .rpm', () => {
    const r = spawnSync('rpmlint', ['-r', join(REPO, 'packaging/rpm/rpmlintrc'), RPM], { encoding: 'utf8', timeout: 300_000 });
    const summary = /(\d+) errors, (\d+) warnings/.exec(r.stdout);
    expect(summary, r.stdout + r.stderr).not.toBeNull();
    expect({ errors: summary?.[1], warnings: summary?.[2] }, r.stdout).toEqual({ errors: '0', warnings: '0' });
  });
});
