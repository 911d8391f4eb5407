/**
 * The chaos tier's VM: vmlet (the shipped bundle) with capture ON in the VM's network namespace
 * and the FAKE Envoy (no Envoy build exists here), against the real istiod and kube-apiserver of
 * the e2e harness. Unlike test/e2e/real/vm.ts it is built to be killed: every log line is an
 * event a test can wait on (to SIGKILL right after it), status is read through one long-lived
 * HTTP client inside the namespace (ns-http.py), and the FAKE Envoy records every start, so the
 * convergence check (converge.ts) can account for every process ever started.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ControlPlane } from '../real/control-plane.js';
import { BUNDLE, FAKE_ENVOY, type Workload } from '../real/vm.js';
import { waitFor } from '../../helpers/wait-for.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const NS_HTTP = join(import.meta.dirname, 'ns-http.py');

export interface LogLine { msg?: string; level?: number; component?: string; code?: string; raw?: string; [k: string]: unknown }

/** One long-lived python HTTP client inside a namespace: get(url) costs no process start. */
export class NsHttp {
  private child!: ChildProcess;
  private waiting: ((l: string) => void)[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  constructor(readonly ns: string) {
    this.spawn();
  }
  private spawn(): void {
    const child = spawn('ip', ['netns', 'exec', this.ns, 'python3', '-u', NS_HTTP], { stdio: ['pipe', 'pipe', 'inherit'] });
    const waiting: ((l: string) => void)[] = [];
    createInterface({ input: child.stdout! }).on('line', (l) => waiting.shift()?.(l));
    this.child = child;
    this.waiting = waiting;
  }
  /** The helper's PID (it is replaced after a request that got no answer). */
  get pid(): number { return this.child.pid!; }
  /** GET `url` from inside the namespace: status 0 with the reason when it failed. */
  get(url: string): Promise<{ status: number; body: string }> {
    const next = this.queue.then(() => new Promise<{ status: number; body: string }>((resolve, reject) => {
      // A slow start of python under load, or a lost answer: a fresh helper, so the next answer
      // is not taken for this request's.
      const t = setTimeout(() => { this.child.kill('SIGKILL'); this.spawn(); reject(new Error(`ns-http: no answer for ${url} within 20 s`)); }, 20_000);
      this.waiting.push((l) => { clearTimeout(t); resolve(JSON.parse(l) as { status: number; body: string }); });
      this.child.stdin!.write(`${url}\n`);
    }));
    this.queue = next.catch(() => undefined);
    return next;
  }
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await new Promise((r) => this.child.once('exit', r));
  }
}

export interface ChaosVmOptions {
  /** Home of this VM's files: state/, run/, tmp/ (survive restarts), log. */
  home: string;
  /** The VM's network namespace (default: the control plane's VM namespace). */
  vmNs?: string;
  /** Further `--set key=value` flags. */
  set?: string[];
  /** Further environment (FAKE_ENVOY_* knobs). */
  env?: Record<string, string>;
}

/** One vmlet process: its log lines as they come, its exit. */
export interface Run {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly lines: LogLine[];
  readonly exited: Promise<number | string>;
  readonly startedAt: number;
  stderr(): string;
}

export class ChaosVm {
  readonly vmNs: string;
  readonly stateDir: string;
  readonly runDir: string;
  readonly identityDir: string;
  readonly bootstrapPath: string;
  readonly envoyRecord: string;
  readonly logFile: string;
  run?: Run;
  /** Every vmlet PID this VM ever started, for the leftover check. */
  readonly vmletPids: number[] = [];
  private readonly listeners = new Set<(l: LogLine, r: Run) => void>();
  readonly http: NsHttp;

