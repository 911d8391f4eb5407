/**
 * Throwaway directories for tests: created under the OS temp dir with a recognisable prefix and
 * removed by the returned `cleanup()` (call it in afterAll/finally, it never throws).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TmpDir {
  readonly path: string;
  /** A path inside the directory. */
  join(...parts: string[]): string;
  cleanup(): void;
}

export function makeTmpDir(tag = 'test'): TmpDir {
  const path = mkdtempSync(join(tmpdir(), `vmlet-${tag}-`));
  return {
    path,
    join: (...parts) => join(path, ...parts),
    cleanup: () => rmSync(path, { recursive: true, force: true }),
  };
}
