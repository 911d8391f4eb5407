// Chaos scenario 5: the disk full. The state directory and Envoy's config directory are small
// tmpfs mounts on paths this test owns; a filler file takes every free byte, then a certificate
// write (a renewal) and a bootstrap write (Envoy restarted after a crash) hit ENOSPC: the old files
// stay whole and in use, the error names the file and the cause, and once the filler is gone
// vmlet recovers by itself. Ends in the shared convergence check (converge.ts).
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certProblems } from './converge.js';
import { until } from './harness.js';
import { controlPlaneState, openScene, type Scene } from './scene.js';

/** Writes `path` until the file system is full (bounded by `maxBytes`); returns the bytes written. */
function fill(path: string, maxBytes: number): number {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4096, 0x78);
  let n = 0;
  try {
    for (let i = 0; i < maxBytes / chunk.length; i++) {
      try { n += writeSync(fd, chunk); } catch (err) { if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break; throw err; }
    }
    // The last partial page.
    for (let i = 0; i < chunk.length; i++) {
      try { n += writeSync(fd, chunk.subarray(0, 1)); } catch { break; }
    }
  } finally {
    closeSync(fd);
  }
  return n;
}

const SIZE = '512k';

describe.skipIf(!controlPlaneState())('chaos 5: disk full', () => {
  let s: Scene;
  const mounts: string[] = [];
  const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).filter((f) => !f.startsWith('filler')).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

  beforeAll(async () => {
    s = await openScene('disk', { link: 22, set: ['--set', 'identity.certTtl=60s', '--set', 'identity.renewRatio=0.9'] });
    for (const dir of [s.vm.stateDir, join(s.vm.o.home, 'tmp', 'envoy')]) {
      mkdirSync(dir, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE},mode=0755`, 'chaos-disk', dir]);
      mounts.push(dir);
    }
    s.vm.start();
    await s.conv.converged('first start');
  });
  afterAll(async () => {
    await s?.close();
    for (const dir of mounts.reverse()) { try { execFileSync('umount', [dir]); } catch { execFileSync('umount', ['-l', dir]); } }
  });

  it('5a: a certificate write on a full disk: the old files stay whole and in use, the error is clear, it recovers when space returns', async () => {
    const { vm, conv } = s;
    const before = snapshot(vm.identityDir);
    const filler = join(vm.stateDir, 'filler');
    const bytes = fill(filler, 64 << 20);
    const failure = await vm.nextLine(/cannot write the certificate store/, 30_000);
    const text = JSON.stringify(failure);
    expect(text).toMatch(/ENOSPC/);
    expect(text).toContain(vm.identityDir);
    // The files on disk are the old ones, whole and matching each other.
    expect(snapshot(vm.identityDir)).toEqual(before);
    expect(certProblems(vm.identityDir, s.rootPem, `spiffe://cluster.local/ns/${vm.w.ns}/sa/${vm.w.sa}`)).toEqual([]);
    const ready = await vm.statusGet('/healthz/ready');
    rmSync(filler);
    const freed = Date.now();
    await until(() => readFileSync(join(vm.identityDir, 'cert-chain.pem'), 'utf8') !== before['cert-chain.pem'], 30_000, 'a renewed certificate stored once space returned');
    const ms = await conv.converged('after space returned (certificate)');
    console.log(`chaos result: 5a disk full (${bytes} bytes of filler) at a renewal: "${failure.msg}"; old files whole; /healthz/ready ${ready.status} meanwhile; stored again and converged ${Date.now() - freed} ms after space returned (check ${ms} ms)`);
  });

  it('5b: a bootstrap write on a full disk (Envoy restarted after a crash): the old bootstrap stays whole, the error is clear, it recovers when space returns', async () => {
    const { vm, conv } = s;
    const envoyDir = join(vm.o.home, 'tmp', 'envoy');
    const [bootName] = readdirSync(envoyDir);
    const before = readFileSync(join(envoyDir, bootName!), 'utf8');
    const filler = join(envoyDir, 'filler');
    const bytes = fill(filler, 64 << 20);
    const envoyPid = Number(readFileSync(join(vm.runDir, 'envoy.pid'), 'utf8'));
    const failure = vm.nextLine(/cannot write Envoy's bootstrap/, 30_000);
    process.kill(envoyPid, 'SIGKILL'); // Envoy crashes; vmlet restarts it and writes its bootstrap again
    const line = await failure;
    expect(JSON.stringify(line)).toMatch(/ENOSPC/);
    expect(readFileSync(join(envoyDir, bootName!), 'utf8')).toBe(before);
    expect(readdirSync(envoyDir).sort()).toEqual([bootName, 'filler'].sort());
    rmSync(filler);
    const freed = Date.now();
    const ms = await conv.converged('after space returned (bootstrap)');
    expect(existsSync(filler)).toBe(false);
    console.log(`chaos result: 5b disk full (${bytes} bytes of filler) at a bootstrap write: "${(line.err as { message?: string } | undefined)?.message ?? line.msg}"; old bootstrap whole; converged ${Date.now() - freed} ms after space returned (check ${ms} ms)`);
  });
});
