/**
 * The two steps of writing a file so a crash leaves the old content or the new, never half:
 * the new content goes to a temp file that is on disk (fsynced) with its final mode before a
 * rename puts it in place, and the directory is fsynced after the renames so they survive too.
 * Shared by the identity store and the onboarding bundle writer, which each decide what to rename when.
 */
import { chmodSync, closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

/** Writes `text` to `tmp`, fsynced, with `mode` (set again: the umask may have narrowed it, or the file existed). */
export function writeSynced(tmp: string, text: string, mode: number): void {
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, mode);
}

/** fsyncs directory `dir`, so the renames made in it are on disk. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
