// A vmlet SIGKILLed between a temp file's write and its rename leaves `<file>.tmp-<pid>` beside the
// certificates (the chaos tier's kill -9 loop found them piling up, one per unlucky kill); the next
// vmlet's load() removes those of other processes and nothing else. The same for Envoy's bootstrap
// directory (`.<pid>.tmp`).
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CertStore, sweepTempFiles, writeAtomic } from '../../../src/identity/store.js';
import { writeSharedFile } from '../../../src/shared-dir.js';

describe('temp files of a killed writer are swept', () => {
  const base = mkdtempSync(join(tmpdir(), 'store-sweep-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('load() removes <file>.tmp-<pid> of other processes, keeps its own and anything else', () => {
    const dir = join(base, 'identity');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    for (const f of ['key.pem.tmp-999999', 'cert-chain.pem.tmp-4242', 'root-cert.pem.tmp-17', `key.pem.tmp-${process.pid}`, 'notes.tmp-1', 'key.pem.tmp-x']) writeFileSync(join(dir, f), 'half');
    expect(new CertStore(dir).load()).toBeUndefined();
    expect(readdirSync(dir).sort()).toEqual([`key.pem.tmp-${process.pid}`, 'key.pem.tmp-x', 'notes.tmp-1'].sort());
  });

  it('sweepTempFiles on a missing directory does nothing', () => {
    expect(sweepTempFiles(join(base, 'absent'))).toEqual([]);
  });

  it('writing the bootstrap removes .<pid>.tmp files an earlier vmlet left', () => {
    const dir = join(base, 'envoy');
    mkdirSync(dir);
    writeFileSync(join(dir, '.31337.tmp'), '{"half":');
    writeSharedFile(join(dir, 'envoy-rev.json'), '{"whole":true}\n', 0o640, undefined);
    expect(readdirSync(dir)).toEqual(['envoy-rev.json']);
    expect(readFileSync(join(dir, 'envoy-rev.json'), 'utf8')).toBe('{"whole":true}\n');
    expect(existsSync(join(dir, '.31337.tmp'))).toBe(false);
  });
});

// The chaos tier's full-disk scenario: a write that fails with ENOSPC left its half-written temp
// file beside the real one, holding the last free bytes. Needs root (a 64 KiB tmpfs).
describe.skipIf(process.getuid?.() !== 0)('a write on a full disk leaves no temp file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-full-'));
  let mounted = false;
  afterAll(() => {
    if (mounted) execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('writeAtomic and writeSharedFile throw ENOSPC, keep the old file whole, and leave nothing beside it', () => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'store-full', dir]);
    mounted = true;
    writeFileSync(join(dir, 'cert-chain.pem'), 'old chain\n');
    writeFileSync(join(dir, 'envoy-rev.json'), '{"old":true}\n');
    const fd = openSync(join(dir, 'filler'), 'w');
    try {
      for (let i = 0; i < 1024; i++) { try { writeSync(fd, Buffer.alloc(4096)); } catch { break; } }
      for (let i = 0; i < 4096; i++) { try { writeSync(fd, Buffer.alloc(1)); } catch { break; } }
    } finally { closeSync(fd); }
    const big = 'x'.repeat(16 << 10);
    expect(() => writeAtomic(join(dir, 'cert-chain.pem'), big, 0o644)).toThrow(/ENOSPC/);
    expect(() => writeSharedFile(join(dir, 'envoy-rev.json'), big, 0o640, undefined)).toThrow(/ENOSPC/);
    expect(readFileSync(join(dir, 'cert-chain.pem'), 'utf8')).toBe('old chain\n');
    expect(readFileSync(join(dir, 'envoy-rev.json'), 'utf8')).toBe('{"old":true}\n');
    expect(readdirSync(dir).sort()).toEqual(['cert-chain.pem', 'envoy-rev.json', 'filler']);
  });
});
