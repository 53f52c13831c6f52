import { defineConfig } from 'vitest/config';

// Hostile suite: the real `gridbridge start` as a child process, attacked from outside (test/hostile).
export default defineConfig({
  test: {
    include: ['test/hostile/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 90_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
