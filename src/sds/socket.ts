/**
 * The SDS socket's file-system side (Istio's pkg/uds/listener.go): the directory is one vmlet
 * shares with Envoy (../shared-dir.ts: vmlet's, group Envoy's, 0750, so only vmlet and Envoy can
 * reach the socket), a stale socket left by a crashed agent is removed, but a socket some live
 * server answers on is left alone and reported.
 */
import { connect } from 'node:net';
import { chmod, chown, lstat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { VmletError } from '../errors.js';
import { ensureSharedDir } from '../shared-dir.js';
import './errors.js';

/** true when something accepts connections on the Unix socket at `path`. */
export function socketIsLive(path: string, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ path });
    const done = (live: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(live);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** Prepares `path` for listening: directory 0750 (group `gid` when given), no stale socket. */
export async function prepareSocketPath(path: string, gid: number | undefined): Promise<void> {
  const dir = dirname(path);
  try {
    ensureSharedDir(dir, gid);
  } catch (err) {
    throw new VmletError('VMLET_SDS_LISTEN_FAILED', `SDS: cannot prepare ${dir}: ${(err as Error).message}`, { cause: err, details: { path: dir } });
  }
  const st = await lstat(path).catch(() => undefined);
  if (st === undefined) return;
  if (!st.isSocket()) {
    throw new VmletError('VMLET_SDS_LISTEN_FAILED', `SDS: ${path} exists and is not a socket; remove it or set sds.socketPath`, { details: { path } });
  }
  if (await socketIsLive(path)) {
    throw new VmletError('VMLET_SDS_LISTEN_FAILED', `SDS: another server is answering on ${path} (a second vmlet, or pilot-agent/SPIRE?); stop it or set sds.socketPath`, { details: { path } });
  }
  await unlink(path);
}

/** After listening: reachable by Envoy's user (0666 as Istio does; the 0750 directory limits who gets there). */
export async function openSocketToEnvoy(path: string, gid: number | undefined): Promise<void> {
  await chmod(path, 0o666);
  if (gid !== undefined) await chown(path, process.getuid?.() ?? 0, gid);
}
