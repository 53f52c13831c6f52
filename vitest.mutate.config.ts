import { defineConfig } from 'vitest/config';

// Mutation testing (npm run mutate): only the test files that cover the module being mutated, named by
// scripts/mutate.mjs in GB_MUTATE_TESTS, so each mutant runs a few seconds of tests, not the whole suite.
const files = (process.env.GB_MUTATE_TESTS ?? '').split(',').filter(Boolean);
export default defineConfig({
  test: {
    include: files.length > 0 ? files : ['src/**/*.test.ts'],
    exclude: [
      '**/node_modules/**',
      'test/e2e/**',
      'test/chaos/**',
      'test/browser/**',
      'test/hostile/**',
      '.stryker-tmp/**',
    ],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
