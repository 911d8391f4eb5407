/**
 * One Envoy process at a time, as a Component: run() writes the bootstrap, stops an Envoy a
 * killed vmlet left behind, starts Envoy (as istio-proxy, in its own process group, output into
 * vmlet's log) and resolves after abort once Envoy has exited (SIGTERM, SIGKILL after
 * killTimeout). If Envoy exits on its own while running, run() rejects with VMLET_ENVOY_EXITED;
 * the wiring wraps it in resilient() so it is restarted with backoff. An exit while draining or
 * stopping is expected and waits for the abort that follows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ensureSharedDir, writeSharedFile } from '../shared-dir.js';
import { dirname } from 'node:path';
import { VmletError } from '../errors.js';
import type { Clock, Component } from '../lifecycle/types.js';
import type { Logger } from '../log.js';
import { pipeLines } from './log-lines.js';
import { removePidFile, stopLeftoverEnvoy, writePidFile } from './orphan.js';
import type { EnvoyStateMachine } from './states.js';
import type { Credentials } from './user.js';
import './errors.js';

export interface EnvoyProcessOptions {
  readonly binaryPath: string;
  readonly args: readonly string[];
  readonly bootstrapPath: string;
  /** The bootstrap JSON text written to bootstrapPath before each start. */
  readonly bootstrap: string;
  readonly pidFile: string;
  /** uid/gid Envoy runs as; undefined keeps vmlet's own. */
  readonly credentials: Credentials | undefined;
  readonly killTimeout: number;
  readonly states: EnvoyStateMachine;
  readonly clock: Clock;
  /** component: envoy */
  readonly logger: Logger;
  readonly env?: NodeJS.ProcessEnv;
  /** A process started; `exited` aborts when it ends (readiness watches until then). */
  onStarted?(pid: number, exited: AbortSignal): void;
  /** A process ended (any reason). */
  onExited?(pid: number, how: string): void;
}

interface Running {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exit: Promise<string>;
  readonly gone: AbortController;
}

export class EnvoyProcess implements Component {
  readonly name = 'envoy';
  private current: Running | undefined;
  private checkedLeftover = false;

  constructor(private readonly opts: EnvoyProcessOptions) {}

  get pid(): number | undefined {
    return this.current?.pid;
  }

  /** Resolves when the current Envoy has exited (at once when none runs). */
  exited(): Promise<void> {
    return this.current ? this.current.exit.then(() => undefined) : Promise.resolve();
  }

  async run(signal: AbortSignal): Promise<void> {
    const { states, logger } = this.opts;
    if (signal.aborted) return;
    states.transitionTo('starting');
    const running = await this.start();
    const aborted = new Promise<'abort'>((resolve) => {
      if (signal.aborted) resolve('abort');
      else signal.addEventListener('abort', () => resolve('abort'), { once: true });
    });
    const first = await Promise.race([running.exit, aborted]);
    if (first === 'abort') {
      await this.stop();
      return;
    }
    if (states.state === 'draining' || states.state === 'stopping' || signal.aborted) {
      states.transitionTo('exited', first);
      await aborted;
      return;
    }
    states.transitionTo('exited', first);
    logger.error({ pid: running.pid, how: first }, `Envoy exited unexpectedly (${first}) [VMLET_ENVOY_EXITED]`);
    throw new VmletError('VMLET_ENVOY_EXITED', `Envoy (pid ${running.pid}) exited: ${first}`, { details: { pid: running.pid, how: first } });
  }

  /** SIGTERM to Envoy's process group, SIGKILL after killTimeout. Idempotent; resolves once it has exited. */
  async stop(): Promise<void> {
    const r = this.current;
    if (r === undefined || r.gone.signal.aborted) {
      this.opts.states.transitionTo('stopping');
      this.opts.states.transitionTo('exited');
      return;
    }
    this.opts.states.transitionTo('stopping');
    this.signal(r.pid, 'SIGTERM');
    const timer = new AbortController();
    const timedOut = this.opts.clock.sleep(this.opts.killTimeout, timer.signal).then(() => true, () => false);
    const late = await Promise.race([r.exit.then(() => false), timedOut]);
    timer.abort();
    if (late) {
      this.opts.logger.warn({ pid: r.pid, killTimeoutMs: this.opts.killTimeout }, `Envoy did not exit within ${this.opts.killTimeout} ms of SIGTERM; sending SIGKILL`);
      this.signal(r.pid, 'SIGKILL');
      await r.exit;
    }
    this.opts.states.transitionTo('exited');
  }

  private signal(pid: number, sig: NodeJS.Signals): void {
    try {
      process.kill(-pid, sig);
    } catch {
      try { process.kill(pid, sig); } catch { /* already gone */ }
    }
  }

  private async start(): Promise<Running> {
    const o = this.opts;
    try {
      // Envoy (istio-proxy) reads the bootstrap through its group; nobody else can. The directory
      // stays vmlet's (shared-dir.ts): the hardened unit's root cannot write into istio-proxy's.
      ensureSharedDir(dirname(o.bootstrapPath), o.credentials?.gid);
      writeSharedFile(o.bootstrapPath, o.bootstrap, 0o640, o.credentials?.gid);
    } catch (err) {
      o.states.transitionTo('exited');
      throw new VmletError('VMLET_ENVOY_START_FAILED', `cannot write Envoy's bootstrap ${o.bootstrapPath}: ${(err as Error).message}`, { cause: err });
    }
    if (!this.checkedLeftover) {
      this.checkedLeftover = true;
      await stopLeftoverEnvoy({ pidFile: o.pidFile, binaryPath: o.binaryPath, bootstrapPath: o.bootstrapPath, clock: o.clock, logger: o.logger, killTimeout: o.killTimeout });
    }
    const child = spawn(o.binaryPath, [...o.args], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: o.env ?? process.env,
      ...(o.credentials !== undefined ? { uid: o.credentials.uid, gid: o.credentials.gid } : {}),
    });
    const gone = new AbortController();
    const exit = new Promise<string>((resolve) => {
      child.once('exit', (code, sig) => resolve(sig ? `killed by ${sig}` : `exit code ${code}`));
    });
    const spawned = await new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', (err) => resolve(err));
    });
    if (spawned !== undefined) {
      o.states.transitionTo('exited');
      throw new VmletError('VMLET_ENVOY_START_FAILED', `cannot start Envoy ${o.binaryPath}: ${spawned.message}; check envoy.binaryPath`, { cause: spawned });
    }
    const pid = child.pid as number;
    pipeLines(child.stdout!, o.logger, 'stdout');
    pipeLines(child.stderr!, o.logger, 'stderr');
    const running: Running = { child, pid, exit, gone };
    this.current = running;
    void exit.then(async (how) => {
      gone.abort();
      await removePidFile(o.pidFile).catch(() => undefined);
      o.onExited?.(pid, how);
    });
    await writePidFile(o.pidFile, pid).catch((err: unknown) => o.logger.warn({ err, pidFile: o.pidFile }, 'cannot record Envoy\'s PID; a leftover Envoy cannot be found after a crash of vmlet'));
    o.states.transitionTo('running', `pid ${pid}`);
    o.onStarted?.(pid, gone.signal);
    return running;
  }
}
