/**
 * How capture runs iptables: every call goes through an IptablesRunner, so tests and the bench
 * can run everything inside a network namespace (`ip netns exec <ns>`), fakes can stand in, and
 * the number of processes spawned is counted.
 */
import { spawn } from 'node:child_process';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface IptablesRunner {
  /** Runs `bin args...` with `stdin` (if any); never throws for a non-zero exit. */
  run(bin: string, args: readonly string[], stdin?: string): Promise<RunResult>;
  /** Processes spawned so far. */
  readonly spawned: number;
}

export interface ExecRunnerOptions {
  /** Run inside this network namespace (`ip netns exec`); tests and the bench only. */
  readonly netns?: string;
  /** Upper bound per command (ms); iptables --wait already bounds lock waits. */
  readonly timeoutMs?: number;
}

export class ExecRunner implements IptablesRunner {
  spawned = 0;
  constructor(private readonly opts: ExecRunnerOptions = {}) {}

  run(bin: string, args: readonly string[], stdin?: string): Promise<RunResult> {
    const [cmd, argv] = this.opts.netns === undefined ? [bin, [...args]] : ['ip', ['netns', 'exec', this.opts.netns, bin, ...args]];
    this.spawned++;
    return new Promise((resolve) => {
      let child;
      try {
        child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'], timeout: this.opts.timeoutMs ?? 60_000 });
      } catch (err) {
        resolve({ code: 127, stdout: '', stderr: String(err) });
        return;
      }
      const out: Buffer[] = [];
      const errs: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => errs.push(b));
      child.on('error', (err) => resolve({ code: 127, stdout: '', stderr: String(err) }));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errs).toString('utf8') }));
      child.stdin.on('error', () => undefined);
      child.stdin.end(stdin ?? '');
    });
  }
}
