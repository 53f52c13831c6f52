// Mutation testing with Stryker: `npm run mutate [module ...]` (scripts/mutate.mjs picks the files and
// their tests). Incremental: a module's results are kept in reports/mutation/<module>.json, so a rerun
// tests only the mutants whose code or tests changed. One process at a time: the machine is shared.
const name = process.env.GB_MUTATE_NAME ?? 'all';
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  // The TypeScript checker drops mutants that do not compile, at the price of a type check of the project
  // per mutant (minutes per module on a loaded machine): on with GB_MUTATE_TYPECHECK=1.
  checkers: process.env.GB_MUTATE_TYPECHECK === '1' ? ['typescript'] : [],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  concurrency: 1,
  incremental: true,
  ignoreStatic: true,
  // A mutant that makes a wait endless is a timeout (counted as killed) after this much over the normal run.
  // Under a load of 30 and more, 3 s is too short: the test worker's restart after a timeout runs past it and
  // the next mutants time out too (false kills); GB_MUTATE_TIMEOUT_MS=20000 then.
  timeoutMS: Number(process.env.GB_MUTATE_TIMEOUT_MS ?? 3_000),
  timeoutFactor: 1.5,
  reporters: ['clear-text', 'progress', 'json'],
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  // GB_MUTATE_TMP: another temp dir, for two modules run at once in one checkout; neither copies the other's.
  tempDirName: process.env.GB_MUTATE_TMP ?? '.stryker-tmp',
  ignorePatterns: ['/.stryker-tmp*'],
  cleanTempDir: 'always',
};
