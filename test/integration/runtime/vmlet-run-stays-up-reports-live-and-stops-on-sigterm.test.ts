// `vmlet run` from the shipped bundle: stays up, answers live and ready, stops cleanly on
// SIGTERM; bad input exits 2 before anything listens; SIGHUP reloads and says what
// was applied live and what needs a restart.
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/free-port.js';
import { makeTmpDir } from '../../helpers/tmp-dir.js';
import { httpGet, spawnVmlet, type VmletProcess } from '../../helpers/vmlet-process.js';
import { waitFor } from '../../helpers/wait-for.js';

describe('vmlet run', () => {
  const tmp = makeTmpDir('run');
  const started: VmletProcess[] = [];
  afterAll(async () => {
    await Promise.all(started.map((p) => p.stop(500)));
    tmp.cleanup();
  });

  it('stays up, reports live and ready, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const vmlet = spawnVmlet({ tmp, args: ['--set', `general.statusPort=${port}`] });
    started.push(vmlet);
    await waitFor(async () => (await httpGet(port, '/healthz/live')).status === 200, { timeoutMs: 10_000, what: '/healthz/live' });
    expect(await httpGet(port, '/healthz/ready')).toMatchObject({ status: 200, body: 'READY\n' });
    // Still up after answering: it does not exit on its own (the exit comes from SIGTERM below,
    // with the SIGTERM log line before the last one).
    expect((await httpGet(port, '/status')).status).toBe(200);
    expect(vmlet.child.exitCode).toBeNull();
    vmlet.child.kill('SIGTERM');
    expect(await vmlet.exited).toBe(0);
    const msgs = vmlet.logs.map((l) => l.msg);
    expect(msgs).toContain('SIGTERM: stopping gracefully (send it again to skip the drain)');
    expect(msgs.at(-1)).toBe('vmlet stopped');
    expect(vmlet.stderr).toBe('');
    await expect(httpGet(port, '/healthz/live')).rejects.toThrow();
  }, 20_000);

  it('bad configuration exits 2 naming the key, and nothing listens', async () => {
    const port = await freePort();
    const vmlet = spawnVmlet({ tmp, args: ['--set', `general.statusPort=${port}`, '--set', 'general.drainGrace=1h'] });
    started.push(vmlet);
    expect(await vmlet.exited).toBe(2);
    expect(vmlet.stderr).toMatch(/general\.drainGrace/);
    expect(vmlet.stderr).toMatch(/VMLET_CONFIG_/);
    await expect(httpGet(port, '/healthz/live')).rejects.toThrow();
  }, 20_000);

  it('a taken status port is a failure (exit 1) with VMLET_STATUS_LISTEN_FAILED', async () => {
    const port = await freePort();
    const first = spawnVmlet({ tmp, args: ['--set', `general.statusPort=${port}`] });
    started.push(first);
    await waitFor(async () => (await httpGet(port, '/healthz/live')).status === 200, { timeoutMs: 10_000, what: 'first vmlet' });
    const second = spawnVmlet({ tmp, args: ['--set', `general.statusPort=${port}`] });
    started.push(second);
    expect(await second.exited).toBe(1);
    expect(second.stderr).toMatch(/VMLET_STATUS_LISTEN_FAILED/);
    expect(await first.stop()).toBe(0);
  }, 20_000);

  it('SIGHUP reloads: logLevel is applied live, statusPort needs a restart, a broken file is refused', async () => {
    const port = await freePort();
    const configPath = tmp.join('config.yaml');
    writeFileSync(configPath, 'general:\n  logLevel: info\n');
    const vmlet = spawnVmlet({ tmp, argv: ['run', '--istio-dir', `${import.meta.dirname}/../../fixtures/istio-vm`, '--config', configPath, '--log-format', 'json', '--set', `general.statusPort=${port}`] });
    started.push(vmlet);
    await waitFor(async () => (await httpGet(port, '/healthz/ready')).status === 200, { timeoutMs: 10_000, what: 'ready' });
    writeFileSync(configPath, 'general:\n  logLevel: debug\n  statusAddress: 127.0.0.2\n');
    vmlet.child.kill('SIGHUP');
    const outcome = (key: string) => vmlet.logs.find((l) => l.setting === key && typeof l.outcome === 'string')?.outcome;
    // The reload's last line, not its first: the lines reach the pipe one write at a time, so on a
    // loaded machine the test could look between them (it did: this test failed in a fresh clone
    // while another build ran).
    const restartLine = () => vmlet.logs.some((l) => l.msg === 'reload: restart vmlet to apply general.statusAddress');
    await waitFor(restartLine, { timeoutMs: 10_000, what: 'reload log lines' });
    expect(outcome('general.logLevel')).toBe('applied');
    expect(outcome('general.statusAddress')).toBe('restart-needed');
    writeFileSync(configPath, 'general:\n  logLevel: [not, a, level]\n');
    vmlet.child.kill('SIGHUP');
    await waitFor(() => vmlet.logs.some((l) => String(l.msg).startsWith('reload refused')), { timeoutMs: 10_000, what: 'refused reload' });
    expect(vmlet.child.exitCode).toBeNull();
    expect((await httpGet(port, '/healthz/ready')).status).toBe(200);
    expect(await vmlet.stop()).toBe(0);
    // The new level reached the components' child loggers too (debug lines at the stop).
    expect(vmlet.logs.some((l) => l.level === 20 && l.component === 'lifecycle')).toBe(true);
  }, 20_000);
});
