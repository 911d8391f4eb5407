// kill -9 in the middle of writes to the certificate store never leaves a torn file: every file
// holds one complete version (the write is temp file + fsync + rename).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

const STORE = join(import.meta.dirname, '..', '..', '..', 'src', 'identity', 'store.ts');

describe('certificate store under kill -9', { timeout: 30_000 }, () => {
  const tmp = makeTmpDir('identity-kill9');
  afterAll(() => tmp.cleanup());

  it('leaves only complete versions of key.pem', async () => {
    const target = tmp.join('key.pem');
    // Each version is 256 KiB of one repeated letter, so a torn file would mix letters or be short.
    const script = `
      import { writeAtomic } from ${JSON.stringify(STORE)};
      const letters = 'ABCDEFGHIJ';
      for (let i = 0; i < 100000; i++) {
        writeAtomic(${JSON.stringify(target)}, letters[i % 10].repeat(262144), 0o600);
        if (i === 2) process.stdout.write('writing\\n');
      }`;
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      await waitFor(() => out.includes('writing'), { what: 'writer started', timeoutMs: 15_000 });
      await new Promise((r) => setTimeout(r, 30 + round * 40));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const text = readFileSync(target, 'utf8');
      expect(text.length).toBe(262144);
      expect(new Set(text).size).toBe(1);
    }
  });
});