  constructor(readonly cp: ControlPlane, readonly w: Workload, readonly o: ChaosVmOptions) {
    this.vmNs = o.vmNs ?? cp.vmNs;
    this.stateDir = join(o.home, 'state');
    this.runDir = join(o.home, 'run');
    this.identityDir = join(this.stateDir, 'identity');
    this.bootstrapPath = join(o.home, 'tmp', 'envoy', 'envoy-rev.json');
    this.envoyRecord = join(o.home, 'envoy-record.jsonl');
    this.logFile = join(o.home, 'vmlet.log');
    mkdirSync(join(o.home, 'tmp'), { recursive: true });
    this.http = new NsHttp(this.vmNs);
  }

  /** The command line of `vmlet run`: capture ON (the cluster.env's ports and ranges), the FAKE Envoy. */
  argv(): string[] {
    const tmp = join(this.o.home, 'tmp');
    return ['run', '--istio-dir', this.w.dir, '--config', join(ROOT, 'test', 'helpers', 'empty-config.yaml'), '--log-format', 'json',
      '--set', `envoy.binaryPath=${FAKE_ENVOY}`, '--set', 'envoy.runAsUser=', '--set', `envoy.configDir=${join(tmp, 'envoy')}`,
      '--set', `sds.socketPath=${join(tmp, 'sds', 'socket')}`, '--set', `xds.socketPath=${join(tmp, 'proxy', 'XDS')}`,
      '--set', 'health.propagationDelay=500ms', '--set', 'general.drainGrace=1s', ...(this.o.set ?? [])];
  }

  /** Starts vmlet; resolves at once (wait on its lines or on converge()). */
  start(extraEnv: Record<string, string> = {}): Run {
    if (this.run && this.run.child.exitCode === null && this.run.child.signalCode === null) throw new Error('vmlet is still running');
    const child = spawn('ip', ['netns', 'exec', this.vmNs, process.execPath, BUNDLE, ...this.argv()], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        VMLET_STATE_DIR: this.stateDir, VMLET_RUN_DIR: this.runDir,
        VMLET_CAPTURE_ENABLED: 'true',
        FAKE_ENVOY_XDS: '1', FAKE_ENVOY_SDS: '1', FAKE_ENVOY_RECORD: this.envoyRecord,
        ...(process.env.VMLET_TEST_RUN ? { VMLET_TEST_RUN: process.env.VMLET_TEST_RUN } : {}),
        ...this.o.env, ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) throw new Error('could not start vmlet');
    const lines: LogLine[] = [];
    let stderr = '';
    const run: Run = {
      child, pid: child.pid, lines, startedAt: Date.now(),
      exited: new Promise((r) => child.once('close', (c, s) => r(c ?? s ?? -1))),
      stderr: () => stderr,
    };
    appendFileSync(this.logFile, `--- vmlet pid ${child.pid} started ${new Date().toISOString()}\n`);
    createInterface({ input: child.stdout! }).on('line', (l) => {
      appendFileSync(this.logFile, `${l}\n`);
      let line: LogLine;
      try { line = JSON.parse(l) as LogLine; } catch { line = { raw: l, msg: l }; }
      lines.push(line);
      for (const fn of this.listeners) fn(line, run);
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; appendFileSync(this.logFile, d); });
    this.run = run;
    this.vmletPids.push(child.pid);
    return run;
  }

  /**
   * Resolves with the first log line of the current run (from now on, or already seen when
   * `seen` is set) whose message (or its error's message) matches; rejects when vmlet exits first or after `timeoutMs`.
   */
  nextLine(match: RegExp, timeoutMs = 30_000, seen = false): Promise<LogLine> {
    const run = this.run;
    if (!run) return Promise.reject(new Error('vmlet is not running'));
    const text = (l: LogLine) => {
      const err = (l.err as { message?: string } | undefined)?.message;
      return err === undefined ? (l.msg ?? '') : `${l.msg ?? ''} ${err}`;
    };
    if (seen) {
      const hit = run.lines.find((l) => match.test(text(l)));
      if (hit) return Promise.resolve(hit);
    }
    return new Promise((resolve, reject) => {
      const done = () => { clearTimeout(t); this.listeners.delete(fn); };
      const fn = (l: LogLine, r: Run) => { if (r === run && match.test(text(l))) { done(); resolve(l); } };
      const t = setTimeout(() => { done(); reject(new Error(`no log line matching ${match} within ${timeoutMs} ms; last lines:\n${this.tail()}`)); }, timeoutMs);
      this.listeners.add(fn);
      void run.exited.then((how) => { if (this.listeners.has(fn)) { done(); reject(new Error(`vmlet exited (${how}) before a line matching ${match}; last lines:\n${this.tail()}`)); } });
    });
  }

