// The FAKE Envoy NACKs every listener (FAKE_ENVOY_NACK=listener) that the istiod simulator (a
// TEST DOUBLE) pushes: `vmlet proxy-status` shows LDS NACKED with Envoy's error_detail while CDS
// and EDS are SYNCED, `vmlet status` carries the warning (readiness untouched by it), the metric
// counts the NACK and the log has a line with the detail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeVm, type FakeVm } from '../../helpers/vm-with-fake-envoy.js';
import { httpGet } from '../../helpers/vmlet-process.js';
import { waitFor } from '../../helpers/wait-for.js';
import { sampleXdsConfig } from '../../sim/xds-config.js';
import { EXPLANATIONS } from '../../../src/doctor/explain.js';

const DETAIL = 'Error adding/updating listener(s) 0.0.0.0_80: FAKE Envoy rejects every listener (FAKE_ENVOY_NACK)';

describe('vmlet proxy-status with a listener Envoy rejects', { timeout: 60_000 }, () => {
  let vm: FakeVm;
  beforeAll(async () => {
    vm = await startFakeVm({ name: 'nack', config: sampleXdsConfig(), env: { FAKE_ENVOY_NACK: 'listener' } });
  }, 30_000);
  afterAll(async () => { await vm?.stop(); });

  it('shows LDS NACKED with the detail, CDS and EDS SYNCED, and exits 1', async () => {
    const view = await waitFor(async () => {
      const r = await vm.cli('proxy-status', '--json');
      const v = r.code === null || r.stdout === '' ? undefined : JSON.parse(r.stdout) as { types: { short: string; state: string; answer?: { error?: string } }[] };
      return v?.types.find((t) => t.short === 'LDS')?.state === 'NACKED' && v.types.find((t) => t.short === 'EDS')?.state === 'SYNCED' ? v : undefined;
    }, { timeoutMs: 30_000, intervalMs: 300, what: `LDS NACKED (vmlet stderr: ${vm.vmlet.stderr.slice(-300)})` });
    const byType = Object.fromEntries(view.types.map((t) => [t.short, t]));
    expect(byType['CDS']?.state).toBe('SYNCED');
    expect(byType['LDS']?.answer?.error).toBe(DETAIL);
    expect(byType['RDS']).toBeUndefined(); // no listener accepted, so no route names to ask for

    const text = await vm.cli('proxy-status');
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^LDS\s+NACKED \(/m);
    expect(text.stdout).toMatch(/^CDS\s+SYNCED \(/m);
    expect(text.stdout).toContain(`LDS NACKED: ${DETAIL}`);
  });

  it('status has the warning, the metric counts it, the log says it', async () => {
    const status = JSON.parse((await httpGet(vm.statusPort, '/status')).body) as { components: { name: string; state: string; detail: string }[] };
    const warning = status.components.find((c) => c.name === 'xds-config');
    expect(warning?.state).toBe('degraded');
    expect(warning?.detail).toContain(DETAIL);
    // The envoy gate's reason comes from Envoy's admin stats, polled: wait until it has seen the
    // rejection (the NACK itself reached the proxy earlier, in the previous test).
    const text = await waitFor(async () => {
      const r = await vm.cli('status');
      return r.stdout.includes('✗ envoy: Envoy received config from istiod but rejected it') ? r : undefined;
    }, { timeoutMs: 30_000, intervalMs: 300, what: 'status naming the envoy gate\'s rejection' });
    expect(text.stdout).toMatch(/xds-config\s+degraded\s+Envoy rejected LDS/);
    // No listener accepted: Envoy is not ready, and status says why in doctor's words.
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('✗ envoy: Envoy received config from istiod but rejected it');
    expect(text.stdout).toContain(`      cause: ${EXPLANATIONS.GATE_ENVOY.cause}\n      fix:   ${EXPLANATIONS.GATE_ENVOY.fix}`);
    const metrics = (await httpGet(vm.statusPort, '/metrics')).body;
    expect(Number(/^vmlet_xds_nacks_total\{type="LDS"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    expect(metrics).not.toMatch(/vmlet_xds_nacks_total\{type="CDS"\}/);
    const line = vm.vmlet.logs.find((l) => l['msg'] === `Envoy rejected LDS (NACK): ${DETAIL}`);
    expect(line).toMatchObject({ level: 40, type: 'LDS', detail: DETAIL });
  });

  it('proxy-config listeners shows the rejected listener with its error', async () => {
    const r = await vm.cli('proxy-config', 'listeners');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^0\.0\.0\.0_80\s+0\.0\.0\.0\s+80\s+OUTBOUND\s+Route: 80\s+REJECTED$/m);
    expect(r.stdout).toContain(`0.0.0.0_80 REJECTED: ${DETAIL}`);
  });
});
