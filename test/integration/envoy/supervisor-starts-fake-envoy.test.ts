import { afterEach, describe, expect, it } from 'vitest';
import { isRoot, requireOrSkip } from '../../helpers/env.js';
import { waitFor } from '../../helpers/wait-for.js';
import { sidecarHarness, type Harness } from './sidecar-harness.js';

/** The sidecar's drain outcome log line (`drain: waited|hurried|zero-connections|...`). */
const drainOutcome = (x: Harness): unknown => x.logLines.find((l) => typeof l.outcome === 'string' && l.msg === `drain: ${l.outcome}`)?.outcome;

describe('Envoy supervisor with the fake Envoy', { timeout: 30_000 }, () => {
  let h: Harness | undefined;
  afterEach(async () => { await h?.cleanup(); h = undefined; });

  it('starts Envoy with Istio\'s exact arguments, in its own process group, logs under component envoy, becomes ready after SDS', async () => {
    h = await sidecarHarness({ envoy: { concurrency: 2, logLevel: 'info' } });
    h.start();
    await waitFor(() => h!.sidecar.readiness.ready(), { what: 'envoy ready', timeoutMs: 10_000 });
    const start = h.records().find((r) => r.event === 'start')!;
    const bootstrapPath = h.tmp.join('proxy', 'envoy-rev.json');
    expect(start.argv).toEqual([
      '-c', bootstrapPath, '--drain-time-s', '45', '--drain-strategy', 'immediate', '--local-address-ip-version', 'v4',
      '--file-flush-interval-msec', '1000', '--disable-hot-restart', '--allow-unknown-static-fields', '-l', 'info',
      '--skip-deprecated-logs', '--concurrency', '2',
    ]);
    expect(start.pgid).toBe(start.pid);
    expect(start.pgid).not.toBe(process.pid);
    expect(h.records().find((r) => r.event === 'sds')).toMatchObject({ ok: true });
    expect(h.center.gates.list().find((g) => g.name === 'envoy')).toMatchObject({ passed: true });
    expect(h.sidecar.states.state).toBe('running');
    const envoyLine = h.logLines.find((l) => l.msg === 'fake envoy warning line');
    expect(envoyLine).toMatchObject({ component: 'envoy', level: 40, envoyComponent: 'config', stream: 'stderr' });
    // The version check runs `envoy --version` after the start, beside readiness: its line is an event of its own.
    await waitFor(() => h!.logLines.some((l) => l.component === 'envoy' && String(l.msg).includes('1.24.2')), { what: 'the envoy --version log line' });
    const pidFile = (await import('node:fs')).readFileSync(h.tmp.join('run', 'envoy.pid'), 'utf8').trim();
    expect(Number(pidFile)).toBe(start.pid);
    // A rotation reaches the running Envoy over SDS.
    const defaults = () => h!.records().filter((r) => r.event === 'sds-secret' && r.name === 'default').length;
    const before = defaults();
    h.identity.set(h.pki);
    await waitFor(() => defaults() === before + 1, { what: 'rotated certificate at the fake Envoy' });
  });

  it('omits --concurrency when it is 0 and warns when envoy --version does not match ISTIO_VERSION', async () => {
    h = await sidecarHarness({ env: { FAKE_ENVOY_VERSION: '1.19.0' } });
    h.start();
    await waitFor(() => h!.records().some((r) => r.event === 'start'));
    expect(h.records().find((r) => r.event === 'start')!.argv).not.toContain('--concurrency');
    await waitFor(() => h!.logLines.find((l) => l.code === 'VMLET_ENVOY_VERSION_MISMATCH'), { what: 'version warning' });
  });

  const root = requireOrSkip(isRoot(), 'running Envoy as another user needs root');
  it.skipIf(!root)('runs Envoy as the configured user and group', async () => {
    h = await sidecarHarness({ credentials: { uid: 65534, gid: 65534 } });
    h.start();
    await waitFor(() => h!.records().some((r) => r.event === 'start'));
    expect(h.records().find((r) => r.event === 'start')).toMatchObject({ uid: 65534, gid: 65534 });
    await waitFor(() => h!.sidecar.readiness.ready(), { what: 'ready as nobody (SDS socket reachable)', timeoutMs: 10_000 });
  });

  it('drains in Istio\'s order: healthcheck/fail, drain_listeners, wait drainGrace, then SIGTERM', async () => {
    h = await sidecarHarness({ general: { drainGrace: '600ms' } });
    h.start();
    await waitFor(() => h!.sidecar.readiness.ready(), { timeoutMs: 10_000 });
    const before = h.records().length;
    h.stop();
    const result = await h.result();
    expect(result).toMatchObject({ outcome: 'stopped' });
    const after = h.records().slice(before).filter((r) => r.event === 'signal' || (r.event === 'admin' && r.method === 'POST'));
    expect(after.map((r) => (r.event === 'signal' ? r.signal : r.path))).toEqual(['/healthcheck/fail', '/drain_listeners?inboundonly&graceful', 'SIGTERM']);
    // The wait between drain_listeners and SIGTERM ran to its end: drainGrace asked for, 'waited'
    // (neither hurried nor cut short by Envoy's exit).
    expect(h.logLines.some((l) => l.drainGraceMs === 600)).toBe(true);
    expect(drainOutcome(h)).toBe('waited');
    expect(h.sidecar.states.state).toBe('exited');
  });

  it('a second signal skips the drain wait', async () => {
    h = await sidecarHarness({ general: { drainGrace: '8s', shutdownTimeout: '20s' } });
    h.start();
    await waitFor(() => h!.sidecar.readiness.ready(), { timeoutMs: 10_000 });
    h.stop();
    await waitFor(() => h!.records().some((r) => r.event === 'admin' && String(r.path).startsWith('/drain_listeners')));
    h.hurry();
    await h.result();
    const term = h.records().find((r) => r.event === 'signal')!;
    expect(term.signal).toBe('SIGTERM');
    // The 8 s wait was cut by the second signal, not run out (the test's 20 s bound would allow it).
    expect(drainOutcome(h)).toBe('hurried');
  });

  it('with exitOnZeroActiveConnections waits until inbound connections reach 0 (not counting 15021)', async () => {
    h = await sidecarHarness({ envoy: { exitOnZeroActiveConnections: true, minimumDrainDuration: '100ms' }, general: { drainGrace: '300ms' }, env: { FAKE_ENVOY_ACTIVE_CX: '5' } });
    h.start();
    await waitFor(() => h!.sidecar.readiness.ready(), { timeoutMs: 10_000 });
    h.stop();
    await h.result();
    const recs = h.records();
    const drained = recs.find((r) => r.event === 'admin' && String(r.path).startsWith('/drain_listeners'))!;
    const term = recs.find((r) => r.event === 'signal')!;
    // SIGTERM only once the fake's inbound connections had closed, and vmlet saw them reach 0.
    expect(recs.indexOf(term)).toBeGreaterThan(recs.indexOf(drained));
    expect(term.active).toBe(0);
    expect(drainOutcome(h)).toBe('zero-connections');
    expect(recs.filter((r) => r.event === 'admin' && String(r.path).includes('downstream_cx_active')).length).toBeGreaterThanOrEqual(1);
  });

  it('an Envoy that ignores SIGTERM gets SIGKILL after killTimeout', async () => {
    h = await sidecarHarness({ env: { FAKE_ENVOY_IGNORE_SIGTERM: '1' }, envoy: { killTimeout: '500ms' }, general: { drainGrace: '100ms' } });
    h.start();
    await waitFor(() => h!.sidecar.readiness.ready(), { timeoutMs: 10_000 });
    const pid = h.sidecar.process.pid!;
    h.stop();
    await h.result();
    expect(h.records().filter((r) => r.event === 'signal').map((r) => r.signal)).toEqual(['SIGTERM']);
    expect(h.records().some((r) => r.event === 'exit')).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(h.logLines.some((l) => String(l.msg).includes('sending SIGKILL'))).toBe(true);
  });
});

describe('Envoy binary missing', { timeout: 20_000 }, () => {
  it('at start ends the run with VMLET_ENVOY_START_FAILED naming the path (vmlet exits; systemd restarts it), not a silent exit', async () => {
    const x = await sidecarHarness({ envoy: { binaryPath: '/nonexistent/vmlet-test/envoy' } });
    try {
      x.start();
      const result = await x.result();
      expect(result.outcome).toBe('failed');
      const cause = (result as { error: { cause: { code: string; message: string } } }).error.cause;
      expect(cause.code).toBe('VMLET_ENVOY_START_FAILED');
      expect(cause.message).toMatch(/cannot start Envoy \/nonexistent\/vmlet-test\/envoy: .*check envoy\.binaryPath/);
      expect(x.center.gates.list().find((g) => g.name === 'envoy')!.passed).toBe(false);
    } finally {
      await x.cleanup();
    }
  });
});
