import { defineConfig } from 'vitest/config';

// Slow suites: real child processes killed with SIGKILL, the demo end to end, browser tests.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts', 'test/chaos/**/*.test.ts', 'test/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
