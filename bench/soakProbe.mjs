// Loaded into the bridge process by the soak only (`NODE_OPTIONS=--import <this file>`), never by the product:
// every 5 s it appends one JSON line to $GRIDBRIDGE_SOAK_PROBE with process.memoryUsage() (rss, heap, external,
// arrayBuffers) and the used size of each V8 heap space, so the soak can tell growth in the JS heap from growth
// outside it. On SIGUSR2 it writes a heap snapshot next to that file (the soak sends it at chosen minutes) and
// appends a line naming the snapshot. Plain JavaScript: it runs before tsx's loader is registered.
import { appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';

const out = process.env.GRIDBRIDGE_SOAK_PROBE;
if (out) {
  const line = (o) => appendFileSync(out, `${JSON.stringify({ at: Date.now(), ...o })}\n`);
  const sample = () => {
    const spaces = {};
    for (const s of getHeapSpaceStatistics()) spaces[s.space_name] = s.space_used_size;
    line({ memory: process.memoryUsage(), spaces });
  };
  sample();
  setInterval(sample, 5_000).unref();
  let n = 0;
  process.on('SIGUSR2', () => {
    const file = join(dirname(out), `soak-${++n}.heapsnapshot`);
    writeHeapSnapshot(file);
    line({ snapshot: file });
  });
}
