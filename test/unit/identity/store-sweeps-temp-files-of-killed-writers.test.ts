// A vmlet SIGKILLed between a temp file's write and its rename leaves `<file>.tmp-<pid>` beside the
// certificates (the chaos tier's kill -9 loop found them piling up, one per unlucky kill); the next
// vmlet's load() removes those of other processes and nothing else. The same for Envoy's bootstrap
// directory (`.<pid>.tmp`).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CertStore, sweepTempFiles } from '../../../src/identity/store.js';
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
