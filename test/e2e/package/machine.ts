/**
 * A real systemd machine for the package tests: a cached Debian 12 rootfs (make-rootfs.sh),
 * copied per test file, booted with `systemd-nspawn --boot --register=no --keep-unit
 * --private-network`, commands run inside with `nsenter -t <its systemd> -a`. Its own network
 * namespace means capture rules never touch the host's tables. Every wait is bounded; stop()
 * powers it off by the nspawn PID (SIGKILL after a bound) and deletes the copy.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ensureTools } from '../../../packaging/ensure-tools.mjs';
import { waitFor } from '../../helpers/wait-for.js';
import { expect } from 'vitest';

export const ROOTFS_CACHE = process.env.VMLET_ROOTFS_CACHE ?? join(homedir(), '.cache', 'vmlet-rootfs', 'bookworm');

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Machine {
  /** The machine's root directory on the host (copy files in through it). */
  readonly root: string;
  /** Host PID of the machine's systemd (PID 1 inside). */
  readonly initPid: number;
  run(argv: readonly string[], timeoutMs?: number): RunResult;
  /** `sh -c script` inside; throws with the output when it exits non-zero. */
  sh(script: string, timeoutMs?: number): string;
  stop(): Promise<void>;
}

/** Builds the cached rootfs if needed (debootstrap, a few minutes the first time). */
export function ensureRootfs(): void {
  execFileSync(join(import.meta.dirname, 'make-rootfs.sh'), [ROOTFS_CACHE], { stdio: 'inherit', timeout: 1_000_000 });
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // the process exited while we looked
    }
  }
  return out;
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

export interface BootOptions {
  /** Host directories mounted read-only inside: [host path, path in the machine]. */
  readonly bindReadOnly?: readonly (readonly [string, string])[];
}

export async function bootMachine(tag: string, opts: BootOptions = {}): Promise<Machine> {
  ensureRootfs();
  const root = join('/var/tmp', `vmlet-machine-${tag}-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  // cp -a: device nodes, owners and modes as debootstrap made them (a few seconds, ~260 MB).
  execFileSync('cp', ['-a', '--reflink=auto', ROOTFS_CACHE, root], { timeout: 120_000 });
  const logFd = openSync(`${root}.log`, 'w');
  const nspawn: ChildProcess = spawn(
    'systemd-nspawn',
    ['--boot', '--register=no', '--keep-unit', '--private-network', `--machine=vmlet-${tag}`,
      ...(opts.bindReadOnly ?? []).map(([from, to]) => `--bind-ro=${from}:${to}`), '-D', root],
    { stdio: ['ignore', logFd, logFd] },
  );
  closeSync(logFd);
  let exited = false;
  nspawn.on('exit', () => {
    exited = true;
  });
  const nspawnPid = nspawn.pid as number;

  const run = (argv: readonly string[], timeoutMs = 60_000): RunResult => {
    // setsid: a session of its own, so a stray `kill 0` inside cannot reach the test process.
    const r = spawnSync('setsid', ['nsenter', '-t', String(initPid), '-a', ...argv], { encoding: 'utf8', timeout: timeoutMs });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
  };
  const stop = async (): Promise<void> => {
    if (!exited) {
      process.kill(nspawnPid, 'SIGTERM');
      try {
        await waitFor(() => exited, { timeoutMs: 30_000, what: 'the machine to power off' });
      } catch {
        process.kill(nspawnPid, 'SIGKILL');
        await waitFor(() => exited, { timeoutMs: 10_000, what: 'systemd-nspawn to die' });
      }
    }
    rmSync(root, { recursive: true, force: true });
    rmSync(`${root}.log`, { force: true });
  };

  let initPid = 0;
  try {
    await waitFor(() => {
      initPid = childrenOf(nspawnPid).find((p) => comm(p) === 'systemd') ?? 0;
      return initPid > 0 || exited;
    }, { timeoutMs: 30_000, what: 'the machine\'s systemd' });
    if (exited) throw new Error(`systemd-nspawn exited early; see ${root}.log`);
    await waitFor(() => /^(running|degraded)$/m.test(run(['systemctl', 'is-system-running'], 10_000).stdout), {
      timeoutMs: 90_000,
      what: 'the machine to finish booting',
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    root,
    initPid,
    run,
    sh(script, timeoutMs) {
      const r = run(['sh', '-c', script], timeoutMs);
      if (r.code !== 0) throw new Error(`inside the machine: ${script}\nexit ${r.code}\n${r.stdout}${r.stderr}`);
      return r.stdout;
    },
    stop,
  };
}

/** Why machines cannot be booted here, or undefined; installs the tools it can (as root). */
export function isRunnable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (systemd-nspawn, debootstrap, nsenter)';
  try {
    ensureTools({ 'systemd-nspawn': 'systemd-container', debootstrap: 'debootstrap' });
  } catch (err) {
    return `cannot install systemd-container and debootstrap: ${(err as Error).message}`;
  }
  for (const tool of ['systemd-nspawn', 'debootstrap', 'nsenter']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is missing (apt-get install systemd-container debootstrap)`;
  }
  if (!existsSync('/etc/apt')) return 'no apt sources on this machine to read a Debian mirror from';
  return undefined;
}

/** A property of vmlet.service inside the machine (`systemctl show -P`). */
export function unitProp(m: Machine, name: string): string {
  return m.sh(`systemctl show -P ${name} vmlet.service`).trim();
}

/**
 * Watches vmlet.service for `seconds` (several WatchdogSec periods in the tests): it must stay
 * active with no restart, i.e. the watchdog pings arrive.
 */
export async function expectStaysActive(m: Machine, seconds = 8): Promise<void> {
  const t0 = Date.now();
  const states = new Set<string>();
  await waitFor(() => {
    states.add(unitProp(m, 'ActiveState'));
    return Date.now() - t0 > seconds * 1000;
  }, { timeoutMs: (seconds + 7) * 1000, intervalMs: 1_000, what: `${seconds} s of uptime` });
  expect([...states]).toEqual(['active']);
  expect(unitProp(m, 'NRestarts')).toBe('0');
}
