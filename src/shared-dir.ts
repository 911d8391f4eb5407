/**
 * The directories vmlet shares with Envoy (/etc/istio/proxy: Envoy's bootstrap and the xDS
 * socket): owned by vmlet's user, group istio-proxy, mode 0750. Envoy (istio-proxy) reads and
 * connects through the group; vmlet keeps ownership, because under the hardened unit its root has
 * no CAP_DAC_OVERRIDE and cannot write into a directory someone else owns. A directory left
 * owned by istio-proxy (istio.io's VM guide chowns it) is taken back with CAP_CHOWN.
 */
import { chmodSync, chownSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Creates `dir` (0750) and, when vmlet runs as root, makes it vmlet's with group `gid`. */
export function ensureSharedDir(dir: string, gid: number | undefined): void {
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  const uid = process.getuid?.();
  if (uid === 0) {
    const st = statSync(dir);
    const group = gid ?? st.gid;
    if (st.uid !== uid || st.gid !== group) chownSync(dir, uid, group);
  }
  chmodSync(dir, 0o750);
}

/**
 * Writes `path` by rename (a file left owned by someone else is replaced, not opened), mode
 * `mode`, group `gid` when running as root.
 */
export function writeSharedFile(path: string, data: string, mode: number, gid: number | undefined): void {
  const tmp = join(dirname(path), `.${process.pid}.tmp`);
  // Temp files of earlier vmlets (killed between write and rename) would stay for good.
  for (const name of readdirSync(dirname(path))) {
    if (/^\.\d+\.tmp$/.test(name)) rmSync(join(dirname(path), name), { force: true });
  }
  try {
    writeFileSync(tmp, data, { mode });
    if (gid !== undefined && process.getuid?.() === 0) chownSync(tmp, 0, gid);
    chmodSync(tmp, mode);
  } catch (err) {
    rmSync(tmp, { force: true }); // a full disk: the old file stays, no half-written copy beside it
    throw err;
  }
  renameSync(tmp, path);
}
