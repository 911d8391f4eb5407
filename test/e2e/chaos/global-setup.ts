/**
 * The chaos tier's control plane: the e2e harness's etcd + kube-apiserver + istiod, one for the
 * whole tier (the scenarios run back to back on it). Without root, Go or etcd the tier skips
 * loudly locally and fails under CI=true. The teardown prints the tier's duration.
 */
import type { TestProject } from 'vitest/node';
import { setupControlPlane } from '../real/global-setup.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const t0 = Date.now();
  const stop = await setupControlPlane(project, 'chaos');
  return async () => {
    await stop();
    console.log(`chaos tier: ${((Date.now() - t0) / 1000).toFixed(0)} s (control plane, every scenario, teardown)`);
  };
}
