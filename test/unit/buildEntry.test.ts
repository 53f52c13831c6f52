import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILD_STAMP, chooseEntry } from '../../bin/buildEntry.mjs';

// bin/gridbridge.mjs runs the compiled build only when it cannot be older than the sources.
describe('chooseEntry', () => {
  let root: string;
  const built = 1_000_000_000_000; // when the build started (ms)
  const touch = (rel: string, atMs: number) => {
    const p = join(root, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, '');
    utimesSync(p, atMs / 1000, atMs / 1000);
  };
  const stamp = (body: string) => {
    mkdirSync(join(root, 'dist'), { recursive: true });
    writeFileSync(join(root, 'dist', BUILD_STAMP), body);
  };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'gb-entry-'));
    touch('src/cli/main.ts', built - 60_000);
    touch('src/store/ops/deep/a.ts', built - 60_000);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('runs dist/ when the build started after every source changed', () => {
    stamp(JSON.stringify({ startedAtMs: built }));
    expect(chooseEntry(root, {})).toEqual({ entry: 'dist', main: join(root, 'dist/cli/main.js') });
  });

  it('runs the sources, quietly, without a complete build (a fresh clone, or a build that failed)', () => {
    mkdirSync(join(root, 'dist/cli'), { recursive: true });
    writeFileSync(join(root, 'dist/cli/main.js'), '');
    expect(chooseEntry(root, {})).toEqual({
      entry: 'sources',
      main: join(root, 'src/cli/main.ts'),
      why: 'no complete build in dist/',
      stale: false,
    });
  });

  it('runs the sources, saying so, when a file deep in src/ changed after the build started', () => {
    stamp(JSON.stringify({ startedAtMs: built }));
    touch('src/store/ops/deep/a.ts', built + 1);
    expect(chooseEntry(root, {})).toEqual({
      entry: 'sources',
      main: join(root, 'src/cli/main.ts'),
      why: 'src/store/ops/deep/a.ts changed after the last build',
      stale: true,
    });
    // bin/gridbridge.mjs passes the checkout with a trailing slash: the path said is still the checkout's.
    expect(chooseEntry(`${root}/`, {})).toMatchObject({ why: 'src/store/ops/deep/a.ts changed after the last build' });
  });

  it('runs the sources when a file was added to src/ after the build', () => {
    stamp(JSON.stringify({ startedAtMs: built }));
    touch('src/new.ts', built + 5_000);
    expect(chooseEntry(root, {})).toMatchObject({
      entry: 'sources',
      stale: true,
      why: 'src/new.ts changed after the last build',
    });
  });

  it('runs dist/ when only a test file changed after the build (tests are not built)', () => {
    stamp(JSON.stringify({ startedAtMs: built }));
    touch('src/store/ops/deep/a.test.ts', built + 1_000);
    expect(chooseEntry(root, {})).toEqual({ entry: 'dist', main: join(root, 'dist/cli/main.js') });
  });

  it('runs the sources when the stamp cannot be read', () => {
    stamp('{"startedAtMs":');
    expect(chooseEntry(root, {})).toMatchObject({
      entry: 'sources',
      stale: true,
      why: `dist/${BUILD_STAMP} unreadable`,
    });
    stamp('{}');
    expect(chooseEntry(root, {})).toMatchObject({ entry: 'sources', stale: true });
  });

  it('GRIDBRIDGE_FROM_SOURCE=1 runs the sources even with a fresh build', () => {
    stamp(JSON.stringify({ startedAtMs: built }));
    expect(chooseEntry(root, { GRIDBRIDGE_FROM_SOURCE: '1' })).toMatchObject({ entry: 'sources', stale: false });
  });
});
