// Chaos scenario 6: Envoy crash-looping (the FAKE Envoy's crash mode: it exits with 139 shortly
// after each of its first starts), and the token file replaced with garbage while vmlet runs (and
// across a restart). Each ends in the shared convergence check (converge.ts). The clock jump
// (6c) is in clock-jump.test.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './harness.js';
import { controlPlaneState, openScene, type Scene } from './scene.js';

const CRASHES = 3;

describe.skipIf(!controlPlaneState())('chaos 6: Envoy crash-looping, garbage token', () => {
  let s: Scene;
  let token = '';
  beforeAll(async () => {
    s = await openScene('envoy', { link: 23, set: ['--set', 'identity.certTtl=60s', '--set', 'identity.renewRatio=0.9'] });
    token = readFileSync(join(s.w.dir, 'istio-token'), 'utf8');
    s.vm.start();
    await s.conv.converged('first start');
  });
  afterAll(async () => {
    if (s && token) writeFileSync(join(s.w.dir, 'istio-token'), token);
    await s?.close();
  });

  it(`6a: Envoy crashing right after each of ${CRASHES} starts: status shows it, vmlet restarts it, and converges once it stays up`, async () => {
    const { vm, conv } = s;
    await vm.kill9();
    const t0 = Date.now();
    vm.start({ FAKE_ENVOY_CRASH_AFTER_MS: '300', FAKE_ENVOY_CRASHES: String(CRASHES), FAKE_ENVOY_CRASH_COUNT_FILE: join(vm.o.home, 'crash-count') });
    const shown = await until(async () => { const c = await vm.component('envoy'); return c && c.state !== 'ok' && /exit|crash|restart/i.test(c.detail) ? c : undefined; }, 60_000, 'status to show Envoy\'s crashes', 100);
    const ms = await conv.converged('after the crash loop');
    const exits = vm.run!.lines.filter((l) => l.code === 'VMLET_ENVOY_EXITED' || /Envoy exited unexpectedly/.test(l.msg ?? '')).length;
    const crashes = readFileSync(vm.envoyRecord, 'utf8').split('\n').filter((l) => l.includes('"event":"crash"')).length;
    console.log(`chaos result: 6a Envoy crashed ${crashes} times (vmlet saw ${exits}); status showed "${shown.detail}"; converged ${Date.now() - t0} ms after the start (check ${ms} ms)`);
    expect(crashes).toBe(CRASHES);
    expect(exits).toBe(CRASHES);
  });

  it('6b: the token file replaced with garbage while running: renewals go on over mTLS, a restart needs no token, and it converges', async () => {
    const { vm, conv } = s;
    writeFileSync(join(s.w.dir, 'istio-token'), 'garbage\u0000not-a-jwt\n');
    await vm.nextLine(/^identity renewed/, 30_000);
    await vm.nextLine(/^identity renewed/, 30_000);
    const running = await conv.converged('garbage token, running');
    await vm.kill9();
    vm.start();
    const restarted = await conv.converged('garbage token, restarted');
    const complaints = vm.run!.lines.filter((l) => /token/i.test(l.msg ?? '') && (l.level ?? 0) >= 40).map((l) => l.msg);
    console.log(`chaos result: 6b garbage token: renewed twice while running (converged, check ${running} ms); restarted on its stored certificate and converged in ${restarted} ms; token warnings: ${complaints.length > 0 ? complaints.join(' | ') : 'none'}`);
    expect(JSON.stringify(vm.run!.lines)).not.toContain('not-a-jwt');
  });
});
