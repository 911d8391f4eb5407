// `vmlet status [--json] [--watch] [--history]` against a running `vmlet run`, both from the shipped bundle.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/free-port.js';
import { ISTIO_FIXTURE } from '../../helpers/test-config.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { BUNDLE, EMPTY_CONFIG, httpGet, spawnVmlet, type VmletProcess } from '../../helpers/vmlet-process.js';
import { waitFor } from '../../helpers/wait-for.js';

describe('vmlet status', () => {
  const tmp = makeTmpDir('status-cli');
  let port: number;
  let vmlet: VmletProcess;
  const common = () => ['--istio-dir', ISTIO_FIXTURE, '--config', EMPTY_CONFIG, '--set', `general.statusPort=${port}`];
  const status = (...args: string[]) => spawnSync(process.execPath, [BUNDLE, 'status', ...args, ...common()], { encoding: 'utf8', timeout: 10_000, env: { PATH: process.env.PATH } });

  beforeAll(async () => {
    port = await freePort();
    vmlet = spawnVmlet({ tmp, args: ['--set', `general.statusPort=${port}`] });
    await waitFor(async () => (await httpGet(port, '/healthz/ready')).status === 200, { timeoutMs: 10_000, what: 'vmlet ready' });
  }, 20_000);
  afterAll(async () => {
    await vmlet?.stop();
    tmp.cleanup();
  });

  it('prints the status line and phase, exit 0 when ready', () => {
    const r = status();
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^vmlet: ready: capture off\nphase: ready \(ready\)\ncomponents:\n  capture +off +capture.enabled=false/);
    expect(r.status).toBe(0);
  });

  it('--json prints the snapshot', () => {
    const r = status('--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ phase: 'ready', ready: true, gates: [], components: [{ name: 'capture', state: 'off' }], line: 'ready: capture off' });
  });

  it('--history prints the transitions so far, oldest first, with dates; --json as an array', () => {
    const r = status('--history');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z capture off capture.enabled=false$/m);
    expect(r.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z phase starting -> ready$/m);
    const events = JSON.parse(status('--history', '--json').stdout) as { seq: number; type: string }[];
    expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));
    expect(events.map((e) => e.type)).toContain('phase');
  });

  it('--watch --json streams the state first, then the stop, and ends with exit 0 when vmlet stops', async () => {
    const watcher = spawn(process.execPath, [BUNDLE, 'status', '--watch', '--json', ...common()], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
    const events: { type: string; data: Record<string, unknown> }[] = [];
    createInterface({ input: watcher.stdout }).on('line', (l) => events.push(JSON.parse(l)));
    // 'close': the events are read to the end before the exit code is looked at.
    const exited = new Promise<number | null>((r) => watcher.once('close', (code) => r(code)));
    try {
      await waitFor(() => events.length >= 1, { timeoutMs: 5000, what: 'the state event' });
      expect(events[0]).toMatchObject({ type: 'state', data: { phase: 'ready' } });
      vmlet.child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(events.slice(1).map((e) => e.type === 'phase' ? `${String(e.data.from)}->${String(e.data.to)}` : e.type)).toEqual(['ready->stopping']);
      expect(await vmlet.exited).toBe(0);
    } finally {
      if (watcher.exitCode === null) watcher.kill('SIGKILL');
    }
  }, 15_000);

  it('exit 1 with VMLET_STATUS_UNREACHABLE when nothing listens', async () => {
    await vmlet.exited;
    const r = status();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+\/status: .*\[VMLET_STATUS_UNREACHABLE\]/);
  });

  it('exit 2 on a bad command line', () => {
    expect(status('--bogus').status).toBe(2);
  });
});
