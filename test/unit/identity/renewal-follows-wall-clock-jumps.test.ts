// The renewal time is a wall-clock time, timers run on the monotonic clock: the identity manager
// waits in steps of at most RENEWAL_STEP_MS and measures again after each, so a system clock that
// jumps forward past the renewal time renews within one step (not half a lifetime later); a jump
// backward does not postpone the renewal beyond the wait planned by the monotonic clock; every
// jump is logged once with what vmlet does, counted, and shown in the identity status line.
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { VmletError } from '../../../src/errors.js';
import { IdentityManager } from '../../../src/identity/manager.js';
import { RENEWAL_STEP_MS } from '../../../src/identity/renewal-timing.js';
import type { CertStore } from '../../../src/identity/store.js';
import type { WorkloadIdentity } from '../../../src/identity/types.js';
import type { IstiodConnector } from '../../../src/istiod/types.js';
import { ClockJumpWatch } from '../../../src/lifecycle/index.js';
import { createLogger } from '../../../src/log.js';
import { MetricsRegistry, StatusCenter } from '../../../src/status/index.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

interface Rig {
  clock: FakeClock;
  renewedAt: number[];
  logs: { level: number; msg: string }[];
  metrics: MetricsRegistry;
  center: StatusCenter;
  stop(): Promise<void>;
}

const rigs: Rig[] = [];
afterEach(async () => { for (const r of rigs.splice(0)) await r.stop(); });

/**
 * A manager that adopts a stored certificate issued now, valid for `lifetimeMs`, renewed at half
 * life (jitter 0 unless `random` varies it). renewOnce() is replaced by a recorder that adopts a
 * fresh certificate: these tests are about when the loop calls it, not the CSR (integration tests).
 */
function start(lifetimeMs: number, o: { jitter?: number; random?: () => number; storeFails?: boolean } = {}): Rig {
  const clock = new FakeClock();
  const t0 = clock.now();
  const cert = (from: number): WorkloadIdentity => ({ spiffeId: 'spiffe://cluster.local/ns/ns1/sa/sa1', certChainPem: '', keyPem: '', rootPem: '', notBefore: from, notAfter: from + lifetimeMs });
  const save = () => { if (o.storeFails) throw new VmletError('VMLET_IDENTITY_STORE_UNWRITABLE', 'cannot write /nonexistent/cert-chain.pem: ENOSPC'); };
  const store = { dir: '/nonexistent', load: () => cert(t0), storedAt: () => t0, save } as unknown as CertStore;
  const logs: { level: number; msg: string }[] = [];
  const sink = new PassThrough();
  sink.setEncoding('utf8').on('data', (d: string) => { for (const l of d.split('\n').filter(Boolean)) logs.push(JSON.parse(l) as { level: number; msg: string }); });
  const metrics = new MetricsRegistry();
  const center = new StatusCenter();
  const manager = new IdentityManager({
    store, connector: {} as IstiodConnector, clock, logger: createLogger({ level: 'debug', format: 'json', destination: sink }),
    status: center, events: center.events, metrics, gate: center.gates.register('identity'),
    keySpec: { algorithm: 'ECDSA', curve: 'P256' } as never, trustDomain: 'cluster.local', namespace: 'ns1', serviceAccount: 'sa1',
    ttlMs: lifetimeMs, renewRatio: 0.5, renewJitter: o.jitter ?? 0, certSigner: '', requestTimeoutMs: 5_000, address: 'istiod:15012',
    tokenPath: undefined, tokenAudience: 'istio-ca', clockSkewMs: 0, ...(o.random ? { random: o.random } : {}),
  });
  const renewedAt: number[] = [];
  (manager as unknown as { renewOnce(): Promise<WorkloadIdentity> }).renewOnce = async () => {
    renewedAt.push(clock.monotonic());
    const id = cert(clock.now());
    const m = manager as unknown as { adopt(id: WorkloadIdentity, at: number, how: string): void; persist(id: WorkloadIdentity): void };
    m.adopt(id, clock.now(), 'renewed');
    m.persist(id);
    return id;
  };
  const abort = new AbortController();
  const done = manager.run(abort.signal);
  const rig = { clock, renewedAt, logs, metrics, center, async stop() { abort.abort(); await done; } };
  rigs.push(rig);
  return rig;
}

/** Lets the manager reach its next sleep. */
async function settle(clock: FakeClock): Promise<void> {
  for (let i = 0; i < 50 && clock.waiting === 0; i++) await Promise.resolve();
}

const jumpLines = (r: Rig) => r.logs.filter((l) => l.level === 40 && /system clock moved/.test(l.msg));
const jumpsMetric = (r: Rig) => r.metrics.render().split('\n').filter((l) => l.startsWith('vmlet_clock_jumps_total{'));

