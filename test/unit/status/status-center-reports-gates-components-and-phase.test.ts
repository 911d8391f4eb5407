import { describe, expect, it } from 'vitest';
import { StatusCenter, statusLine, type VmletEvent } from '../../../src/status/index.js';

describe('StatusCenter', () => {
  it('becomes ready only after wiring is complete and every gate passed, once', () => {
    const c = new StatusCenter();
    const events: VmletEvent[] = [];
    c.events.subscribe((e) => events.push(e));
    const a = c.gates.register('identity');
    expect(c.gates.register('identity')).toBe(a);
    a.pass();
    expect(c.phase).toBe('starting');
    c.wiringComplete();
    expect(c.phase).toBe('ready');
    expect(c.ready).toBe(true);
    a.fail('certificate expired');
    expect(c.phase).toBe('ready');
    expect(c.ready).toBe(false);
    expect(c.snapshot().line).toBe('not ready: waiting for identity (certificate expired)');
    a.pass();
    expect(events.filter((e) => e.type === 'phase').map((e) => e.data)).toEqual([{ from: 'starting', to: 'ready' }]);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it('with a gate still unmet after wiring it waits, then moves on when it passes', () => {
    const c = new StatusCenter();
    const g = c.gates.register('envoy');
    c.wiringComplete();
    expect(c.snapshot()).toMatchObject({ phase: 'starting', ready: false, gates: [{ name: 'envoy', passed: false, reason: 'not checked yet' }] });
    g.pass();
    expect(c.phase).toBe('ready');
  });

  it('refuses phase moves that make no sense', () => {
    const c = new StatusCenter();
    expect(c.transitionTo('stopped')).toBe(false);
    expect(c.transitionTo('stopping')).toBe(true);
    expect(c.transitionTo('ready')).toBe(false);
    expect(c.ready).toBe(false);
  });

  it('repeating the same component status is not a change', () => {
    const c = new StatusCenter();
    const events: VmletEvent[] = [];
    c.events.subscribe((e) => events.push(e));
    c.set('envoy', 'ok', 'running');
    c.set('envoy', 'ok', 'running');
    c.set('envoy', 'degraded', 'restarting (2)');
    expect(events.map((e) => e.data.state)).toEqual(['ok', 'degraded']);
  });
});

describe('statusLine', () => {
  const comp = (name: string, state: 'ok' | 'degraded' | 'failed', detail = '') => ({ name, state, detail, since: '' });
  it.each([
    ['starting', [{ name: 'identity', passed: false, reason: 'CA unreachable' }], [], 'starting: waiting for identity (CA unreachable)'],
    ['ready', [], [comp('identity', 'ok'), comp('envoy', 'ok')], 'ready: identity, envoy ok'],
    ['ready', [], [comp('identity', 'ok'), comp('envoy', 'degraded', 'restarting (3)')], 'ready, degraded; envoy degraded: restarting (3)'],
    ['stopping', [], [], 'stopping'],
    ['ready', [], [comp('x', 'failed', 'line one\nline two')], 'ready, degraded; x failed: line one line two'],
  ] as const)('%s with %j and %j reads %j', (phase, gates, components, expected) => {
    expect(statusLine(phase, gates, components)).toBe(expected);
  });

  it('is bounded in length', () => {
    expect(statusLine('starting', [{ name: 'x'.repeat(500), passed: false }], []).length).toBe(200);
  });
});
