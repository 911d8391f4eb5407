import { describe, expect, it } from 'vitest';
import { SdNotifier, statusField, watchdogSettings, shouldPing, type NotifyTransport } from '../../../src/sdnotify/index.js';
import { silentLogger } from '../../../src/log.js';

/** A transport that holds each send until released, recording what was sent. */
class FakeTransport implements NotifyTransport {
  readonly sent: string[] = [];
  private release: (() => void)[] = [];
  constructor(private readonly hold = false, private readonly fail = false) {}
  send(fields: readonly string[]): Promise<void> {
    this.sent.push(fields.join('\n'));
    if (this.fail) return Promise.reject(new Error('no manager'));
    if (!this.hold) return Promise.resolve();
    return new Promise((r) => this.release.push(r));
  }
  releaseAll(): void {
    const r = this.release;
    this.release = [];
    r.forEach((f) => f());
  }
}

describe('SdNotifier', () => {
  it('sends in order, keeps only the newest waiting STATUS= and one waiting WATCHDOG=1', async () => {
    const t = new FakeTransport(true);
    const n = new SdNotifier(t, silentLogger());
    void n.status('one');
    void n.status('two');
    void n.watchdog();
    void n.status('three');
    void n.watchdog();
    void n.stopping();
    const flushed = n.flush();
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setImmediate(r));
      t.releaseAll();
    }
    await flushed;
    expect(t.sent).toEqual(['STATUS=one', 'STATUS=three', 'WATCHDOG=1', 'STOPPING=1']);
  });

  it('READY=1 once per start, again only after RELOADING=1; identical STATUS= lines are not repeated', async () => {
    const t = new FakeTransport();
    const n = new SdNotifier(t, silentLogger());
    await n.ready('ready');
    await n.ready('ready');
    await n.status('ready');
    await n.reloading(123n);
    await n.ready('ready');
    expect(t.sent).toEqual(['READY=1\nSTATUS=ready', 'RELOADING=1\nMONOTONIC_USEC=123', 'READY=1\nSTATUS=ready']);
  });

  it('a failing transport never throws into the caller', async () => {
    const n = new SdNotifier(new FakeTransport(false, true), silentLogger());
    await expect(n.ready()).resolves.toBeUndefined();
    await expect(n.watchdog()).resolves.toBeUndefined();
  });

  it.each([
    ['a\nb', 'STATUS=a b'],
    ['  padded  ', 'STATUS=padded'],
    ['x'.repeat(500), `STATUS=${'x'.repeat(399)}…`],
  ])('STATUS= is one bounded line: %j', (line, expected) => {
    expect(statusField(line)).toBe(expected);
  });
});

describe('watchdog settings', () => {
  const sock = { NOTIFY_SOCKET: '/run/systemd/notify' };
  it.each([
    [{ ...sock, WATCHDOG_USEC: '30000000' }, { intervalMs: 15000, maxLagMs: 7500 }],
    [{ ...sock, WATCHDOG_USEC: '30000000', WATCHDOG_PID: '4242' }, { intervalMs: 15000, maxLagMs: 7500 }],
    [{ ...sock, WATCHDOG_USEC: '30000000', WATCHDOG_PID: '1' }, undefined],
    [{ ...sock, WATCHDOG_USEC: '0' }, undefined],
    [{ ...sock, WATCHDOG_USEC: 'soon' }, undefined],
    [{ WATCHDOG_USEC: '30000000' }, undefined],
  ])('%j gives %j', (env, expected) => {
    expect(watchdogSettings(env, 4242)).toEqual(expected);
  });

  it.each([
    [10, true, true], [150, true, true], [151, true, false], [0, false, false],
  ])('lag %d ms, live %s: ping %s (max lag 150)', (lag, live, expected) => {
    expect(shouldPing(lag, live, 150)).toBe(expected);
  });
});
