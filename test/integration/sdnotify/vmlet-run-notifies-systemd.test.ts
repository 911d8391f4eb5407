// The shipped bundle under a NOTIFY_SOCKET (as systemd starts it): READY=1 with its STATUS=,
// RELOADING=1 + MONOTONIC_USEC then READY=1 on SIGHUP, WATCHDOG=1 with WATCHDOG_USEC, STOPPING=1
// on SIGTERM; exact datagrams on a real AF_UNIX socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBinary, requireOrSkip } from '../../helpers/env.js';
import { freePort } from '../../helpers/free-port.js';
import { NotifyListener } from '../../helpers/notify-listener.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { spawnVmlet } from '../../helpers/vmlet-process.js';
import { waitFor } from '../../helpers/wait-for.js';

const canRun = requireOrSkip(hasBinary('python3') && hasBinary('systemd-notify'), 'needs python3 (to bind the socket) and systemd-notify');

describe.skipIf(!canRun)('vmlet run under systemd notification', () => {
  const tmp = makeTmpDir('run-notify');
  let listener: NotifyListener;
  beforeAll(async () => {
    listener = await NotifyListener.start(tmp.join('notify.sock'));
  });
  afterAll(async () => {
    await listener?.close();
    tmp.cleanup();
  });

  it('READY=1 once, watchdog pings, RELOADING=1 then READY=1 on SIGHUP, STOPPING=1 on SIGTERM', async () => {
    const vmlet = spawnVmlet({
      tmp,
      args: ['--set', `general.statusPort=${await freePort()}`],
      env: { NOTIFY_SOCKET: listener.path, WATCHDOG_USEC: '1000000' },
    });
    try {
      await waitFor(() => listener.messages().includes('READY=1\nSTATUS=ready: capture off'), { timeoutMs: 10_000, what: 'READY=1' });
      await waitFor(() => listener.messages().filter((m) => m === 'WATCHDOG=1').length >= 2, { timeoutMs: 5000, what: 'two pings' });
      vmlet.child.kill('SIGHUP');
      await waitFor(() => listener.messages().filter((m) => m.startsWith('READY=1')).length === 2, { timeoutMs: 5000, what: 'READY=1 after the reload' });
      vmlet.child.kill('SIGTERM');
      expect(await vmlet.exited).toBe(0);
    } finally {
      await vmlet.stop();
    }
    const messages = listener.messages().filter((m) => m !== 'WATCHDOG=1');
    expect(messages).toEqual([
      'STATUS=starting',
      'READY=1\nSTATUS=ready: capture off',
      expect.stringMatching(/^RELOADING=1\nMONOTONIC_USEC=\d+$/),
      'READY=1\nSTATUS=ready: capture off',
      'STOPPING=1\nSTATUS=stopping',
      'STATUS=stopped',
    ]);
  }, 30_000);
});
