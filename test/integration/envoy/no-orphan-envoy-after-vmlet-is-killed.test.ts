import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alive, processArgv } from '../../../src/envoy/orphan.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { sharedSetup, sidecarHarness, type Harness } from './sidecar-harness.js';

describe('no orphan Envoy', { timeout: 80_000 }, () => {
  const dir = makeTmpDir('orphan');
  const started: number[] = [];
  let h: Harness | undefined;
  afterAll(async () => {
    await h?.cleanup();
    for (const pid of started) { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }
    dir.cleanup();
  });

  it('an Envoy left by a SIGKILLed vmlet is found through the PID file and stopped by the next vmlet', async () => {
    const shared = await sharedSetup(dir.path);
    // 1. A vmlet starts Envoy and is SIGKILLed: its Envoy (own process group) survives.
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'run-sidecar-child.ts')], {
      env: { ...process.env, VMLET_TEST_SHARED: JSON.stringify(shared) }, stdio: ['ignore', 'pipe', 'inherit'], detached: true,
    });
    started.push(child.pid!);
    let out = '';
    child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
    const orphan = Number(await waitFor(() => /ENVOY_PID (\d+)/.exec(out)?.[1], { timeoutMs: 40_000, what: 'first Envoy' }));
    started.push(orphan);
    process.kill(child.pid!, 'SIGKILL');
    await waitFor(() => !alive(child.pid!), { what: 'stand-in vmlet gone' });
    expect(alive(orphan)).toBe(true);
    expect(processArgv(orphan)!.join(' ')).toContain('fake-envoy.mjs -c');
    expect(readFileSync(join(dir.path, 'run', 'envoy.pid'), 'utf8').trim()).toBe(String(orphan));

    // 2. The next vmlet stops it before starting its own (the ports are the same, so both cannot run).
    // killTimeout generous: the FAKE Envoy exits on SIGTERM at once, but on a loaded machine it
    // may not be scheduled within the harness's 1 s and would be SIGKILLed without its record.
    h = await sidecarHarness({ shared, envoy: { killTimeout: '30s' } });
    h.start();
    await waitFor(() => h!.sidecar.readiness.ready(), { timeoutMs: 40_000, what: 'second Envoy ready' });
    expect(alive(orphan)).toBe(false);
    expect(h.records().some((r) => r.pid === orphan && r.event === 'signal' && r.signal === 'SIGTERM')).toBe(true);
    expect(h.sidecar.process.pid).not.toBe(orphan);
    expect(h.logLines.some((l) => String(l.msg).includes(`left by a previous vmlet is running (pid ${orphan})`))).toBe(true);
  });

  it('an Envoy whose PID never reached envoy.pid (vmlet killed right after the spawn) is found by its command line and stopped', async () => {
    await h?.cleanup();
    h = undefined;
    const d3 = makeTmpDir('orphan3');
    try {
      const shared = await sharedSetup(d3.path);
      const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'run-sidecar-child.ts')], {
        env: { ...process.env, VMLET_TEST_SHARED: JSON.stringify(shared) }, stdio: ['ignore', 'pipe', 'inherit'], detached: true,
      });
      started.push(child.pid!);
      let out = '';
      child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
      const orphan = Number(await waitFor(() => /ENVOY_PID (\d+)/.exec(out)?.[1], { timeoutMs: 40_000, what: 'first Envoy' }));
      started.push(orphan);
      process.kill(child.pid!, 'SIGKILL');
      await waitFor(() => !alive(child.pid!), { what: 'stand-in vmlet gone' });
      // The chaos tier's kill -9 loop hit this: SIGKILL between spawn() and the PID file's write.
      rmSync(join(d3.path, 'run', 'envoy.pid'));
      expect(alive(orphan)).toBe(true);
      h = await sidecarHarness({ shared, envoy: { killTimeout: '30s' } });
      h.start();
      await waitFor(() => h!.sidecar.readiness.ready(), { timeoutMs: 40_000, what: 'second Envoy ready' });
      expect(alive(orphan)).toBe(false);
      expect(h.sidecar.process.pid).not.toBe(orphan);
      expect(h.logLines.some((l) => String(l.msg).includes(`(pid ${orphan}, found by its command line`))).toBe(true);
      await h.cleanup();
      h = undefined;
    } finally {
      d3.cleanup();
    }
  });

  it('a PID file naming some other process does not get that process killed', async () => {
    const other = spawn('sleep', ['30'], { stdio: 'ignore', detached: true });
    started.push(other.pid!);
    await h?.cleanup();
    const d2 = makeTmpDir('orphan2');
    try {
      const shared = await sharedSetup(d2.path);
      const { mkdirSync } = await import('node:fs');
      mkdirSync(join(d2.path, 'run'), { recursive: true });
      writeFileSync(join(d2.path, 'run', 'envoy.pid'), `${other.pid}\n`);
      h = await sidecarHarness({ shared });
      h.start();
      await waitFor(() => h!.sidecar.readiness.ready(), { timeoutMs: 15_000 });
      expect(alive(other.pid!)).toBe(true);
      await h.cleanup();
      h = undefined;
    } finally {
      d2.cleanup();
    }
  });
});
