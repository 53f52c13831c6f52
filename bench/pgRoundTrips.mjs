// Preloaded into the bridge processes of the scale benchmark (NODE_OPTIONS=--import): counts every
// statement a pg client sends (each is one round trip). On SIGUSR2 it writes the counts so far, by
// statement, to GB_BENCH_PG_COUNT_DIR/<pid>-<n>.json, so the benchmark can diff two snapshots around
// its measured window and print SQL round trips per case. Counting costs a Map update per statement.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.GB_BENCH_PG_COUNT_DIR;
if (dir) {
  const pg = createRequire(new URL('../package.json', import.meta.url))('pg');
  const counts = new Map();
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (q, ...rest) {
    const text = typeof q === 'string' ? q : (q?.text ?? '?');
    const k = text.replace(/\s+/g, ' ').trim().slice(0, 90);
    counts.set(k, (counts.get(k) ?? 0) + 1);
    return query.call(this, q, ...rest);
  };
  let n = 0;
  process.on('SIGUSR2', () =>
    writeFileSync(join(dir, `${process.pid}-${n++}.json`), JSON.stringify(Object.fromEntries(counts))),
  );
}