  /** SIGKILL (no chance to clean up) and wait until the process is gone. */
  async kill9(): Promise<void> {
    const r = this.run;
    if (!r || r.child.exitCode !== null || r.child.signalCode !== null) return;
    r.child.kill('SIGKILL');
    await r.exited;
  }

  /** A graceful stop (SIGTERM; a second one skips the drains when `hurry`), bounded. */
  async stop(hurry = false, timeoutMs = 30_000): Promise<number | string | undefined> {
    const r = this.run;
    if (!r) return undefined;
    if (r.child.exitCode === null && r.child.signalCode === null) {
      r.child.kill('SIGTERM');
      if (hurry) { await this.nextLine(/stopping gracefully/, 5_000, true).catch(() => undefined); r.child.kill('SIGTERM'); }
      const t = setTimeout(() => r.child.kill('SIGKILL'), timeoutMs);
      await r.exited;
      clearTimeout(t);
    }
    return r.exited;
  }

  /** GET a path of vmlet's status server (127.0.0.1:15020 inside the VM). */
  async statusGet(path: string): Promise<{ status: number; body: string }> {
    return this.http.get(`http://127.0.0.1:15020${path}`);
  }

  async statusJson(): Promise<{ phase?: string; ready?: boolean; components?: { name: string; state: string; detail: string }[]; line?: string } | undefined> {
    const r = await this.statusGet('/status');
    if (r.status !== 200) return undefined;
    return JSON.parse(r.body) as { phase?: string; ready?: boolean; components?: { name: string; state: string; detail: string }[] };
  }

  async component(name: string): Promise<{ name: string; state: string; detail: string } | undefined> {
    return (await this.statusJson())?.components?.find((c) => c.name === name);
  }

  /** PIDs of every FAKE Envoy this VM ever started (from its record file). */
  envoyPids(): number[] {
    let text = '';
    try { text = readFileSync(this.envoyRecord, 'utf8'); } catch { return []; }
    const pids = new Set<number>();
    for (const l of text.split('\n')) {
      if (!l) continue;
      try { const e = JSON.parse(l) as { event?: string; pid?: number }; if (e.event === 'start' && e.pid) pids.add(e.pid); } catch { /* a line cut by a kill */ }
    }
    return [...pids];
  }

  /** The last log lines of the current run, for failure messages. */
  tail(n = 20): string {
    return (this.run?.lines ?? []).slice(-n).map((l) => JSON.stringify(l).slice(0, 400)).join('\n');
  }

  /** The identity files are removed: the next start is a first boot (token → CSR). */
  forgetIdentity(): void {
    rmSync(this.identityDir, { recursive: true, force: true });
  }

  /** Stops vmlet gracefully (rules removed), the ns-http client, and anything it left. */
  async close(): Promise<void> {
    await this.stop(true, 15_000).catch(() => undefined);
    await this.http.close();
    // Envoys a failed test left behind: by PID, only the ones this VM started.
    for (const pid of this.envoyPids()) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
  }
}

/** Runs `cmd` inside the VM namespace. */
export function inVm(vmNs: string, cmd: string, args: readonly string[], timeout = 20_000): string {
  return execFileSync('ip', ['netns', 'exec', vmNs, cmd, ...args], { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Waits, bounded, for `cond`, polling every `everyMs`. */
export const until = <T>(cond: () => T | Promise<T>, timeoutMs: number, what: string, everyMs = 50) => waitFor(cond, { timeoutMs, intervalMs: everyMs, what });
