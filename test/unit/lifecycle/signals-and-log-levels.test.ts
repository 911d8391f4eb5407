import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { controlLevels, StopSignals, type SignalSource } from '../../../src/lifecycle/index.js';
import { createLogger, silentLogger } from '../../../src/log.js';

describe('StopSignals', () => {
  it('SIGHUP asks for a reload and does not stop; SIGINT counts like SIGTERM', () => {
    const proc = new EventEmitter() as unknown as SignalSource & { emit(s: string): void };
    let reloads = 0;
    const exits: string[] = [];
    const s = new StopSignals({ logger: silentLogger(), source: proc, reload: () => { reloads += 1; }, exitNow: (sig) => exits.push(sig) });
    proc.emit('SIGHUP');
    proc.emit('SIGHUP');
    expect(reloads).toBe(2);
    expect(s.stop.aborted).toBe(false);
    proc.emit('SIGINT');
    expect([s.stop.aborted, s.hurry.aborted]).toEqual([true, false]);
    proc.emit('SIGTERM');
    expect(s.hurry.aborted).toBe(true);
    proc.emit('SIGINT');
    expect(exits).toEqual(['SIGINT']);
    s.dispose();
    proc.emit('SIGHUP');
    expect(reloads).toBe(2);
  });
});

describe('controlLevels', () => {
  it('a level change reaches child loggers made before and after it, at any depth', () => {
    const lines: { level: number; component?: string }[] = [];
    const destination = new Writable({ write(c, _e, cb) { lines.push(JSON.parse(String(c))); cb(); } });
    const root = createLogger({ destination, level: 'info' });
    const levels = controlLevels(root);
    const envoy = root.child({ component: 'envoy' });
    const admin = envoy.child({ sub: 'admin' });
    envoy.debug('hidden');
    levels.setLevel('debug');
    const late = root.child({ component: 'xds' });
    envoy.debug('shown');
    admin.debug('shown');
    late.debug('shown');
    expect(lines.map((l) => l.component)).toEqual(['envoy', 'envoy', 'xds']);
    levels.setLevel('error');
    envoy.warn('hidden');
    expect(lines).toHaveLength(3);
  });
});
