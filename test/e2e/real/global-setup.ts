/**
 * Builds (or finds in the cache) the real binaries, then starts one control plane for the run.
 * Without root or Go the tier cannot run: locally it says so loudly and every scenario skips;
 * under CI=true it fails.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ControlPlane, type ControlPlaneState } from './control-plane.js';

declare module 'vitest' {
  export interface ProvidedContext { controlPlane: ControlPlaneState | null; skipReason: string }
}

const BUILD = join(import.meta.dirname, '..', 'build.sh');

export function unavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces for the control plane and the VM)';
  try { execFileSync('sh', ['-c', 'command -v go'], { stdio: 'ignore' }); } catch { return 'needs Go to build istiod and kube-apiserver'; }
  if (!existsSync(process.env.VMLET_E2E_ETCD ?? '/usr/bin/etcd')) return 'needs etcd (apt-get install etcd-server)';
  return undefined;
}

export default function setup(project: TestProject): Promise<() => Promise<void>> {
  return setupControlPlane(project, 'real-istiod');
}

/** The control plane for a tier (`tier` names it in the skip and failure messages). */
export async function setupControlPlane(project: TestProject, tier: string): Promise<() => Promise<void>> {
  const why = unavailable();
  if (why) {
    if (process.env.CI === 'true') throw new Error(`the ${tier} tier cannot run under CI=true: ${why}`);
    console.warn(`\n*** SKIPPING the ${tier} tier: ${why} ***\n`);
    project.provide('controlPlane', null);
    project.provide('skipReason', why);
    return async () => {};
  }
  const out = execFileSync('bash', [BUILD, 'all'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 80 * 60_000 });
  const bin = out.trim().split('\n').pop()!;
  const cp = new ControlPlane(bin);
  const t0 = Date.now();
  try {
    await cp.start();
  } catch (err) {
    await cp.stop(true);
    throw err;
  }
  console.log(`control plane up in ${Date.now() - t0} ms (logs: ${cp.work}/logs)`);
  project.provide('controlPlane', cp.state());
  project.provide('skipReason', '');
  return async () => { await cp.stop(existsSync(join(cp.work, 'failed'))); };
}
