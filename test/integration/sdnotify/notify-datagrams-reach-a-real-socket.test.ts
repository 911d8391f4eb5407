// The sd_notify mechanism end to end: the real Notifier (systemd-notify as transport) writes to a
// real AF_UNIX SOCK_DGRAM socket bound as NOTIFY_SOCKET, and we assert the exact datagrams.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifier, SystemdReporter, Watchdog, watchdogSettings, type Notifier } from '../../../src/sdnotify/index.js';
import { StatusCenter } from '../../../src/status/index.js';
import { silentLogger } from '../../../src/log.js';
import { hasBinary, requireOrSkip } from '../../helpers/env.js';
import { NotifyListener } from '../../helpers/notify-listener.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

const canRun = requireOrSkip(hasBinary('python3') && hasBinary('systemd-notify'), 'the sd_notify test needs python3 (to bind the socket) and systemd-notify');
const logger = silentLogger();

describe.skipIf(!canRun)('sd_notify over a real datagram socket', () => {
  const tmp = makeTmpDir('sdnotify');
  let listener: NotifyListener;
  const env = () => ({ NOTIFY_SOCKET: listener.path, PATH: process.env.PATH });

  beforeAll(async () => {
    listener = await NotifyListener.start(tmp.join('notify.sock'));
  });
  afterAll(async () => {
    await listener?.close();
    tmp.cleanup();
  });

  it('READY=1 once, only after every gate passed; STATUS= follows; RELOADING=1 + MONOTONIC_USEC; STOPPING=1', async () => {
    listener.datagrams.length = 0;
    const notifier: Notifier = createNotifier(env(), logger);
    expect(notifier.enabled).toBe(true);
    const center = new StatusCenter();
    const identity = center.gates.register('identity');
    const envoy = center.gates.register('envoy');
    const reporter = new SystemdReporter(center, notifier);
    reporter.start();
    center.wiringComplete();
    await notifier.flush();
    identity.pass();
    await notifier.flush();
    center.set('identity', 'ok', 'spiffe://cluster.local/ns/bar/sa/vm-sa');
    await notifier.flush();
    expect(listener.messages().some((m) => m.includes('READY=1'))).toBe(false);
    envoy.pass();
    await notifier.flush();
    envoy.fail('admin not answering');
    await notifier.flush();
    envoy.pass();
    await notifier.flush();
    const beforeReload = process.hrtime.bigint() / 1000n;
    await reporter.reloading();
    await reporter.reloaded();
    center.transitionTo('stopping');
    await notifier.flush();

    const messages = listener.messages();
    const reloading = messages.find((m) => m.startsWith('RELOADING=1'))!;
    const usec = BigInt(/^RELOADING=1\nMONOTONIC_USEC=(\d+)$/.exec(reloading)![1]!);
    expect(messages).toEqual([
      'STATUS=starting: waiting for identity (not checked yet), envoy (not checked yet)',
      'STATUS=starting: waiting for envoy (not checked yet)',
      'READY=1\nSTATUS=ready: identity ok',
      'STATUS=not ready: waiting for envoy (admin not answering)',
      'STATUS=ready: identity ok',
      `RELOADING=1\nMONOTONIC_USEC=${usec}`,
      'READY=1\nSTATUS=ready: identity ok',
      'STOPPING=1\nSTATUS=stopping',
    ]);
    // MONOTONIC_USEC is CLOCK_MONOTONIC: between our reading before the call and the arrival.
    const arrived = listener.datagrams.find((d) => d.data === reloading)!.atUsec;
    expect(usec >= beforeReload && usec <= BigInt(arrived)).toBe(true);
    // Every message is followed by systemd-notify's BARRIER=1 handshake carrying one fd.
    const all = listener.datagrams.map((d) => (d.data === 'BARRIER=1' ? `B${d.fds}` : 'M'));
    expect(all).toEqual(messages.flatMap(() => ['M', 'B1']));
  }, 20_000);

  it('WATCHDOG=1 every WATCHDOG_USEC/2 while live, and none while the event loop is stuck', async () => {
    listener.datagrams.length = 0;
    const notifier = createNotifier(env(), logger);
    const settings = watchdogSettings({ ...env(), WATCHDOG_USEC: '600000', WATCHDOG_PID: String(process.pid) })!;
    expect(settings).toEqual({ intervalMs: 300, maxLagMs: 150 });
    const ticks: { lagMs: number; pinged: boolean }[] = [];
    let stuckTicks: typeof ticks = [];
    const ctl = new AbortController();
    const running = new Watchdog({ settings, notifier, logger, onTick: (lagMs, pinged) => ticks.push({ lagMs, pinged }) }).run(ctl.signal);
    try {
      await waitFor(() => listener.messages().filter((m) => m === 'WATCHDOG=1').length >= 4, { timeoutMs: 5000, what: 'four pings' });
      await notifier.status('busy');
      const ticksBefore = ticks.length;
      // A stuck loop that still gets short breaks: 300 ms blocked, a timer turn, again, for ~2 s.
      const until = Date.now() + 2000;
      while (Date.now() < until) {
        const end = Date.now() + 300;
        while (Date.now() < end) { /* busy */ }
        await new Promise((r) => setTimeout(r, 0));
      }
      stuckTicks = ticks.slice(ticksBefore);
      await notifier.status('idle');
      await waitFor(() => listener.messages().slice(listener.messages().indexOf('STATUS=idle')).includes('WATCHDOG=1'), { timeoutMs: 5000, what: 'pings to resume' });
    } finally {
      ctl.abort();
      await running;
    }
    // Every tick while the loop was stuck chose not to ping, and the timer did run between the
    // blocked stretches (not a vacuous pass). Read from the ticks, not from which datagrams fell
    // between STATUS=busy and STATUS=idle: a tick during the helper that sends STATUS=busy (slow on
    // a loaded machine) pings legitimately and lands after it.
    expect(stuckTicks.length).toBeGreaterThanOrEqual(2);
    expect(stuckTicks.every((t) => !t.pinged && t.lagMs > 150)).toBe(true);
    // Every WATCHDOG=1 on the socket is a tick that decided to ping (one waiting ping may absorb
    // the next, never the other way round): counted by events, not by arrival times, which a
    // loaded machine stretches.
    const pingDatagrams = listener.datagrams.filter((d) => d.data === 'WATCHDOG=1').length;
    expect(pingDatagrams).toBeGreaterThanOrEqual(4);
    expect(pingDatagrams).toBeLessThanOrEqual(ticks.filter((t) => t.pinged).length);
  }, 20_000);

  it('without NOTIFY_SOCKET the notifier is a no-op and the watchdog is off', async () => {
    const before = listener.datagrams.length;
    const notifier = createNotifier({ PATH: process.env.PATH, WATCHDOG_USEC: '600000' }, logger);
    expect(notifier.enabled).toBe(false);
    await notifier.ready('x');
    await notifier.watchdog();
    expect(watchdogSettings({ WATCHDOG_USEC: '600000' })).toBeUndefined();
    expect(listener.datagrams.length).toBe(before);
  });
});
