import { describe, expect, it } from 'vitest';
import { Reloader, keyMatches } from '../../../src/lifecycle/index.js';
import { diffConfig } from '../../../src/config/diff.js';
import type { Config } from '../../../src/config/schema.js';
import { silentLogger } from '../../../src/log.js';
import { testConfig } from '../../helpers/test-config.js';

const logger = silentLogger();

function reloaderWith(next: () => Config, events: string[] = []) {
  return new Reloader({
    logger,
    initial: testConfig(),
    load: next,
    diff: diffConfig,
    onBegin: () => events.push('begin'),
    onEnd: (r) => events.push(`end ok=${r.ok}`),
  });
}

describe('SIGHUP reload', () => {
  it.each([
    ['general.logLevel', true], ['general.*', true], ['general.logLevelX', false], ['health.*', false],
  ])('pattern %s matches general.logLevel: %s', (pattern, expected) => {
    expect(keyMatches(pattern, 'general.logLevel')).toBe(expected);
  });

  it('applies a live key through its handler and reports a key nobody handles as restart-needed', async () => {
    const events: string[] = [];
    const next = testConfig({ general: { logLevel: 'debug', statusPort: 15099 } });
    const r = reloaderWith(() => next, events);
    const applied: string[] = [];
    r.register({ name: 'logging', keys: ['general.logLevel'], reload: (cfg) => { applied.push(String(cfg.general.logLevel)); return 'applied'; } });
    const report = await r.reload();
    expect(report.ok).toBe(true);
    expect(Object.fromEntries(report.changes.map((c) => [c.key, c.outcome]))).toEqual({
      'general.statusPort': 'restart-needed',
      'general.logLevel': 'applied',
    });
    expect(report.changes.find((c) => c.key === 'general.logLevel')).toMatchObject({ before: 'info', after: 'debug', by: ['logging'] });
    expect(applied).toEqual(['debug']);
    expect(events).toEqual(['begin', 'end ok=true']);
    expect(r.current).toBe(next);
  }, 5000);

  it('a handler that declines or throws leaves the key needing a restart or failed', async () => {
    const next = testConfig({ general: { logLevel: 'warn' } });
    const declines = reloaderWith(() => next);
    declines.register({ name: 'x', keys: ['general.*'], reload: () => 'restart-needed' });
    expect((await declines.reload()).changes).toMatchObject([{ key: 'general.logLevel', outcome: 'restart-needed' }]);

    const throws = reloaderWith(() => next);
    throws.register({ name: 'y', keys: ['general.logLevel'], reload: () => { throw new Error('nope'); } });
    expect((await throws.reload()).changes).toMatchObject([{ key: 'general.logLevel', outcome: 'failed' }]);
  }, 5000);

  it('a field that is not live is never offered to a handler', async () => {
    const r = reloaderWith(() => testConfig({ general: { statusPort: 15111 } }));
    let called = false;
    r.register({ name: 'greedy', keys: ['general.*'], reload: () => { called = true; return 'applied'; } });
    expect((await r.reload()).changes).toMatchObject([{ key: 'general.statusPort', outcome: 'restart-needed' }]);
    expect(called).toBe(false);
  }, 5000);

  it('an invalid new configuration is refused and the running one stays', async () => {
    const events: string[] = [];
    const r = reloaderWith(() => { throw new Error('config.yaml:3: general.statusPort: 99999 is out of range'); }, events);
    const before = r.current;
    const report = await r.reload();
    expect(report).toMatchObject({ ok: false, error: expect.stringContaining('out of range') });
    expect(r.current).toBe(before);
    expect(events).toEqual(['begin', 'end ok=false']);
  }, 5000);

  it('nothing changed says so', async () => {
    const r = reloaderWith(() => testConfig());
    expect(await r.reload()).toEqual({ ok: true, changes: [] });
  }, 5000);
});
