import { defineConfig } from 'vitest/config';

// The chaos tier (npm run test:chaos): one real control plane for the whole run
// (global-setup.ts), the scenario files one at a time (they share the VM's network namespace and
// its capture rules). test/helpers/global-setup.ts builds the bundle and fails the run for any
// FAKE Envoy left running.
export default defineConfig({
  test: {
    include: ['test/e2e/chaos/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts', 'test/e2e/chaos/global-setup.ts'],
    setupFiles: ['test/e2e/real/mark-failures.ts'],
    testTimeout: 900_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
