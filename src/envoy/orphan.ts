/**
 * No orphan Envoy: the running Envoy's PID is kept in <runDir>/envoy.pid. A vmlet that was
 * SIGKILLed cannot stop its Envoy (it runs in its own process group), so the next vmlet reads
 * the file, checks in /proc/<pid>/cmdline that the process really is that Envoy (same binary and
 * bootstrap, so a reused PID is never killed), and stops it before starting its own. A vmlet
 * killed between spawning Envoy and writing the file leaves no file: the next one also looks
 * through /proc for processes running the same binary on the same bootstrap.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Clock } from '../lifecycle/types.js';
import type { Logger } from '../log.js';

/** argv of a live process, or undefined when it is gone. */
export function processArgv(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((s) => s.length > 0);
  } catch {
    return undefined;
  }
}

/** true when `argv` is Envoy started by vmlet: the binary (or node running it, for a script) and `-c <bootstrap>`. */
export function isOurEnvoy(argv: readonly string[], binaryPath: string, bootstrapPath: string): boolean {
  const c = argv.indexOf('-c');
  if (c < 0 || argv[c + 1] !== bootstrapPath) return false;
  return argv.slice(0, c).some((a) => a === binaryPath || basename(a) === basename(binaryPath));
}

/** Writes the PID file, creating its directory (a run dir not made by systemd's RuntimeDirectory=). */
export async function writePidFile(path: string, pid: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  await writeFile(path, `${pid}\n`, { mode: 0o644 });
}

export async function removePidFile(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** true while `pid` exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** PIDs of live processes running `binaryPath` on `bootstrapPath` (from /proc), this process excluded. */
export function findOurEnvoys(binaryPath: string, bootstrapPath: string, procDir = '/proc'): number[] {
  let names: string[];
  try {
    names = readdirSync(procDir);
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isSafeInteger(pid) || pid <= 1 || pid === process.pid) continue;
    const argv = processArgv(pid);
    if (argv !== undefined && isOurEnvoy(argv, binaryPath, bootstrapPath) && alive(pid)) found.push(pid);
  }
  return found;
}

/**
 * Stops every Envoy left by a previous vmlet: the one the PID file names, and any other running
 * the same binary on the same bootstrap (a vmlet killed before it wrote the file). Returns the
 * PID of the first one stopped.
 */
export async function stopLeftoverEnvoy(opts: {
  pidFile: string; binaryPath: string; bootstrapPath: string; clock: Clock; logger: Logger; killTimeout: number;
}): Promise<number | undefined> {
  const pids = new Set<number>();
  let recorded: number | undefined;
  try {
    recorded = Number(readFileSync(opts.pidFile, 'utf8').trim());
  } catch {
    // no PID file: the scan below still finds an Envoy started just before a crash
  }
  if (recorded !== undefined) {
    const argv = Number.isSafeInteger(recorded) && recorded > 1 ? processArgv(recorded) : undefined;
    if (argv !== undefined && isOurEnvoy(argv, opts.binaryPath, opts.bootstrapPath)) pids.add(recorded);
    else if (argv !== undefined) opts.logger.info({ pid: recorded }, `envoy.pid names process ${recorded}, which is not vmlet's Envoy; leaving it alone`);
  }
  for (const pid of findOurEnvoys(opts.binaryPath, opts.bootstrapPath)) pids.add(pid);
  for (const pid of pids) await stopOne(pid, opts, pid === recorded);
  await removePidFile(opts.pidFile);
  return pids.values().next().value;
}

async function stopOne(pid: number, opts: { clock: Clock; logger: Logger; killTimeout: number }, recorded: boolean): Promise<void> {
  opts.logger.warn({ pid }, `an Envoy left by a previous vmlet is running (pid ${pid}${recorded ? '' : ', found by its command line: envoy.pid did not name it'}); stopping it`);
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try { process.kill(pid, sig); } catch { /* already gone */ }
    }
  };
  signalGroup('SIGTERM');
  const deadline = opts.clock.monotonic() + opts.killTimeout;
  while (alive(pid) && opts.clock.monotonic() < deadline) await opts.clock.sleep(50);
  if (alive(pid)) signalGroup('SIGKILL');
  for (let i = 0; i < 40 && alive(pid); i++) await opts.clock.sleep(50);
}
