/**
 * The loader's only window on the disk, injectable so tests and `vmlet validate` read through the
 * same narrow interface. Reading is all it does: the loader never writes.
 */
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';

export type ReadOutcome =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly missing: boolean; readonly why: string };

export interface FileReader {
  /** Reads a UTF-8 file; `missing` is true when it does not exist. */
  read(path: string): ReadOutcome;
  /** Size in bytes without reading the content (the token is never read into the config). */
  size(path: string): { ok: true; bytes: number } | { ok: false; missing: boolean; why: string };
  /** Permission bits (e.g. 0o644), or undefined when unknown (tests, errors). */
  mode?(path: string): number | undefined;
}

function describe(err: unknown): { missing: boolean; why: string } {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { missing: true, why: 'does not exist' };
  if (code === 'EACCES' || code === 'EPERM') return { missing: false, why: 'cannot be read: permission denied' };
  if (code === 'EISDIR') return { missing: false, why: 'is a directory, not a file' };
  return { missing: false, why: `cannot be read: ${code ?? (err as Error).message}` };
}

export const diskReader: FileReader = {
  read(path) {
    try {
      // A UTF-8 byte-order mark (editors on other systems add one) is not part of the first key.
      return { ok: true, text: readFileSync(path, 'utf8').replace(/^\uFEFF/, '') };
    } catch (err) {
      return { ok: false, ...describe(err) };
    }
  },
  mode(path) {
    try {
      return statSync(path).mode & 0o7777;
    } catch {
      return undefined;
    }
  },
  size(path) {
    try {
      const st = statSync(path);
      if (st.isDirectory()) return { ok: false, missing: false, why: 'is a directory, not a file' };
      // Readability is checked by opening (not by mode bits: root reads anything, ACLs exist),
      // without reading a byte: the token never enters vmlet's memory here.
      closeSync(openSync(path, 'r'));
      return { ok: true, bytes: st.size };
    } catch (err) {
      return { ok: false, ...describe(err) };
    }
  },
};

/** A reader over a map of path -> text (missing paths do not exist); for tests. */
export function readerFromMap(files: Readonly<Record<string, string>>): FileReader {
  return {
    read: (path) => (path in files ? { ok: true, text: files[path] as string } : { ok: false, missing: true, why: 'does not exist' }),
    size: (path) => (path in files ? { ok: true, bytes: Buffer.byteLength(files[path] as string) } : { ok: false, missing: true, why: 'does not exist' }),
  };
}

/** Adapts a `readFile(path) -> string` function (throws with an errno code) to a FileReader. */
export function readerFromFunction(readFile: (path: string) => string): FileReader {
  const read = (path: string): ReadOutcome => {
    try {
      return { ok: true, text: readFile(path) };
    } catch (err) {
      return { ok: false, ...describe(err) };
    }
  };
  return {
    read,
    size: (path) => {
      const r = read(path);
      return r.ok ? { ok: true, bytes: Buffer.byteLength(r.text) } : r;
    },
  };
}
