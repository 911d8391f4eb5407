// The shipped bundle against the istiod simulator: `vmlet validate --istio-dir` accepts the
// simulator's directory, `vmlet run` obtains the certificate (identity gate, status line, 0600
// key), and a restart serves the stored certificate without a CA call.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { freePort } from '../../helpers/free-port.js';
import { makeTmpDir, type TmpDir } from '../../helpers/tmp-dir.js';
import { BUNDLE, EMPTY_CONFIG, httpGet, spawnVmlet } from '../../helpers/vmlet-process.js';
import { waitFor } from '../../helpers/wait-for.js';

describe('vmlet run against the istiod simulator', { timeout: 30_000 }, () => {
  let sim: Simulator;
  let tmp: TmpDir;
  let token: string;
  beforeAll(async () => {
    sim = await startSimulator();
    tmp = makeTmpDir('identity-run');
    token = await sim.mintToken({ ns: 'bar', sa: 'vm-sa' });
    await sim.writeVmDir(tmp.join('istio'), { ns: 'bar', sa: 'vm-sa', token });
  });
  afterAll(async () => {
    await sim.stop();
    tmp.cleanup();
  });

  const start = async () => {
    const port = await freePort();
    const vmlet = spawnVmlet({
      tmp,
      argv: ['run', '--istio-dir', tmp.join('istio'), '--config', EMPTY_CONFIG, '--log-format', 'json'],
      env: { VMLET_IDENTITY_ENABLED: 'true', VMLET_ENVOY_ENABLED: 'false', VMLET_XDS_ENABLED: 'false', VMLET_CAPTURE_ENABLED: 'false', VMLET_STATUS_PORT: String(port), ECC_SIGNATURE_ALGORITHM: 'ECDSA' },
    });
    return { vmlet, port };
  };
  const identityLine = (logs: Record<string, unknown>[]) => logs.find((l) => l.component === 'identity' && typeof l.how === 'string');

  it('validate accepts the simulator directory', () => {
    // Envoy is off in `vmlet run` here too: its user (a host fact) is not this test's subject.
    execFileSync(process.execPath, [BUNDLE, 'validate', '--istio-dir', tmp.join('istio'), '--config', EMPTY_CONFIG, '--set', 'envoy.enabled=false'], { stdio: 'pipe' });
  });

  it('obtains the certificate, then a restart reuses it without calling istiod', async () => {
    const first = await start();
    try {
      const line = await waitFor(() => identityLine(first.vmlet.logs), { what: 'identity log line', timeoutMs: 10_000 });
      expect(line).toMatchObject({ how: 'issued', spiffeId: 'spiffe://cluster.local/ns/bar/sa/vm-sa' });
      const status = await waitFor(async () => {
        const s = JSON.parse((await httpGet(first.port, '/status')).body) as { components: { name: string; detail: string }[] };
        return s.components.find((c) => c.name === 'identity');
      }, { what: 'identity status', timeoutMs: 5_000 });
      expect(status.detail).toMatch(/^spiffe:\/\/cluster\.local\/ns\/bar\/sa\/vm-sa, expires in 2[34]h$/);
      expect(statSync(tmp.join('state', 'identity', 'key.pem')).mode & 0o777).toBe(0o600);
    } finally {
      expect(await first.vmlet.stop()).toBe(0);
    }
    expect(sim.calls).toHaveLength(1);
    const second = await start();
    try {
      const line = await waitFor(() => identityLine(second.vmlet.logs), { what: 'identity log line', timeoutMs: 10_000 });
      expect(line).toMatchObject({ how: 'loaded' });
      expect(sim.calls).toHaveLength(1);
    } finally {
      await second.vmlet.stop();
    }
    const all = JSON.stringify([...first.vmlet.logs, ...second.vmlet.logs]) + first.vmlet.stderr + second.vmlet.stderr;
    expect(all).not.toContain(token);
    expect(all).not.toContain('PRIVATE KEY');
  });
});
