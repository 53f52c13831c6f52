import { defineConfig } from 'vitest/config';

// Fast suite: unit tests and in-process integration tests (real loopback servers, temp SQLite files).
// Slow end-to-end, chaos and browser suites live under test/e2e, test/chaos, test/browser with their own configs.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts', 'test/int/**/*.test.ts', 'test/security/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/e2e/**', 'test/chaos/**', 'test/browser/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
