/**
 * The last name table istiod sent, kept in <general.stateDir>/dns/name-table.pb (the NameTable
 * message as istiod encoded it), so a vmlet restarted while istiod is unreachable still answers
 * mesh names. Written by rename (a crash leaves the old file or the new one, never half), only
 * when the bytes changed.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredTable {
  readonly bytes: Uint8Array;
  /** When it was received (the file's mtime), ms since the epoch. */
  readonly receivedAt: number;
}

export class TableStore {
  readonly path: string;
  /** Digest of the bytes on disk (not the bytes: a large table would be kept twice). */
  private last: string | undefined;

  constructor(stateDir: string) {
    this.path = join(stateDir, 'dns', 'name-table.pb');
  }

  /** The stored table, or undefined when there is none (or it cannot be read). */
  async load(): Promise<StoredTable | undefined> {
    try {
      const [bytes, st] = await Promise.all([readFile(this.path), stat(this.path)]);
      this.last = digest(bytes);
      return { bytes, receivedAt: st.mtimeMs };
    } catch {
      return undefined;
    }
  }

  async save(bytes: Uint8Array): Promise<void> {
    const d = digest(bytes);
    if (this.last === d) return;
    await mkdir(join(this.path, '..'), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, bytes, { mode: 0o600 });
    await rename(tmp, this.path);
    this.last = d;
  }
}

function digest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
