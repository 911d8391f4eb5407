/**
 * Spawns a test double that prints `LISTENING <port>` on stdout once it serves, and waits for that
 * line (bounded: the child is stopped and the promise rejects after `timeoutMs`, or when it exits
 * first, with its stderr). The caller stops the child by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ListeningChild {
  readonly child: ChildProcess;
  readonly port: number;
  readonly exited: Promise<void>;
}

export async function spawnListening(what: string, argv: string[], timeoutMs: number): Promise<ListeningChild> {
  const child: ChildProcess = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`${what} did not print LISTENING within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /LISTENING (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}: ${stderr}`));
    });
  });
  return { child, port, exited };
}