describe('renewal under wall-clock jumps', () => {
  it('never waits longer than RENEWAL_STEP_MS at a time', async () => {
    const r = start(24 * HOUR);
    await settle(r.clock);
    expect(RENEWAL_STEP_MS).toBeLessThanOrEqual(30_000);
    await r.clock.advance(5 * MIN);
    await settle(r.clock);
    expect(Math.max(...r.clock.sleeps)).toBeLessThanOrEqual(RENEWAL_STEP_MS);
    expect(r.renewedAt).toEqual([]);
  });

  it('a jump forward past the renewal time renews within one step, logs it once and counts it', async () => {
    const r = start(HOUR);
    await settle(r.clock);
    await r.clock.advance(2 * MIN);
    expect(r.renewedAt).toEqual([]);
    r.clock.jumpWall(40 * MIN);
    await r.clock.advance(RENEWAL_STEP_MS);
    expect(r.renewedAt).toHaveLength(1);
    expect(r.renewedAt[0]).toBeLessThanOrEqual(2 * MIN + RENEWAL_STEP_MS);
    const lines = jumpLines(r);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toMatch(/^the system clock moved forward by 2400 s against the monotonic clock .*renewal time has passed by the new time: renewing now/);
    expect(jumpsMetric(r)).toEqual(['vmlet_clock_jumps_total{direction="forward"} 1']);
    const identity = r.center.snapshot().components.find((c) => c.name === 'identity');
    expect(identity?.detail).toMatch(/expires in 60m; system clock moved forward 40m at /);
    // The new certificate's renewal is planned from the new time: no further renewal, no further warning.
    await r.clock.advance(10 * MIN);
    expect(r.renewedAt).toHaveLength(1);
    expect(jumpLines(r)).toHaveLength(1);
  });

  it('a jump forward short of the renewal time is logged and the renewal stays at its time', async () => {
    const r = start(HOUR);
    await settle(r.clock);
    r.clock.jumpWall(10 * MIN);
    await r.clock.advance(RENEWAL_STEP_MS);
    expect(r.renewedAt).toEqual([]);
    expect(jumpLines(r)[0]!.msg).toMatch(/moved forward by 600 s .*renewal stays due in 20m/);
    await r.clock.advance(20 * MIN);
    expect(r.renewedAt).toHaveLength(1);
  });

  it('a jump backward does not postpone the renewal beyond the wait planned by the monotonic clock', async () => {
    const r = start(HOUR);
    await settle(r.clock);
    r.clock.jumpWall(-2 * HOUR);
    await r.clock.advance(RENEWAL_STEP_MS);
    expect(jumpLines(r)[0]!.msg).toMatch(/moved backward by 7200 s .*renewal stays due in 30m \(kept by the monotonic clock/);
    expect(jumpsMetric(r)).toEqual(['vmlet_clock_jumps_total{direction="backward"} 1']);
    await r.clock.advance(30 * MIN - RENEWAL_STEP_MS);
    expect(r.renewedAt).toEqual([30 * MIN]);
  });

  it('the jitter is drawn once per certificate: the steps do not pull the renewal earlier', async () => {
    // Alternating extremes: a fresh draw at each step would renew at the earliest (0.5 + 0.1 of the life).
    let n = 0;
    const r = start(HOUR, { jitter: 0.1, random: () => (n++ === 0 ? 0 : 0.999_999) });
    await settle(r.clock);
    await r.clock.advance(35 * MIN);
    expect(r.renewedAt).toEqual([]);
    await r.clock.advance(MIN);
    expect(r.renewedAt).toHaveLength(1);
  });

  it('the jump note does not cover a degraded status line (a renewal kept in memory only)', async () => {
    const r = start(HOUR, { storeFails: true });
    await settle(r.clock);
    await r.clock.advance(31 * MIN);
    expect(r.renewedAt).toHaveLength(1);
    const line = () => r.center.snapshot().components.find((c) => c.name === 'identity');
    expect(line()).toMatchObject({ state: 'degraded', detail: expect.stringContaining('in memory only') });
    r.clock.jumpWall(5 * MIN);
    await r.clock.advance(RENEWAL_STEP_MS);
    expect(jumpLines(r)).toHaveLength(1);
    expect(line()).toMatchObject({ state: 'degraded', detail: expect.stringContaining('in memory only') });
  });

  it('no jump, no warning: a blocked event loop moves both clocks alike', async () => {
    const r = start(HOUR);
    await settle(r.clock);
    await r.clock.advance(31 * MIN);
    expect(r.renewedAt).toHaveLength(1);
    expect(jumpLines(r)).toEqual([]);
    expect(jumpsMetric(r)).toEqual([]);
  });
});

describe('ClockJumpWatch', () => {
  it('reports a jump once, by direction, and nothing below the threshold', async () => {
    const clock = new FakeClock();
    const watch = new ClockJumpWatch(clock, 5_000);
    await clock.advance(60_000);
    expect(watch.check()).toBeUndefined();
    clock.jumpWall(4_000);
    expect(watch.check()).toBeUndefined();
    clock.jumpWall(90_000);
    expect(watch.check()).toEqual({ direction: 'forward', ms: 90_000 });
    expect(watch.check()).toBeUndefined();
    clock.jumpWall(-10_000);
    await clock.advance(1_000);
    expect(watch.check()).toEqual({ direction: 'backward', ms: 10_000 });
  });
});
