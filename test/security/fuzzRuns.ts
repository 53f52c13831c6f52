/** fast-check run count: small by default (fast suite), `FUZZ_RUNS=5000 npx vitest run test/security` for a longer run. */
export function fuzzRuns(fast: number): number {
  const n = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : fast;
}
