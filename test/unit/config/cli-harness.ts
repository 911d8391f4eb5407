// Runs the bundled CLI (dist/vmlet.cjs, built by the global setup) the way an operator does, and
// builds throwaway copies of the istioctl fixture directory to break one thing at a time.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../../..');
export const FIXTURE = join(REPO, 'test/fixtures/istio-vm');
export const LEAF_CERT = join(REPO, 'test/fixtures/certs/leaf-not-ca.pem');
const BIN = join(REPO, 'bin/vmlet.cjs');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `vmlet ARGS` with a clean environment (only PATH and the given vars), time-bounded. */
export function runVmlet(args: readonly string[], env: Record<string, string> = {}, cwd = REPO, uid?: number): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    ...(uid === undefined ? {} : { uid, gid: uid }),
    // Envoy's user is a host fact the pre-flight checks (src/preflight); this host need not have
    // istio-proxy, so the loader's tests run without one unless they set it.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', VMLET_ENVOY_USER: '', ...env },
    encoding: 'utf8',
    timeout: 10_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A temp directory holding a copy of the istioctl fixture; removed by the returned cleanup. */
export function copyFixture(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'vmlet-config-'));
  cpSync(FIXTURE, join(dir, 'istio'), { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every path under `dir` with its size, mode and mtime: equal snapshots mean nothing was written. */
export function snapshotTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      out.push(`${p} ${st.mode.toString(8)} ${st.size} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
      else out.push(`  ${readFileSync(p).toString('base64').slice(0, 64)}`);
    }
  };
  walk(dir);
  return out;
}
