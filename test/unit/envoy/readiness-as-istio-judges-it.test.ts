import { describe, expect, it } from 'vitest';
import { AdminReadiness } from '../../../src/envoy/readiness.js';
import type { EnvoyAdmin } from '../../../src/envoy/admin-client.js';
import { GateRegistry } from '../../../src/status/index.js';
import { silentLogger } from '../../../src/log.js';
import { FakeClock } from '../../helpers/fake-clock.js';

function fakeAdmin(stats: Record<string, number>, calls: string[] = []): EnvoyAdmin {
  return {
    get: async (path) => {
      calls.push(path);
      const filter = new RegExp(decodeURIComponent(new URL(path, 'http://x').searchParams.get('filter') ?? ''));
      return Object.entries(stats).filter(([k]) => filter.test(k)).map(([k, v]) => `${k}: ${v}`).join('\n');
    },
    post: async () => 'OK',
  };
}

const LIVE = { 'server.state': 0, 'listener_manager.workers_started': 1 };

describe('Envoy readiness', () => {
  it.each([
    [{ 'cluster_manager.cds.update_success': 1, 'listener_manager.lds.update_success': 1, ...LIVE }, true, ''],
    [{ 'cluster_manager.cds.update_success': 1, 'listener_manager.lds.update_success': 0, ...LIVE }, false, 'not received config'],
    [{ 'cluster_manager.cds.update_success': 0, 'cluster_manager.cds.update_rejected': 2, 'listener_manager.lds.update_success': 0, ...LIVE }, false, 'rejected'],
    [{ 'cluster_manager.cds.update_success': 1, 'listener_manager.lds.update_success': 1, 'server.state': 3, 'listener_manager.workers_started': 1 }, false, 'server.state 3'],
    [{ 'cluster_manager.cds.update_success': 1, 'listener_manager.lds.update_success': 1, 'server.state': 0, 'listener_manager.workers_started': 0 }, false, 'workers_started 0'],
  ])('%j → ready %s', async (stats, ready, why) => {
    const gates = new GateRegistry();
    const r = new AdminReadiness(fakeAdmin(stats), gates.register('envoy'), new FakeClock(), silentLogger());
    const res = await r.check();
    expect(res.ready).toBe(ready);
    expect(gates.list()[0]!.passed).toBe(ready);
    if (why) expect(res.reason).toContain(why);
  });

  it('latches once ready (no more stats calls), notifies subscribers, and resets for a new process', async () => {
    const stats: Record<string, number> = { 'cluster_manager.cds.update_success': 1, 'listener_manager.lds.update_success': 1, ...LIVE };
    const calls: string[] = [];
    const gates = new GateRegistry();
    const r = new AdminReadiness(fakeAdmin(stats, calls), gates.register('envoy'), new FakeClock(), silentLogger());
    const seen: boolean[] = [];
    r.subscribe((x) => seen.push(x));
    await r.watch(new AbortController().signal);
    expect(r.ready()).toBe(true);
    const n = calls.length;
    stats['server.state'] = 1;
    await r.check();
    expect(calls.length).toBe(n);
    expect(r.ready()).toBe(true);
    r.reset('Envoy restarted');
    expect(r.ready()).toBe(false);
    expect(gates.list()[0]).toMatchObject({ passed: false });
    expect(seen).toEqual([true, false]);
  });

  it('a silent admin API is "not answering", not ready', async () => {
    const gates = new GateRegistry();
    const admin: EnvoyAdmin = { get: async () => { throw new Error('ECONNREFUSED'); }, post: async () => '' };
    const r = new AdminReadiness(admin, gates.register('envoy'), new FakeClock(), silentLogger());
    expect((await r.check()).reason).toContain('not answering');
  });
});
