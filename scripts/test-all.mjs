#!/usr/bin/env node
// `npm test`: lint of the tests, ESLint and formatting, type check, the fast suite, then the slow suites (end-to-end, crash, browser), each
// a separate vitest run so a slow one cannot hide a fast failure. Ends with one plain summary line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'test-artifacts', 'results');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const only = process.argv.slice(2);
const steps = [
  // Tests that pass whatever the code does (sleeps as assertions, match-anything messages): scripts/lint-tests.mjs.
  { name: 'lint-tests', cmd: ['node', 'scripts/lint-tests.mjs'] },
  // typescript-eslint (no explicit any outside tests, no floating promises) and Prettier's formatting: `npm run lint`.
  { name: 'eslint', cmd: ['npx', 'eslint', '.'] },
  { name: 'format', cmd: ['npx', 'prettier', '--check', '.'] },
  { name: 'typecheck', cmd: ['npx', 'tsc', '--noEmit', '-p', '.'] },
  // The console's browser JavaScript (// @ts-check) against the admin API's types.
  { name: 'typecheck-console', cmd: ['npx', 'tsc', '-p', 'tsconfig.console.json'] },
  { name: 'fast', vitest: 'vitest.config.ts' },
  { name: 'e2e', vitest: 'vitest.e2e.config.ts' },
  { name: 'hostile', vitest: 'vitest.hostile.config.ts' },
];

let passed = 0;
let failed = 0;
let skipped = 0;
const failedSteps = [];
for (const step of steps) {
  if (only.length > 0 && !only.includes(step.name)) continue;
  if (step.vitest && !existsSync(join(root, step.vitest))) continue;
  const started = Date.now();
  process.stdout.write(`\n=== ${step.name} ===\n`);
  const jsonFile = join(out, `${step.name}.json`);
  const cmd = step.cmd ?? [
    'npx',
    'vitest',
    'run',
    '--config',
    step.vitest,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${jsonFile}`,
  ];
  const r = spawnSync(cmd[0], cmd.slice(1), {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : process.env.FORCE_COLOR },
  });
  const ok = r.status === 0;
  if (step.vitest && existsSync(jsonFile)) {
    const j = JSON.parse(readFileSync(jsonFile, 'utf8'));
    passed += j.numPassedTests;
    failed += j.numFailedTests;
    // Every case not run: skipped (a PostgreSQL half declared skipped by describeStores, skipIf, .skip) and todo.
    skipped += j.numPendingTests + (j.numTodoTests ?? 0);
    // A file that could not even be collected (e.g. it needs PostgreSQL under CI=true) counts as failed.
    const unrunnable = (j.testResults ?? []).filter(
      (f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0,
    );
    failed += unrunnable.length;
    for (const f of unrunnable)
      process.stdout.write(`could not run: ${f.name.replace(root, '')}: ${(f.message ?? '').split('\n')[0]}\n`);
    if (!ok && j.numFailedTests === 0 && unrunnable.length === 0) failed += 1; // the run itself failed (crash)
  } else if (step.vitest && !ok) {
    failed += 1;
  }
  if (!ok) failedSteps.push(step.name);
  process.stdout.write(
    `=== ${step.name}: ${ok ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s ===\n`,
  );
}
process.stdout.write(`\ngridbridge: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
if (failedSteps.length > 0) process.stdout.write(`failed steps: ${failedSteps.join(', ')}\n`);
process.exit(failedSteps.length > 0 ? 1 : 0);
