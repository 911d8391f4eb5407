// A temp file left by a crash keeps its old mode when it is opened again: writeSynced must give it
// the final mode before the first byte of a key or token goes in, not only after closing it.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { makeTmpDir } from '../../helpers/tmp-dir.js';

const modesAtWrite: number[] = [];
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((fd: number, ...rest: unknown[]) => {
    modesAtWrite.push(fs.fstatSync(fd).mode & 0o777);
    return (fs.writeSync as (...a: unknown[]) => number)(fd, ...rest);
  }) as typeof fs.writeSync;
  return { ...fs, default: { ...fs, writeSync }, writeSync };
});

const { writeSynced } = await import('../../../src/durable-file.js');

describe('durable write of a secret', () => {
  const tmp = makeTmpDir('durable-file');
  afterAll(() => tmp.cleanup());

  it('a stale world-readable temp file is 0600 before the key is written into it', () => {
    const file = tmp.join('key.pem.tmp-1');
    writeFileSync(file, 'old content that is longer than the new one', { mode: 0o644 });
    expect(statSync(file).mode & 0o777).toBe(0o644);
    writeSynced(file, 'KEY', 0o600);
    expect(modesAtWrite).toEqual([0o600]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('KEY');
  });
});
