// Loaded into the flow-1 bench's bridge child only (`NODE_OPTIONS=--import <this file>`, FLOW1_PROBE=DIR),
// never by the product. Plain JavaScript: it runs before tsx's loader is registered.
// - every 250 ms: process.memoryUsage() (rss, heapUsed, external, arrayBuffers) and, from /proc/self/status,
//   the resident anonymous / file / shared memory, the thread count and V8's committed size per heap space, as one
//   JSON line in DIR/memory.jsonl;
// - SIGUSR2 starts a CPU profile (inspector Profiler, 100 µs sampling), the next SIGUSR2 writes it to
//   DIR/bridge-N.cpuprofile (the bench brackets its measured window with them: no start-up, no warm-up);
//   plus the heap used right after the last full (mark-compact) collection: what was live then;
// - GRIDBRIDGE_PROBE_SNAPSHOT_RSS_MB=M: one heap snapshot in DIR the first time RSS passes M MB
//   (GRIDBRIDGE_PROBE_SNAPSHOT_HEAP_MB=M: the first time heapUsed does).
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { join } from 'node:path';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';

const dir = process.env.GRIDBRIDGE_FLOW1_PROBE;
if (dir) {
  const snapAt = Number(process.env.GRIDBRIDGE_PROBE_SNAPSHOT_RSS_MB ?? 0) * 2 ** 20;
  const snapAtHeap = Number(process.env.GRIDBRIDGE_PROBE_SNAPSHOT_HEAP_MB ?? 0) * 2 ** 20;
  let snapped = false;
  let afterMajorGc = null;
  let majorGcs = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        majorGcs++;
        afterMajorGc = process.memoryUsage().heapUsed;
      }
  }).observe({ entryTypes: ['gc'] });
  setInterval(() => {
    const m = process.memoryUsage();
    const status = {};
    try {
      for (const [, k, v] of readFileSync('/proc/self/status', 'utf8').matchAll(
        /^(RssAnon|RssFile|RssShmem|Threads):\s+(\d+)/gm,
      ))
        status[k] = k === 'Threads' ? Number(v) : Number(v) * 1024;
    } catch {
      /* no /proc */
    }
    // Open sockets (server and client side): what the process holds for the requests in flight.
    const sockets = process._getActiveHandles().filter((h) => h?.constructor?.name === 'Socket').length;
    // V8's heap by space (committed): the young generation (new_space) grows to its semi-space limit with the
    // allocation rate, the old space by V8's growing factor between full collections.
    const spaces = {};
    for (const sp of getHeapSpaceStatistics()) spaces[sp.space_name] = sp.space_size;
    appendFileSync(
      join(dir, 'memory.jsonl'),
      `${JSON.stringify({ at: Date.now(), ...m, ...status, sockets, afterMajorGc, majorGcs, spaces })}\n`,
    );
    if (!snapped && ((snapAt > 0 && m.rss > snapAt) || (snapAtHeap > 0 && m.heapUsed > snapAtHeap))) {
      snapped = true;
      writeHeapSnapshot(join(dir, `bridge-${process.pid}.heapsnapshot`));
    }
  }, 250).unref();
  const session = new Session();
  session.connect();
  let running = false;
  let n = 0;
  process.on('SIGUSR2', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () =>
        session.post('Profiler.setSamplingInterval', { interval: 100 }, () => session.post('Profiler.start')),
      );
      return;
    }
    running = false;
    session.post('Profiler.stop', (err, r) => {
      if (!err) writeFileSync(join(dir, `bridge-${process.pid}-${++n}.cpuprofile`), JSON.stringify(r.profile));
    });
  });
}
