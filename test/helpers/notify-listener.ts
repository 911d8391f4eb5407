/**
 * A real AF_UNIX datagram socket to use as NOTIFY_SOCKET in tests (Node cannot bind one, so a
 * small python3 program does: ./notify-listener.py). `datagrams` fills as they arrive; BARRIER=1
 * messages (systemd-notify's "has the manager read it?" handshake) are answered by closing the
 * fd and kept out of `messages()`. Stop it with close() in afterAll.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitFor } from './wait-for.js';

export interface Datagram {
  readonly data: string;
  readonly fds: number;
  readonly pid: number | null;
  /** CLOCK_MONOTONIC at arrival, µs. */
  readonly atUsec: number;
}

export class NotifyListener {
  readonly datagrams: Datagram[] = [];
  private constructor(readonly path: string, private readonly child: ChildProcess) {}

  static async start(path: string): Promise<NotifyListener> {
    const child = spawn('python3', [join(import.meta.dirname, 'notify-listener.py'), path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const listener = new NotifyListener(path, child);
    let bound = false;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'BOUND') bound = true;
      else listener.datagrams.push(JSON.parse(line) as Datagram);
    });
    await waitFor(() => bound || child.exitCode !== null, { timeoutMs: 5000, what: 'the notify socket to be bound' });
    if (!bound) throw new Error(`notify-listener.py exited with ${child.exitCode}`);
    return listener;
  }

  /** Datagram texts without the BARRIER=1 handshakes. */
  messages(): string[] {
    return this.datagrams.filter((d) => d.data !== 'BARRIER=1').map((d) => d.data);
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}
