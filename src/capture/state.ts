/**
 * The state file (general.stateDir/capture.json): what vmlet installed last, with which backend
 * and options, so `vmlet capture status` and a restarted vmlet can say what is there. vmlet's
 * chains are also recognised by name, so a lost state file never leaves rules behind.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VmletError } from '../errors.js';
import type { BackendName } from './backend.js';
import type { CaptureOptions } from './options.js';
import './errors.js';

export interface CaptureState {
  readonly version: 1;
  readonly backend: BackendName;
  readonly appliedAt: string;
  readonly pid: number;
  readonly options: CaptureOptions;
}

export const statePath = (stateDir: string): string => join(stateDir, 'capture.json');

export async function writeState(stateDir: string, state: CaptureState): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const tmp = `${statePath(stateDir)}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
  await rename(tmp, statePath(stateDir));
}

/** undefined when absent; throws VMLET_CAPTURE_STATE_UNREADABLE when present but not valid. */
export async function readState(stateDir: string): Promise<CaptureState | undefined> {
  let text: string;
  try {
    text = await readFile(statePath(stateDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new VmletError('VMLET_CAPTURE_STATE_UNREADABLE', `${statePath(stateDir)}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const v = JSON.parse(text) as CaptureState;
    if (v.version !== 1 || typeof v.backend !== 'string') throw new Error('unknown format');
    return v;
  } catch (err) {
    throw new VmletError('VMLET_CAPTURE_STATE_UNREADABLE', `${statePath(stateDir)} is not a vmlet capture state file (${(err as Error).message}); it is ignored`, { cause: err });
  }
}

export async function clearState(stateDir: string): Promise<void> {
  await rm(statePath(stateDir), { force: true });
}
