/**
 * The certificate store: key.pem (0600), cert-chain.pem (leaf, intermediates, root, as Istio
 * writes it) and root-cert.pem in one directory (default <stateDir>/identity, 0700). Each file is
 * written atomically (temp file, fsync, rename, fsync of the directory) and only when its content
 * changed. All temp files are written before the first rename; a crash between the renames leaves
 * a chain whose leaf does not match the key, which load() refuses (then the token is needed).
 * Nothing is ever deleted but the temp files a killed vmlet left half-written (load() sweeps them:
 * each SIGKILL during a write would otherwise leave one for good).
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir, writeSynced } from '../durable-file.js';
import { VmletError } from '../errors.js';
import { identityFrom, istioCertChainFile, splitIstioChain } from './chain.js';
import type { WorkloadIdentity } from './types.js';
import './errors.js';

export const KEY_FILE = 'key.pem';
export const CHAIN_FILE = 'cert-chain.pem';
export const ROOT_FILE = 'root-cert.pem';

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Writes `text` to a temp file beside `path` (fsynced, with `mode`) and returns the rename that
 * puts it in place, or undefined when `path` already holds `text`.
 */
function prepare(path: string, text: string, mode: number): (() => void) | undefined {
  if (readOrUndefined(path) === text) {
    chmodSync(path, mode);
    return undefined;
  }
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeSynced(tmp, text, mode);
  } catch (err) {
    // A half-written temp file (a full disk) would stay beside the real one and hold the space.
    rmSync(tmp, { force: true });
    throw err;
  }
  return () => renameSync(tmp, path);
}

/** Writes `text` to `path` atomically with `mode`; returns false when the content was already there. */
export function writeAtomic(path: string, text: string, mode: number): boolean {
  const commit = prepare(path, text, mode);
  commit?.();
  return commit !== undefined;
}

/** A temp file of prepare() for one of the store's files: `<file>.tmp-<pid>`. */
const TEMP_FILE = new RegExp(`^(${[KEY_FILE, CHAIN_FILE, ROOT_FILE].map((f) => f.replace('.', '\\.')).join('|')})\\.tmp-(\\d+)$`);

/** Removes temp files of earlier processes (a vmlet killed while writing); returns their names. */
export function sweepTempFiles(dir: string, ownPid = process.pid): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const swept: string[] = [];
  for (const name of names) {
    const m = TEMP_FILE.exec(name);
    if (!m || Number(m[2]) === ownPid) continue;
    try {
      rmSync(join(dir, name), { force: true });
      swept.push(name);
    } catch {
      // not ours to remove (read-only store): load() reads the real files regardless
    }
  }
  return swept;
}

export class CertStore {
  constructor(readonly dir: string) {}

  /** The stored identity if all three files are there and consistent; undefined otherwise. */
  load(): WorkloadIdentity | undefined {
    sweepTempFiles(this.dir);
    const key = readOrUndefined(join(this.dir, KEY_FILE));
    const chain = readOrUndefined(join(this.dir, CHAIN_FILE));
    const root = readOrUndefined(join(this.dir, ROOT_FILE));
    if (!key || !chain || !root) return undefined;
    try {
      return identityFrom(splitIstioChain(chain, root), root, key);
    } catch {
      return undefined;
    }
  }

  /**
   * When the stored certificate was written (ms), the best record of when it was issued: istiod
   * backdates NotBefore by 2 minutes, so NotBefore would make a restarted vmlet renew a
   * short-lived certificate at once. Undefined when the file cannot be read.
   */
  storedAt(): number | undefined {
    try {
      return statSync(join(this.dir, CHAIN_FILE)).mtimeMs;
    } catch {
      return undefined;
    }
  }

  /** Stores `id`; throws VMLET_IDENTITY_STORE_UNWRITABLE. */
  save(id: WorkloadIdentity): void {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      // Every temp file is complete and on disk before the first rename, so the renames (root,
      // chain, key) follow each other within microseconds.
      const commits: ((() => void) | undefined)[] = [];
      try {
        commits.push(prepare(join(this.dir, ROOT_FILE), id.rootPem, 0o644));
        commits.push(prepare(join(this.dir, CHAIN_FILE), istioCertChainFile(id), 0o644));
        commits.push(prepare(join(this.dir, KEY_FILE), id.keyPem, 0o600));
      } catch (err) {
        // One temp file could not be written: the others are not renamed, and not left behind.
        sweepTempFiles(this.dir, -1);
        throw err;
      }
      for (const commit of commits) commit?.();
      fsyncDir(this.dir);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new VmletError(
        'VMLET_IDENTITY_STORE_UNWRITABLE',
        e.code === 'ENOSPC' || e.code === 'EDQUOT'
          ? `cannot write the certificate store ${this.dir} (${e.code}): the file system holding it is full; free space there (the files already in it are left whole)`
          : `cannot write the certificate store ${this.dir} (${e.code ?? e.message}): make it writable by vmlet's user, or set identity.storeDir`,
        { cause: err, details: { dir: this.dir } },
      );
    }
  }
}
