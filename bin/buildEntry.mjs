// Which code `gridbridge` runs: the compiled build in dist/ (`npm run build`) when it is there, complete and not
// older than any file under src/; otherwise the TypeScript sources through tsx's loader, so `npm install` then
// `npm run demo` needs no build step, and an edit or a `git pull` after a build is never run stale.
//
// Why a build at all: on Node 20, tsx's loader runs on a thread of its own (its own V8 isolate and heap, for the
// life of the process) and turns on source maps for every stack trace; the compiled build has neither (README,
// "Cost per case").
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Written by scripts/build.mjs after a complete build: `{ "startedAtMs": … }`. */
export const BUILD_STAMP = '.build.json';

/**
 * The first file found under `dir` (recursively) that changed after `sinceMs`, or null when none did. Test files
 * are not part of the build (tsconfig.build.json leaves them out), so a test edited or pulled after a build does
 * not make it stale.
 * @param {string} dir
 * @param {number} sinceMs
 * @returns {string | null}
 */
function changedSince(dir, sinceMs) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const inner = changedSince(p, sinceMs);
      if (inner !== null) return inner;
    } else if (!e.name.endsWith('.test.ts') && statSync(p).mtimeMs > sinceMs) return p;
  }
  return null;
}

/**
 * @param {string} root the checkout (the directory holding src/ and dist/)
 * @param {NodeJS.ProcessEnv} env
 * @returns {{ entry: 'dist'; main: string } | { entry: 'sources'; main: string; why: string; stale: boolean }}
 */
export function chooseEntry(root, env = process.env) {
  const sources = { entry: /** @type {const} */ ('sources'), main: join(root, 'src/cli/main.ts') };
  if (env.GRIDBRIDGE_FROM_SOURCE === '1') return { ...sources, why: 'GRIDBRIDGE_FROM_SOURCE=1', stale: false };
  const stamp = join(root, 'dist', BUILD_STAMP);
  if (!existsSync(stamp)) return { ...sources, why: 'no complete build in dist/', stale: false };
  let startedAtMs;
  try {
    startedAtMs = Number(JSON.parse(readFileSync(stamp, 'utf8')).startedAtMs);
  } catch {
    startedAtMs = NaN;
  }
  if (!Number.isFinite(startedAtMs)) return { ...sources, why: `dist/${BUILD_STAMP} unreadable`, stale: true };
  // Changed after the build started: the build may not have it.
  const changed = changedSince(join(root, 'src'), startedAtMs);
  if (changed !== null)
    return { ...sources, why: `${relative(root, changed)} changed after the last build`, stale: true };
  return { entry: 'dist', main: join(root, 'dist/cli/main.js') };
}
