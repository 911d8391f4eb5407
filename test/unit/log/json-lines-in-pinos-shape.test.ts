// vmlet's logger (src/log.ts, pino) writes pino's JSON shape, which journald, pino-pretty and
// operators' log pipelines read: numeric level, ISO time, pid, bindings, fields, msg last; `err`
// serialized; secrets censored by path without touching the caller's objects; children share
// the root's level (SIGHUP reload); cycles and BigInt never throw.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';

const LOG_MODULE = join(import.meta.dirname, '..', '..', '..', 'src', 'log.ts');

function capture(level: 'debug' | 'info' = 'info') {
  const lines: string[] = [];
  const sink = new PassThrough();
  sink.setEncoding('utf8').on('data', (d: string) => lines.push(...d.split('\n').filter(Boolean)));
  const logger = createLogger({ level, format: 'json', destination: sink });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('logger', () => {
  it('writes one JSON object per line: level, time, pid, bindings, fields, msg last', () => {
    const { logger, lines } = capture();
    logger.child({ component: 'identity' }).info({ spiffeId: 'spiffe://x' }, 'identity issued');
    expect(lines).toHaveLength(1);
    const o = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(o)).toEqual(['level', 'time', 'pid', 'component', 'spiffeId', 'msg']);
    expect(o).toMatchObject({ level: 30, pid: process.pid, component: 'identity', msg: 'identity issued' });
    expect(new Date(o['time'] as string).toISOString()).toBe(o['time']);
  });

  it('filters by level, and a level set on the root applies to children made before', () => {
    const { logger, parsed } = capture('info');
    const child = logger.child({ component: 'c' });
    child.debug('hidden');
    logger.level = 'debug';
    child.debug('shown');
    expect(child.level).toBe('debug');
    expect(parsed().map((o) => [o['level'], o['msg']])).toEqual([[20, 'shown']]);
    expect(() => { logger.level = 'loud'; }).toThrow(/unknown log level 'loud'/);
  });

  it('serializes err like pino (type, message, stack, own fields, cause); an Error alone gives msg', () => {
    const { logger, parsed } = capture();
    const e = Object.assign(new TypeError('bad', { cause: new Error('root cause') }), { code: 'VMLET_X' });
    logger.error({ err: e }, 'failed');
    logger.warn(e);
    const [a, b] = parsed();
    expect(a!['err']).toMatchObject({ type: 'TypeError', message: 'bad', code: 'VMLET_X', cause: { type: 'Error', message: 'root cause' } });
    expect(String((a!['err'] as { stack: string }).stack)).toContain('TypeError: bad');
    expect(b).toMatchObject({ level: 40, msg: 'bad', err: { type: 'TypeError' } });
  });

  it('censors secret paths at the top and one level down, and leaves the caller\'s object alone', () => {
    const { logger, lines } = capture();
    const fields = { token: 'eyJsecret', headers: { authorization: 'Bearer eyJsecret' }, call: { keyPem: '-----BEGIN PRIVATE KEY-----' }, ok: 'visible' };
    logger.info(fields, 'x');
    logger.child({ metadata: { authorization: 'Bearer eyJsecret' } }).info('y');
    logger.info({ reauthSecret: 'r-secret', bundle: { reauthSecret: 'r-secret' }, attestation: { joinToken: 'j-secret' } }, 'onboarding');
    expect(lines.join('\n')).not.toContain('secret');
    expect(lines.join('\n')).not.toContain('PRIVATE KEY');
    expect(lines[0]).toContain('"ok":"visible"');
    expect(fields.token).toBe('eyJsecret');
    expect(fields.headers.authorization).toBe('Bearer eyJsecret');
  });

  it('survives cycles and BigInt', () => {
    const { logger, parsed } = capture();
    const loop: Record<string, unknown> = { n: 1n };
    loop['self'] = loop;
    logger.info({ loop }, 'cyclic');
    // pino's encoding (safe-stable-stringify): a BigInt as a JSON number, a cycle as "[Circular]".
    expect(parsed()[0]).toMatchObject({ loop: { n: 1 }, msg: 'cyclic' });
    expect(JSON.stringify(parsed()[0])).toContain('"self":"[Circular]"');
  });

  // In a process of its own, whose stdout and stderr are read whole: whatever way a logger writes
  // (process.stdout, a file descriptor, a worker), it shows up there. The default logger in the
  // same script is the control that the capture sees a logger's lines.
  it.each([
    ['silentLogger() writes nothing to stdout or stderr', 'silentLogger()', false],
    ['(control) the default logger writes its lines to stdout', "createLogger({ level: 'trace' })", true],
  ])('%s', { timeout: 20_000 }, (_name, make, writes) => {
    const script = `
      import { createLogger, silentLogger } from ${JSON.stringify(LOG_MODULE)};
      const logger = ${make};
      for (const l of [logger, logger.child({ component: 'x' })]) {
        l.trace('t'); l.debug('d'); l.info({ a: 1 }, 'i'); l.warn('w'); l.error({ err: new Error('e') }, 'e'); l.fatal('f');
      }`;
    const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 15_000 });
    expect(out.status, out.stderr).toBe(0);
    if (writes) expect(out.stdout.split('\n').filter(Boolean)).toHaveLength(12);
    else expect({ stdout: out.stdout, stderr: out.stderr }).toEqual({ stdout: '', stderr: '' });
  });
});
