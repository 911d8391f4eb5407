import { defineConfig } from 'vitest/config';

// The real-control-plane tier (npm run test:e2e): one etcd + kube-apiserver + istiod for the whole
// run (global-setup.ts), scenario files one at a time (they share the VM's network namespace).
export default defineConfig({
  test: {
    include: ['test/e2e/real/**/*.test.ts'],
    globalSetup: ['test/e2e/real/global-setup.ts'],
    setupFiles: ['test/e2e/real/mark-failures.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
