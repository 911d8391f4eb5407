// /usr/bin/vmlet (packaging/common/vmlet-launcher.sh): under the unit it points Node's compile
// cache into the state directory systemd hands vmlet; elsewhere it sets none, and an operator's
// own NODE_COMPILE_CACHE wins. Run with the runtime and bundle paths pointed at a stub that prints
// what it was given.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const LAUNCHER = join(import.meta.dirname, '..', '..', '..', 'packaging', 'common', 'vmlet-launcher.sh');
const dir = mkdtempSync(join(tmpdir(), 'vmlet-launcher-'));
const stub = join(dir, 'node');
writeFileSync(stub, '#!/bin/sh\necho "cache=${NODE_COMPILE_CACHE-unset} args=$*"\n');
chmodSync(stub, 0o755);
const launcher = join(dir, 'vmlet');
writeFileSync(launcher, readFileSync(LAUNCHER, 'utf8').replace('/usr/lib/vmlet/node ', `${stub} `));
chmodSync(launcher, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (env: Record<string, string>) => execFileSync(launcher, ['run', '--log-level', 'debug'], { env: { PATH: '/usr/bin:/bin', ...env }, encoding: 'utf8' }).trim();

describe('the packaged launcher', () => {
  it('execs the bundled runtime on the bundle with the arguments as given, V8 tuned for memory', () => {
    expect(run({})).toMatch(/ args=(--[\w-]+(=\d+)? )+\/usr\/lib\/vmlet\/vmlet\.cjs run --log-level debug$/);
    expect(run({})).toContain('--max-semi-space-size=1 ');
  });
  it('keeps the compile cache in the unit\'s state directory (the first one when several)', () => {
    expect(run({ STATE_DIRECTORY: '/var/lib/vmlet' })).toMatch(/^cache=\/var\/lib\/vmlet\/compile-cache /);
    expect(run({ STATE_DIRECTORY: '/var/lib/vmlet:/var/lib/other' })).toMatch(/^cache=\/var\/lib\/vmlet\/compile-cache /);
  });
  it('sets none outside the unit, and leaves an operator\'s setting alone', () => {
    expect(run({})).toMatch(/^cache=unset /);
    expect(run({ STATE_DIRECTORY: '/var/lib/vmlet', NODE_COMPILE_CACHE: '/tmp/mine' })).toMatch(/^cache=\/tmp\/mine /);
    expect(run({ STATE_DIRECTORY: '/var/lib/vmlet', NODE_COMPILE_CACHE: '' })).toMatch(/^cache= /);
  });
});
