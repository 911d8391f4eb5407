import { describe, expect, it } from 'vitest';
import { activeDownstreamConnections, parseStats } from '../../../src/envoy/admin-client.js';
import { envoyArgs } from '../../../src/envoy/args.js';
import { parseEnvoyLine } from '../../../src/envoy/log-lines.js';
import { isOurEnvoy } from '../../../src/envoy/orphan.js';
import { EnvoyStateMachine } from '../../../src/envoy/states.js';
import { silentLogger } from '../../../src/log.js';

const base = { bootstrapPath: '/etc/istio/proxy/envoy-rev.json', drainTime: 45_000, ipv6Only: false, fileFlushInterval: 1000, logLevel: 'warning', componentLogLevel: '', concurrency: 0 };

describe('envoy command line', () => {
  it('is pilot-agent\'s, in its order', () => {
    expect(envoyArgs(base)).toEqual([
      '-c', '/etc/istio/proxy/envoy-rev.json', '--drain-time-s', '45', '--drain-strategy', 'immediate', '--local-address-ip-version', 'v4',
      '--file-flush-interval-msec', '1000', '--disable-hot-restart', '--allow-unknown-static-fields', '-l', 'warning', '--skip-deprecated-logs',
    ]);
  });
  it.each([
    [{ concurrency: 2 }, ['--concurrency', '2'], true],
    [{ concurrency: 0 }, ['--concurrency'], false],
    [{ ipv6Only: true }, ['--local-address-ip-version', 'v6'], true],
    [{ componentLogLevel: 'misc:error' }, ['--component-log-level', 'misc:error'], true],
    [{ drainTime: 10_400 }, ['--drain-time-s', '10'], true],
  ])('%j → contains %j: %s', (over, part, present) => {
    const args = envoyArgs({ ...base, ...over }).join(' ');
    expect(args.includes(part.join(' '))).toBe(present);
  });
});

describe('envoy states', () => {
  it('allows starting → running → draining → stopping → exited → starting and refuses the rest', () => {
    const s = new EnvoyStateMachine(silentLogger());
    expect(s.transitionTo('running')).toBe(false);
    for (const to of ['starting', 'running', 'draining', 'stopping', 'exited', 'starting'] as const) expect(s.transitionTo(to)).toBe(true);
    expect(s.transitionTo('draining')).toBe(false);
    expect(s.state).toBe('starting');
    s.transitionTo('running');
    s.transitionTo('draining');
    expect(s.transitionTo('running')).toBe(false);
  });
});

describe('parsers', () => {
  it('reads Envoy stats and counts inbound connections as Istio does', () => {
    const stats = parseStats([
      'cluster_manager.cds.update_success: 3',
      'server.state: 0',
      'listener.0.0.0.0_15006.downstream_cx_active: 4',
      'listener.10.0.0.5_8080.downstream_cx_active: 2',
      'listener.0.0.0.0_15021.downstream_cx_active: 1',
      'listener.0.0.0.0_15090.downstream_cx_active: 1',
      'listener.admin.downstream_cx_active: 1',
      'listener.0.0.0.0_15006.worker_0.downstream_cx_active: 4',
      'listener.envoy_internal_x.downstream_cx_active: 9',
      'server.version: abc',
    ].join('\n'));
    expect(stats.get('cluster_manager.cds.update_success')).toBe(3);
    expect(stats.has('server.version')).toBe(false);
    expect(activeDownstreamConnections(stats, [15021, 15090])).toBe(6);
  });

  it('maps Envoy log lines to levels', () => {
    expect(parseEnvoyLine('[2026-01-01 00:00:00.000][7][warning][config] [source/x.cc:1] boom')).toEqual({ level: 'warn', envoyComponent: 'config', msg: '[source/x.cc:1] boom' });
    expect(parseEnvoyLine('[2026-01-01 00:00:00.000][7][critical][main] dead').level).toBe('fatal');
    expect(parseEnvoyLine('plain text')).toEqual({ level: 'info', msg: 'plain text' });
  });

  it('recognises vmlet\'s Envoy by binary and bootstrap only', () => {
    const b = '/etc/istio/proxy/envoy-rev.json';
    expect(isOurEnvoy(['/usr/local/bin/envoy', '-c', b, '--drain-time-s', '45'], '/usr/local/bin/envoy', b)).toBe(true);
    expect(isOurEnvoy(['/usr/bin/node', '/x/fake-envoy.mjs', '-c', b], '/x/fake-envoy.mjs', b)).toBe(true);
    expect(isOurEnvoy(['/usr/local/bin/envoy', '-c', '/other.json'], '/usr/local/bin/envoy', b)).toBe(false);
    expect(isOurEnvoy(['sleep', '30'], '/usr/local/bin/envoy', b)).toBe(false);
  });

});

describe('envoy user', () => {
  it('keeps vmlet\'s own user when runAsUser is empty or already vmlet\'s; refuses to switch without root', async () => {
    const { envoyCredentials } = await import('../../../src/envoy/user.js');
    expect(envoyCredentials('')).toBeUndefined();
    expect(envoyCredentials('root', { uid: 0, gid: 0 })).toBeUndefined();
    expect(envoyCredentials('nobody', { uid: 0, gid: 0 })).toEqual({ uid: 65534, gid: 65534 });
    expect(() => envoyCredentials('nobody', { uid: 1000, gid: 1000 })).toThrow(expect.objectContaining({ code: 'VMLET_ENVOY_USER_SWITCH' }));
    expect(() => envoyCredentials('no-such-user-vmlet')).toThrow(expect.objectContaining({ code: 'VMLET_ENVOY_USER_UNKNOWN' }));
  });
});

describe('the Envoy PID file', () => {
  it('is written even when the run directory does not exist yet (not made by systemd), so a leftover Envoy can be found', async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { writePidFile } = await import('../../../src/envoy/orphan.js');
    const dir = mkdtempSync(join(tmpdir(), 'pidfile-'));
    try {
      await writePidFile(join(dir, 'run', 'envoy.pid'), 4242);
      expect(readFileSync(join(dir, 'run', 'envoy.pid'), 'utf8')).toBe('4242\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
