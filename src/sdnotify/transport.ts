/**
 * How a notification reaches systemd. Node's dgram cannot send AF_UNIX datagrams, so vmlet runs
 * the `systemd-notify` program (docs/systemd.md says why this and not a native module):
 *
 *   systemd-notify -- READY=1 STATUS=...      (never --pid, never --no-block)
 *
 * Without --pid, systemd-notify (Debian 12: systemd 252) sends with SCM_CREDENTIALS naming its
 * parent (vmlet) when it may (CAP_SYS_ADMIN), and otherwise falls back to its own PID, which
 * systemd accepts from any process of the unit under NotifyAccess=all. --pid would add
 * MAINPID= and be dropped without CAP_SYS_ADMIN. Without --no-block it then sends BARRIER=1
 * with a pipe fd and waits (up to 5 s) until the manager has closed it, i.e. has processed the
 * message, so the helper never exits before systemd could attribute its datagram.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { VmletError } from '../errors.js';
import './errors.js';

export interface NotifyTransport {
  /** Delivers one datagram made of `fields` (`KEY=value`, joined by newlines). */
  send(fields: readonly string[]): Promise<void>;
}

/** Where systemd-notify is, looking at PATH then the usual places; undefined when absent. */
export function findSystemdNotify(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/bin'];
  for (const dir of dirs) {
    const candidate = join(dir, 'systemd-notify');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface SystemdNotifyOptions {
  /** Path of the systemd-notify program. */
  program: string;
  /** The NOTIFY_SOCKET value to hand it. */
  socket: string;
  /** Kill a helper that hangs longer than this (ms); its own barrier wait is 5 s. */
  timeoutMs?: number;
}

export class SystemdNotifyTransport implements NotifyTransport {
  constructor(private readonly opts: SystemdNotifyOptions) {}

  send(fields: readonly string[]): Promise<void> {
    const { program, socket, timeoutMs = 10_000 } = this.opts;
    return new Promise<void>((resolve, reject) => {
      // A minimal environment: the helper needs NOTIFY_SOCKET and nothing of vmlet's.
      const child = spawn(program, ['--', ...fields], {
        env: { NOTIFY_SOCKET: socket },
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: timeoutMs,
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        if (stderr.length < 2000) stderr += d;
      });
      child.on('error', (err) => reject(new VmletError('VMLET_SDNOTIFY_FAILED', `cannot run ${program}: ${err.message}`, { cause: err })));
      child.on('close', (code, signal) => {
        if (code === 0) return resolve();
        const why = signal !== null ? `was killed by ${signal}` : `exited ${code}`;
        reject(new VmletError('VMLET_SDNOTIFY_FAILED', `${program} ${why}: ${stderr.trim() || 'no output'}`, { details: { fields: fields.map((f) => f.split('=')[0]) } }));
      });
    });
  }
}
