/**
 * The two steps of writing a file so a crash leaves the old content or the new, never half:
 * the new content goes to a temp file that is on disk (fsynced) with its final mode before a
 * rename puts it in place, and the directory is fsynced after the renames so they survive too.
 * Shared by the identity store and the onboarding bundle writer, which each decide what to rename when.
 */
import { chmodSync, closeSync, fchmodSync, fsyncSync, openSync, writeSync } from 'node:fs';

/**
 * Writes `text` to `tmp`, fsynced, with `mode`. The mode is set on the open file before a byte is
 * written: a temp file left by a crash keeps its old mode through open(), and a key or token must
 * never sit in a file others can read, even for a moment. Set again by path after closing, as
 * before (the umask may have narrowed it).
 */
export function writeSynced(tmp: string, text: string, mode: number): void {
  const fd = openSync(tmp, 'w', mode);
  try {
    fchmodSync(fd, mode);
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
