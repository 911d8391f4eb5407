// Chaos scenario 6c: the system clock jumping forward past the renewal time, as an NTP step after a
// resume would. vmlet's real-time clock is moved with libfaketime (LD_PRELOAD; only
// CLOCK_REALTIME moves, FAKETIME_DONT_FAKE_MONOTONIC=1, so Node's timers run on as before), by
// rewriting the offset in its timestamp file from "+0" to "+40m". The certificate lives 60 min,
// renewed at half-life: without the stepped wait (src/identity/renewal-timing.ts) vmlet would
// sleep until the real half-life, 30 min away. vmlet must log the jump, renew (a CSR to the real
// istiod: a new serial on disk) while staying READY, and converge; then the clock is stepped back,
// which it logs without renewing again. Needs the Debian package `faketime`: locally the scenario
// skips loudly without it, under CI=true it fails.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './harness.js';
import { controlPlaneState, openScene, type Scene } from './scene.js';

const LIBFAKETIME = ['x86_64-linux-gnu', 'aarch64-linux-gnu'].map((d) => `/usr/lib/${d}/faketime/libfaketime.so.1`).find((p) => existsSync(p));
const JUMP_MIN = 40;
const TTL_MIN = 60;
/** RENEWAL_STEP_MS (30 s) + libfaketime's cache of the offset (1 s) + the CSR, with room for a loaded machine. */
const RENEW_BOUND_MS = 60_000;

if (!LIBFAKETIME) {
  const why = 'chaos 6c (clock jump) needs libfaketime: apt-get install faketime';
  if (process.env.CI === 'true') {
    describe('chaos 6c: clock jump', () => { it('has libfaketime', () => { throw new Error(`${why} (.ci/run installs it)`); }); });
  } else console.warn(`\n*** SKIPPED: ${why} ***\n`);
}

describe.skipIf(!controlPlaneState() || !LIBFAKETIME)('chaos 6c: the system clock jumps forward past the renewal time', () => {
  let s: Scene;
  let offsetFile = '';
  beforeAll(async () => {
    s = await openScene('clock', { link: 24, set: ['--set', `identity.certTtl=${TTL_MIN}m`] });
    offsetFile = join(s.vm.o.home, 'faketime-offset');
    writeFileSync(offsetFile, '+0\n');
    // libfaketime re-reads the offset file at most once a second (its cache); monotonic time is real.
    s.vm.start({ LD_PRELOAD: LIBFAKETIME!, FAKETIME_DONT_FAKE_MONOTONIC: '1', FAKETIME_CACHE_DURATION: '1', FAKETIME_TIMESTAMP_FILE: offsetFile });
    await s.conv.converged('first start');
  });
  afterAll(async () => {
    await s?.close();
  });

  const leaf = () => new X509Certificate(readFileSync(join(s.vm.identityDir, 'cert-chain.pem')));

  it(`6c: +${JUMP_MIN} min on a ${TTL_MIN} min certificate: vmlet says so, renews with istiod within one step while READY, converges; the step back is logged, no second renewal`, async () => {
    const { vm, conv } = s;
    const before = leaf();
    const lifeLeftMin = (Date.parse(before.validTo) - Date.now()) / 60_000;
    expect(lifeLeftMin).toBeGreaterThan(JUMP_MIN); // the jump passes the renewal time, not NotAfter
    expect(vm.run!.lines.filter((l) => /system clock moved/.test(l.msg ?? ''))).toEqual([]);
    const jumped = vm.nextLine(/^the system clock moved forward by \d+ s/, RENEW_BOUND_MS);
    const renewed = vm.nextLine(/^identity renewed/, RENEW_BOUND_MS);
    // Awaited after the look below, which fails first (and says why) when nothing renews.
    for (const p of [jumped, renewed]) p.catch(() => undefined);
    const t0 = Date.now();
    writeFileSync(offsetFile, `+${JUMP_MIN}m\n`);
    // READY at every look from the jump until the renewed certificate is on disk.
    let looks = 0;
    const after = await until(async () => {
      looks += 1;
      const r = await vm.statusGet('/healthz/ready');
      if (r.status !== 200) throw new Error(`not READY after the clock jump: ${r.status} ${r.body.trim()}`);
      const now = leaf();
      return now.serialNumber !== before.serialNumber ? now : undefined;
    }, RENEW_BOUND_MS, 'a renewed certificate on disk after the clock jump', 250);
    const renewMs = Date.now() - t0;
    const line = await jumped;
    await renewed;
    const identity = await vm.component('identity');
    const metrics = (await vm.statusGet('/metrics')).body.split('\n').filter((l) => l.startsWith('vmlet_clock_jumps_total'));
    const convMs = await conv.converged('after the clock jump');

    // The step back (the offset file to +0): logged and counted, the renewal stays where the new certificate put it.
    const back = vm.nextLine(/^the system clock moved backward by \d+ s/, RENEW_BOUND_MS);
    writeFileSync(offsetFile, '+0\n');
    const backLine = await back;
    const renewals = vm.run!.lines.filter((l) => /^identity renewed/.test(l.msg ?? '')).length;
    const backConvMs = await conv.converged('after the clock stepped back');
    console.log(`chaos result: 6c clock +${JUMP_MIN} min (libfaketime, ${TTL_MIN} min certificate): jump logged ("${line.msg}"), certificate renewed by istiod after ${renewMs} ms (serial ${before.serialNumber.slice(0, 8)}… -> ${after.serialNumber.slice(0, 8)}…), READY at all ${looks} looks, converged (check ${convMs} ms); status: "${identity?.detail}"; ${metrics.join(', ')}; step back: "${backLine.msg}", renewals ${renewals}, converged (check ${backConvMs} ms)`);
    expect(Number(line['seconds'])).toBeGreaterThanOrEqual(JUMP_MIN * 60 - 5);
    expect(line.msg).toMatch(/renewal time has passed by the new time: renewing now/);
    expect(renewMs).toBeLessThanOrEqual(RENEW_BOUND_MS);
    expect(identity?.detail).toMatch(new RegExp(`system clock moved forward ${JUMP_MIN}m at `));
    expect(metrics).toContain('vmlet_clock_jumps_total{direction="forward"} 1');
    expect(backLine.msg).toMatch(/renewal stays due in/);
    expect(renewals).toBe(1);
  });
});
