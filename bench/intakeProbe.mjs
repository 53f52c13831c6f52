// Loaded into the intake bench's bridge child only (`NODE_OPTIONS=--import <this file>`,
// GRIDBRIDGE_INTAKE_PROBE=FILE), never by the product. Plain JavaScript: it runs before tsx's loader.
// Between two SIGUSR2 (the bench brackets its measured window with them) it records every event-loop turn
// of the main thread longer than GRIDBRIDGE_INTAKE_PROBE_MS (default 5) and what that turn spent:
// - a 1 ms timer chain measures the gaps between two of its ticks (a gap is at least one whole turn);
// - the main thread's own /proc schedstat splits each gap into time on a core, time runnable but waiting
//   for a core (the machine's other processes) and the rest (off-core: a blocking system call, e.g. fsync);
// - every better-sqlite3 statement and transaction on the main thread is timed, by its SQL text;
// - garbage collections (PerformanceObserver 'gc') are matched to the gaps they fall in.
// On exit it writes FILE (JSON): the long turns (at most 400, longest first), totals per statement, the GC
// pauses, and a histogram of the gaps.
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants, performance, PerformanceObserver } from 'node:perf_hooks';

const out = process.env.GRIDBRIDGE_INTAKE_PROBE;
if (out) {
  const longMs = Number(process.env.GRIDBRIDGE_INTAKE_PROBE_MS ?? 5);
  const require = createRequire(`${process.cwd()}/package.json`);
  const SQLite = require('better-sqlite3');
  let on = false;
  // Statement time of the current gap, by SQL label; totals over the window.
  let bucket = new Map();
  const totals = new Map();
  const label = (sql) => sql.replace(/\s+/g, ' ').trim().slice(0, 70);
  // Kysely's transactions on the connection (from its 'begin' to its 'commit' or 'rollback'): wall, on-core, statements.
  let txOpen = null;
  const txs = [];
  const timed = (name, fn) =>
    function (...args) {
      if (!on) return fn.apply(this, args);
      const src = this?.source;
      if (src === 'begin') txOpen = { t0: performance.now(), s0: sched()[0], n: 0 };
      else if (txOpen) txOpen.n++;
      const t0 = performance.now();
      try {
        return fn.apply(this, args);
      } finally {
        const ms = performance.now() - t0;
        if (txOpen && (src === 'commit' || src === 'rollback')) {
          txs.push({ wall: performance.now() - txOpen.t0, on_core: sched()[0] - txOpen.s0, statements: txOpen.n });
          txOpen = null;
        }
        const key = name === 'txn' ? 'transaction()' : `${name} ${label(this?.source ?? String(args[0] ?? ''))}`;
        bucket.set(key, (bucket.get(key) ?? 0) + ms);
        const t = totals.get(key) ?? { n: 0, ms: 0, max: 0, over5: 0 };
        t.n++;
        t.ms += ms;
        t.max = Math.max(t.max, ms);
        if (ms > 5) t.over5++;
        totals.set(key, t);
      }
    };
  const probeDb = new SQLite(':memory:');
  const Statement = Object.getPrototypeOf(probeDb.prepare('select 1'));
  probeDb.close();
  for (const m of ['run', 'get', 'all']) Statement[m] = timed(m, Statement[m]);
  for (const m of ['exec', 'pragma']) SQLite.prototype[m] = timed(m, SQLite.prototype[m]);
  const txn = SQLite.prototype.transaction;
  SQLite.prototype.transaction = function (fn) {
    const t = txn.call(this, fn);
    return timed('txn', t);
  };

  // The main thread's schedstat: ns on a core, ns waiting on a run queue.
  let fd = -1;
  try {
    fd = openSync(`/proc/self/task/${process.pid}/schedstat`, 'r');
  } catch {
    /* no /proc */
  }
  const buf = Buffer.alloc(128);
  const sched = () => {
    if (fd < 0) return [0, 0];
    const n = readSync(fd, buf, 0, 128, 0);
    const [run, wait] = buf.toString('latin1', 0, n).split(' ');
    return [Number(run) / 1e6, Number(wait) / 1e6];
  };

  const gcs = [];
  new PerformanceObserver((list) => {
    if (!on) return;
    for (const e of list.getEntries()) gcs.push({ at: e.startTime, ms: e.duration, kind: e.detail?.kind });
  }).observe({ entryTypes: ['gc'] });

  const long = [];
  const hist = new Map();
  let gaps = 0;
  let last = 0;
  let lastSched = [0, 0];
  let timer = null;
  let windowStart = 0;
  let windowEnd = 0;
  const tick = () => {
    const now = performance.now();
    const s = sched();
    const gap = now - last;
    gaps++;
    const b = gap < 2 ? '<2' : gap < 5 ? '2-5' : gap < 10 ? '5-10' : gap < 20 ? '10-20' : gap < 50 ? '20-50' : '>=50';
    hist.set(b, (hist.get(b) ?? 0) + 1);
    if (gap > longMs + 1) {
      const sqlite = [...bucket].sort((a, c) => c[1] - a[1]);
      long.push({
        start: last,
        gap,
        on_core: s[0] - lastSched[0],
        runq: s[1] - lastSched[1],
        sqlite_ms: sqlite.reduce((a, [, ms]) => a + ms, 0),
        sqlite: sqlite.slice(0, 4).map(([k, ms]) => `${ms.toFixed(1)} ${k}`),
      });
    }
    bucket = new Map();
    last = now;
    lastSched = s;
    if (on) timer = setTimeout(tick, 1);
  };
  const r = (x) => Math.round(x * 10) / 10;
  const write = () => {
    for (const l of long) {
      const g = gcs.filter((x) => x.at >= l.start && x.at < l.start + l.gap);
      l.gc_ms = g.reduce((a, x) => a + x.ms, 0);
      l.gc = g.map(
        (x) =>
          `${x.ms.toFixed(1)} ${x.kind === constants.NODE_PERFORMANCE_GC_MAJOR ? 'major' : x.kind === constants.NODE_PERFORMANCE_GC_MINOR ? 'scavenge' : x.kind}`,
      );
      l.off_core = l.gap - l.on_core - l.runq;
      for (const k of ['gap', 'on_core', 'runq', 'sqlite_ms', 'gc_ms', 'off_core']) l[k] = r(l[k]);
      delete l.start;
    }
    const sum = (k) => r(long.reduce((a, l) => a + l[k], 0));
    const seconds = (windowEnd - windowStart) / 1000;
    writeFileSync(
      out,
      JSON.stringify(
        {
          seconds: r(seconds),
          gaps,
          hist: Object.fromEntries(hist),
          long_turns: long.length,
          long_sum: {
            gap: sum('gap'),
            on_core: sum('on_core'),
            runq: sum('runq'),
            off_core: sum('off_core'),
            sqlite_ms: sum('sqlite_ms'),
            gc_ms: sum('gc_ms'),
          },
          gc: {
            n: gcs.length,
            ms: r(gcs.reduce((a, x) => a + x.ms, 0)),
            max: r(Math.max(0, ...gcs.map((x) => x.ms))),
            over5: gcs.filter((x) => x.ms > 5).length,
          },
          statements: Object.fromEntries(
            [...totals]
              .sort((a, b) => b[1].ms - a[1].ms)
              .slice(0, 25)
              .map(([k, t]) => [k, { n: t.n, ms: r(t.ms), max: r(t.max), over5: t.over5 }]),
          ),
          kysely_transactions: {
            n: txs.length,
            statements_p50: [...txs].sort((a, b) => a.statements - b.statements)[txs.length >> 1]?.statements,
            statements_max: Math.max(0, ...txs.map((t) => t.statements)),
            on_core_over5: txs.filter((t) => t.on_core > 5).length,
            top: [...txs]
              .sort((a, b) => b.on_core - a.on_core)
              .slice(0, 10)
              .map((t) => `${r(t.on_core)} ms on core, ${r(t.wall)} wall, ${t.statements} statements`),
          },
          long: long.sort((a, b) => b.gap - a.gap).slice(0, 400),
        },
        null,
        1,
      ),
    );
  };
  process.on('SIGUSR2', () => {
    if (!on) {
      on = true;
      windowStart = performance.now();
      last = windowStart;
      lastSched = sched();
      timer = setTimeout(tick, 1);
      return;
    }
    on = false;
    windowEnd = performance.now();
    clearTimeout(timer);
    write();
    if (fd >= 0) closeSync(fd);
    fd = -1;
  });
}
