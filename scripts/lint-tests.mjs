#!/usr/bin/env node
// Lint of the test files for checks that pass whatever the code does:
// - a sleep (`await new Promise((r) => setTimeout(r, n))`, timers/promises' setTimeout, a `sleep(n)`)
//   is how a test asserts by waiting; it flakes on a loaded machine and passes when the event is late
//   or never comes. Wait for the condition with a deadline (test/helpers/until.ts `until`), or assert
//   an absence over the whole window (`throughout`, a test clock). A sleep that is not an assertion
//   (a handler's simulated work, the poll interval of a wait helper, two timestamps that must differ)
//   carries `// sleep-ok: <why>` on its line.
// - message checks that match any message: /./, /.+/, /.*/ and '' given to toMatch, toThrow,
//   toContain, stringMatching or as the expected message of a table row.
// Exit 1 with file:line for each finding.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dirs = ['src', 'test', 'bench'];

function* testFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) yield* testFiles(p);
    else if (
      /\.test\.[cm]?[jt]s$/.test(name) ||
      (p.includes(`${join('test', 'helpers')}`) && /\.[cm]?[jt]s$/.test(name))
    )
      yield p;
  }
}

const SLEEPS = [
  /new\s+Promise\s*(<[^>]*>)?\s*\(\s*\(?\s*(\w+)\s*\)?\s*=>\s*\{?\s*setTimeout\s*\(\s*\2\s*,/, // new Promise((r) => setTimeout(r, n))
  /\bawait\s+(setTimeout|sleep|delay|wait|pause)\s*\(\s*[\w.]+\s*[,)]/, // timers/promises or a sleep helper
  /\bawait\s+scheduler\.wait\s*\(/,
];
const ANY_MESSAGE = [
  /\.(toMatch|toThrow|toThrowError|toContain|rejects\.toThrow)\(\s*(\/\.[*+]?\/|''|"")\s*\)/,
  /stringMatching\(\s*(\/\.[*+]?\/|''|"")\s*\)/,
  /,\s*(\/\.[*+]?\/|'')\s*\]\s*,?\s*$/, // a table row whose expected message is /./ or ''
];

const findings = [];
for (const d of dirs) {
  for (const file of testFiles(join(root, d))) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const where = `${relative(root, file)}:${i + 1}`;
      if (SLEEPS.some((re) => re.test(line)) && !/\/\/\s*sleep-ok:\s*\S/.test(line)) {
        findings.push(
          `${where}: a sleep in a test: wait for the condition with a deadline (test/helpers/until.ts) or assert over the window with a test clock; if it is no assertion, say why with // sleep-ok: <why>\n    ${line.trim()}`,
        );
      }
      if (ANY_MESSAGE.some((re) => re.test(line)) && !/\/\/\s*any-message-ok:\s*\S/.test(line)) {
        findings.push(
          `${where}: a message check that matches any message: check the words that say what went wrong and where\n    ${line.trim()}`,
        );
      }
    });
  }
}

if (findings.length > 0) {
  process.stderr.write(`lint-tests: ${findings.length} finding(s)\n${findings.map((f) => `  ${f}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('lint-tests: no sleeps as assertions, no match-anything message checks\n');
