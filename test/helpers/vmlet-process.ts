/**
 * Spawns the built bundle (dist/vmlet.cjs, what ships) as a child process with temporary state
 * and runtime directories, collecting its stdout (JSON log lines) and stderr. Stop it by PID in
 * afterAll with `stop()`; `exited` resolves with the exit code (or signal name).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TmpDir } from './tmp-dir.js';
import { ISTIO_FIXTURE } from './test-config.js';

export const BUNDLE = join(import.meta.dirname, '..', '..', 'dist', 'vmlet.cjs');
export const EMPTY_CONFIG = join(import.meta.dirname, 'empty-config.yaml');

export interface VmletProcess {
  readonly child: ChildProcess;
  readonly logs: Record<string, unknown>[];
  stderr: string;
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it exited. Safe to call twice. */
  stop(graceMs?: number): Promise<number | string>;
}

export interface SpawnOptions {
  tmp: TmpDir;
  /** Extra arguments after `run` (or the whole argv when `argv` is given). */
  args?: readonly string[];
  argv?: readonly string[];
  env?: Record<string, string>;
  /** Flags for node itself, before the bundle (e.g. a --require preload). */
  nodeArgs?: readonly string[];
  /** A command that execs node (the PID stays vmlet's), e.g. ['ip', 'netns', 'exec', ns]. */
  wrap?: readonly string[];
}

/** `vmlet run --istio-dir <fixture> --config <empty> --log-format json ...args`. */
export function spawnVmlet(opts: SpawnOptions): VmletProcess {
  const argv = opts.argv ?? ['run', '--istio-dir', ISTIO_FIXTURE, '--config', EMPTY_CONFIG, '--log-format', 'json', ...(opts.args ?? [])];
  const command = [...(opts.wrap ?? []), process.execPath, ...(opts.nodeArgs ?? []), BUNDLE, ...argv];
  const child = spawn(command[0]!, command.slice(1), {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      // This test run's tag (global-setup.ts): what the agent starts carries it too.
      ...(process.env.VMLET_TEST_RUN ? { VMLET_TEST_RUN: process.env.VMLET_TEST_RUN } : {}),
      VMLET_STATE_DIR: opts.tmp.join('state'),
      VMLET_RUN_DIR: opts.tmp.join('run'),
      // Spawned agents never install iptables rules on the host (tests run as root); capture
      // tests apply rules only inside network namespaces they create.
      VMLET_CAPTURE_ENABLED: 'false',
      // The fixture's istiod is not reachable: tests of other capabilities run without identity
      // (identity tests pass VMLET_IDENTITY_ENABLED=true with a simulator's --istio-dir).
      VMLET_IDENTITY_ENABLED: 'false',
      // Likewise no Envoy (tests that want one pass the fake's path) and no xDS socket under /etc.
      VMLET_ENVOY_ENABLED: 'false',
      VMLET_XDS_ENABLED: 'false',
      // The fixture's cluster.env asks for DNS capture (as istioctl writes it): no DNS proxy on
      // the host's 127.0.0.1:15053 unless a test asks for one (on a port of its own).
      VMLET_DNS_MODE: 'off',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc: VmletProcess = {
    child,
    logs: [],
    stderr: '',
    // 'close', not 'exit': 'exit' can come before the last of stdout is read (a loaded machine),
    // and tests read the log lines once it resolves.
    exited: new Promise((resolve) => child.once('close', (code, signal) => resolve(code ?? signal ?? -1))),
    async stop(graceMs = 3000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        let killed = false;
        const t = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, graceMs);
        await proc.exited;
        clearTimeout(t);
        // A SIGKILLed agent leaves its Envoy running (a restarted vmlet adopts it through
        // envoy.pid); the test is over, so that Envoy goes too, by the PID the agent recorded.
        if (killed) killRecordedEnvoy(opts.tmp.join('run', 'envoy.pid'));
      }
      return proc.exited;
    },
  };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      proc.logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      proc.logs.push({ raw: line });
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { proc.stderr += d; });
  return proc;
}

/** GET http://127.0.0.1:port/path → { status, body } (rejects when nothing answers). */
export async function httpGet(port: number, path: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3000) });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

/** SIGKILLs the process named in a spawned agent's envoy.pid, if the file exists and it lives. */
function killRecordedEnvoy(pidFile: string): void {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return; // no Envoy was started, or the agent removed the file at stop
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    // Only an Envoy (the fake one in tests): a PID reused since is not ours to stop.
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('envoy')) return;
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
