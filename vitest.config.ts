import { defineConfig } from 'vitest/config';

// Every test has an upper time bound; integration suites that start processes or network
// namespaces set longer ones per test. Files run in parallel forks (2 cores in CI), tests within
// a file in order, so a suite's numbered steps keep their order.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
