import { describe, expect, it } from 'vitest';
import { parseProbe } from '../../../src/health/probe-spec.js';

describe('readinessProbe from mesh.yaml', () => {
  it('applies pilot-agent defaults', () => {
    const { spec, problems } = parseProbe({ httpGet: { port: 8080 } });
    expect(problems).toEqual([]);
    expect(spec).toEqual({
      action: { kind: 'http', path: '/', port: 8080, scheme: 'http', headers: [] },
      initialDelay: 0, timeout: 1000, period: 10_000, successThreshold: 1, failureThreshold: 1,
    });
  });

  it('reads every kind', () => {
    expect(parseProbe({ tcpSocket: { port: 22, host: 'h' } }).spec?.action).toEqual({ kind: 'tcp', port: 22, host: 'h' });
    expect(parseProbe({ exec: { command: ['/bin/true'] } }).spec?.action).toEqual({ kind: 'exec', command: ['/bin/true'] });
    expect(parseProbe({ grpc: { port: 9, service: 's' } }).spec?.action).toEqual({ kind: 'grpc', port: 9, service: 's' });
    expect(parseProbe({ httpGet: { port: 1, scheme: 'HTTPS', httpHeaders: [{ name: 'Host', value: 'x' }] } }).spec?.action)
      .toMatchObject({ scheme: 'https', headers: [{ name: 'Host', value: 'x' }] });
  });

  it('sends a relative path from the root, as pilot-agent does', () => {
    expect(parseProbe({ httpGet: { port: 1, path: 'healthz' } }).spec?.action).toMatchObject({ path: '/healthz' });
  });

  it('means no health reports when absent', () => {
    expect(parseProbe(undefined)).toEqual({ problems: [] });
  });

  it.each([
    [{}, /exactly one of/],
    [{ httpGet: { port: 1 }, tcpSocket: { port: 1 } }, /exactly one of/],
    [{ httpGet: { path: '/x' } }, /httpGet.port.*required/],
    [{ tcpSocket: { port: 70000 } }, /tcpSocket.port/],
    [{ exec: { command: [] } }, /exec.command/],
    [{ httpGet: { port: 1 }, periodSeconds: 0 }, /periodSeconds/],
    [{ httpGet: { port: 1, scheme: 'ftp' } }, /scheme/],
    [{ httpGet: { port: 1, httpHeaders: [{ name: 'Bad Name', value: 'x' }] } }, /httpHeaders\[0\]\.name/],
    [{ httpGet: { port: 1, httpHeaders: [{ name: 'X', value: 'a\r\nInjected: 1' }] } }, /httpHeaders\[0\]\.value: contains a line break/],
    [{ httpGet: { port: 1, path: '/a b' } }, /httpGet.path.*space/],
  ])('rejects %j', (raw, why) => {
    const r = parseProbe(raw);
    expect(r.spec).toBeUndefined();
    expect(r.problems.join('\n')).toMatch(why);
  });
});
