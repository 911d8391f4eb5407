import { defineConfig } from 'vitest/config';

// The package tier (npm run test:package): builds nothing itself (the script runs
// `npm run package` first), boots systemd machines one file at a time (2 cores), and bounds
// every test; machine boots and debootstrap get long hook timeouts.
export default defineConfig({
  test: {
    include: ['test/e2e/package/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 1_200_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
