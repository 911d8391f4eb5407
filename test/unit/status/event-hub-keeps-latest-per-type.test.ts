import { describe, expect, it } from 'vitest';
import { EventHub, type VmletEvent } from '../../../src/status/index.js';

describe('EventHub', () => {
  it('numbers events, keeps the latest of each type for new clients, and survives a broken subscriber', () => {
    const hub = new EventHub(() => Date.UTC(2026, 0, 1));
    const got: VmletEvent[] = [];
    hub.subscribe(() => { throw new Error('closed socket'); });
    const off = hub.subscribe((e) => got.push(e));
    hub.emit('identity', { expiresIn: '23h' });
    hub.emit('envoy', { state: 'running' });
    hub.emit('identity', { expiresIn: '22h' });
    expect(got.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(got[0]!.time).toBe('2026-01-01T00:00:00.000Z');
    expect(hub.current().map((e) => [e.type, e.data])).toEqual([['envoy', { state: 'running' }], ['identity', { expiresIn: '22h' }]]);
    off();
    hub.emit('envoy', { state: 'draining' });
    expect(got).toHaveLength(3);
    expect(hub.subscriberCount).toBe(1);
  });
});
