// `npm run build`: compiles src/ to dist/ (tsc, tsconfig.build.json: same tree, imports rewritten to .js) and copies
// the files Node loads from beside the code (the console's static files). bin/gridbridge.mjs runs dist/ only when
// dist/.build.json is there, written last, and no file under src/ changed after the build started.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { BUILD_STAMP } from '../bin/buildEntry.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const startedAtMs = Date.now();
// A fresh tree: files of deleted sources must not linger.
rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  process.stderr.write('build failed: dist/ left without its stamp, so gridbridge keeps running the sources\n');
  process.exit(r.status ?? 1);
}
cpSync(new URL('../src/server/console/', import.meta.url), new URL('../dist/server/console/', import.meta.url), {
  recursive: true,
  filter: (src) => !src.endsWith('.d.ts'),
});
writeFileSync(new URL(`../dist/${BUILD_STAMP}`, import.meta.url), `${JSON.stringify({ startedAtMs })}\n`);
process.stdout.write(`built dist/ (${((Date.now() - startedAtMs) / 1000).toFixed(1)} s)\n`);
