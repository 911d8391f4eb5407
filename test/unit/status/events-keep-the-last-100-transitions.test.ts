// `vmlet status --history`: the event hub keeps the last 100 events (transitions) in a ring,
// oldest first, with their sequence numbers, whatever their type.
import { describe, expect, it } from 'vitest';
import { EventHub, HISTORY_SIZE, RingBuffer, StatusCenter } from '../../../src/status/index.js';

describe('RingBuffer', () => {
  it('fills, then overwrites the oldest; toArray is oldest first', () => {
    const r = new RingBuffer<number>(3);
    expect(r.toArray()).toEqual([]);
    r.push(1);
    r.push(2);
    expect(r.toArray()).toEqual([1, 2]);
    for (const n of [3, 4, 5]) r.push(n);
    expect(r.toArray()).toEqual([3, 4, 5]);
    expect(r.size).toBe(3);
    expect(() => new RingBuffer(0)).toThrow(/positive integer/);
  });
});

describe('event history', () => {
  it('keeps the last 100 events of every type, oldest first', () => {
    expect(HISTORY_SIZE).toBe(100);
    const hub = new EventHub(() => Date.parse('2026-12-05T10:00:00Z'));
    for (let i = 1; i <= 130; i++) hub.emit(i % 2 === 0 ? 'gate' : 'component', { i });
    const h = hub.history();
    expect(h).toHaveLength(100);
    expect(h[0]).toMatchObject({ seq: 31, data: { i: 31 }, time: '2026-12-05T10:00:00.000Z' });
    expect(h.at(-1)).toMatchObject({ seq: 130, type: 'gate' });
    expect(h.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, k) => 31 + k));
  });

  it('records gate, component and phase transitions of the status center', () => {
    const center = new StatusCenter();
    const gate = center.gates.register('identity');
    center.set('envoy', 'starting', 'spawning');
    gate.pass();
    center.wiringComplete();
    expect(center.events.history().map((e) => `${e.type}:${JSON.stringify(e.data)}`)).toEqual([
      'gate:{"name":"identity","passed":false,"reason":"not checked yet"}',
      'component:' + JSON.stringify({ name: 'envoy', state: 'starting', detail: 'spawning', since: center.snapshot().components[0]!.since }),
      'gate:{"name":"identity","passed":true}',
      'phase:{"from":"starting","to":"ready"}',
    ]);
  });
});
