// The health capability (src/health/index.ts) as main.ts mounts it: the probe from mesh.yaml, its
// transitions handed to the sink (the xDS proxy's setHealth) with the gate, status line and metric,
// and the first two stop stages (report unhealthy, wait for istiod) in that order.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../../../src/config/index.js';
import type { Deps } from '../../../src/deps.js';
import { createHealth, type HealthState } from '../../../src/health/index.js';
import type { HealthChecker } from '../../../src/health/checker.js';
import { silentLogger } from '../../../src/log.js';
import { MetricsRegistry, StatusCenter } from '../../../src/status/index.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { ISTIO_FIXTURE } from '../../helpers/test-config.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';

const tmp = makeTmpDir('health-cap');
afterAll(() => tmp.cleanup());

/** Deps whose mesh.yaml carries `probe` (YAML lines under readinessProbe), or none. */
function depsWith(probe: string | undefined, name: string): { deps: Deps; center: StatusCenter; metrics: MetricsRegistry; clock: FakeClock } {
  const dir = tmp.join(name);
  cpSync(ISTIO_FIXTURE, dir, { recursive: true });
  const mesh = readFileSync(join(dir, 'mesh.yaml'), 'utf8').replace(/  readinessProbe:\n(    .*\n)+/, '');
  writeFileSync(join(dir, 'mesh.yaml'), probe === undefined ? mesh : `${mesh}  readinessProbe:\n${probe}`);
  const config = loadConfigOrThrow({ flags: { 'health.propagationDelay': '1500ms' }, env: {}, istioDir: dir, configPath: join(import.meta.dirname, '..', '..', 'helpers', 'empty-config.yaml') }).config;
  const center = new StatusCenter();
  const metrics = new MetricsRegistry();
  const clock = new FakeClock();
  return { deps: { config, logger: silentLogger(), clock, gates: center.gates, status: center, events: center.events, metrics }, center, metrics, clock };
}

describe('createHealth', () => {
  it('hands each transition to the sink and passes the health gate; Envoy not ready comes first', async () => {
    const { deps, center, metrics } = depsWith('    exec:\n      command: ["true"]\n', 'exec');
    const sent: HealthState[] = [];
    let envoyReady = false;
    const health = createHealth(deps, {
      sink: { setHealth: (s) => sent.push(s) },
      instanceIps: ['10.0.0.7'],
      envoy: { ready: () => envoyReady, subscribe: () => () => undefined },
    });
    const checker = health.components?.[0] as HealthChecker;
    expect(checker.name).toBe('health');
    const gate = () => center.snapshot().gates.find((g) => g.name === 'health');
    expect(gate()).toMatchObject({ passed: false });
    await checker.checkOnce();
    expect(sent).toEqual([{ healthy: false, message: 'Envoy is not ready: Envoy has not received its configuration yet' }]);
    expect(gate()).toMatchObject({ passed: true });
    envoyReady = true;
    await checker.checkOnce();
    expect(sent.at(-1)).toEqual({ healthy: true });
    expect(metrics.render()).toMatch(/^vmlet_health_healthy 1$/m);
    expect(center.snapshot().components).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'health', state: 'ok' })]));
  });

  it('on stop reports unhealthy, then waits health.propagationDelay, in the first two stages', async () => {
    const { deps, clock } = depsWith('    tcpSocket:\n      port: 9\n', 'stop');
    const sent: HealthState[] = [];
    const health = createHealth(deps, { sink: { setHealth: (s) => sent.push(s) }, instanceIps: [] });
    expect(health.stopHooks?.map((h) => h.stage)).toEqual(['report-unhealthy', 'propagation-delay']);
    await health.stopHooks?.[0]?.run(new AbortController().signal);
    expect(sent).toEqual([{ healthy: false, message: 'vmlet is stopping' }]);
    const waited = health.stopHooks?.[1]?.run(new AbortController().signal);
    expect(clock.sleeps).toEqual([1500]);
    await clock.advance(1500);
    await waited;
  });

  it('without a readinessProbe it runs nothing, registers no gate and sends no report (as Istio)', () => {
    const { deps, center } = depsWith(undefined, 'none');
    const sent: HealthState[] = [];
    const health = createHealth(deps, { sink: { setHealth: (s) => sent.push(s) }, instanceIps: ['10.0.0.7'] });
    expect(health.components ?? []).toEqual([]);
    expect(health.stopHooks ?? []).toEqual([]);
    expect(center.snapshot().gates).toEqual([]);
    expect(sent).toEqual([]);
  });

  it('a probe that does not parse fails with VMLET_HEALTH_PROBE_INVALID naming mesh.yaml', () => {
    const { deps } = depsWith('    tcpSocket:\n      port: 70000\n', 'bad');
    expect(() => createHealth(deps, { sink: { setHealth: () => undefined }, instanceIps: [] }))
      .toThrow(expect.objectContaining({ code: 'VMLET_HEALTH_PROBE_INVALID', message: expect.stringContaining('mesh.yaml: defaultConfig.readinessProbe.tcpSocket.port') }));
  });
});
