// scale (issue #10): N bridge instances (separate processes) sharing one PostgreSQL store vs one instance,
// and one instance on SQLite under the same method as the reference point.
// Measured as production behaves (BENCHMARKS.md "Scale-out on two cores"): the ClickUp sandbox answers
// after 50 ms (latencyMs fault), each instance runs a fixed dispatcher concurrency, and the rate budget
// (shared through the store) is far from binding, so one instance is bound by latency × concurrency and
// three show whether anything in the design serialises. Webhooks are spread round-robin over the
// instances, as a load balancer would. The CPU-bound figure (no latency) is printed too: on a 2-core
// machine shared with PostgreSQL it cannot scale.
// Besides cases/s each run says where the CPU went (bridge processes, this process with the sandboxes
// and the load, PostgreSQL) and how many SQL statements (round trips) the bridges sent per case.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import SQLite from 'better-sqlite3';
import { Pool } from 'undici';
import { startClickUpSandbox, type ClickUpSandbox } from '../src/sandbox/clickup/server.ts';
import { startTradingGridSandbox, type TradingGridSandbox } from '../src/sandbox/tradinggrid/index.ts';
import { configForSandboxes } from '../src/cli/sandboxSetup.ts';
import { startBridgeProcess, type BridgeProcess } from '../test/helpers/bridgeProcess.ts';
import { createPgDatabase, pgUnavailable } from '../test/helpers/pgStore.ts';
import { signTgEvent } from './signedEvents.ts';
import { percentile, round, summary } from './stats.ts';
import { cpuMsBetween, cpuMsSnapshot, postgresPidsFor } from './procCpu.ts';

const CREATE = 'POST /api/v2/list/{list_id}/task';
/**
 * Dispatcher concurrency per instance. ClickUp answers in 100–300 ms in production: 4 calls in flight at
 * 200 ms are 20 calls/s (1,200/min), what one instance needs to spend a 1,000/min plan. The sandbox
 * answers in 50 ms, so one instance runs at about 4 times that production rate and keeps about half of
 * the 2 cores busy with everything it drives (sandboxes, PostgreSQL); three then still fit, and the ratio
 * shows whether anything serialises (the point of this benchmark) rather than the machine's size. At 8,
 * one instance keeps about 0.8 of a core busy and three would need 2.5 cores, whatever the design.
 */
const CONCURRENCY = 4;
/** dispatcher.fold_completions for the bridges (FOLD_COMPLETIONS=1: on; the config's default is off). */
const FOLD_COMPLETIONS = process.env.FOLD_COMPLETIONS === '1';
/** Cases posted to each instance before measuring (see the warm-up in oneRun). */
const WARMUP_PER_INSTANCE = 150;
/** Webhook posts in flight from the load generator. */
const POSTERS = 32;

type StoreKind = 'sqlite' | 'postgres';

async function raise(tg: TradingGridSandbox, n: number, tag: string) {
  const events = [];
  for (let i = 0; i < n; i++) {
    const c = await tg.raiseCase({
      partnerId: i % 2 ? 'P-ACME' : 'P-GLOBEX',
      kind: 'dispute',
      title: `scale ${tag} ${i}`,
    });
    events.push({
      id: `evt-${tag}-${i}`,
      type: 'case.opened',
      occurred_at: c.opened_at,
      data: { id: c.id, partner_id: c.partner_id },
    });
  }
  return events;
}

/** Counts statements per bridge process (bench/pgRoundTrips.mjs, preloaded into each child). */
class RoundTripCounter {
  readonly dir = mkdtempSync(join(tmpdir(), 'gb-scale-sql-'));
  private readonly preload = new URL('./pgRoundTrips.mjs', import.meta.url).pathname;

  /** Run `start` with the counter preloaded into the processes it spawns. */
  async withPreload<T>(start: () => Promise<T>): Promise<T> {
    const saved = { opts: process.env.NODE_OPTIONS, dir: process.env.GB_BENCH_PG_COUNT_DIR };
    process.env.NODE_OPTIONS = `${saved.opts ?? ''} --import ${this.preload}`.trim();
    process.env.GB_BENCH_PG_COUNT_DIR = this.dir;
    try {
      return await start();
    } finally {
      if (saved.opts === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = saved.opts;
      if (saved.dir === undefined) delete process.env.GB_BENCH_PG_COUNT_DIR;
      else process.env.GB_BENCH_PG_COUNT_DIR = saved.dir;
    }
  }

  /** Statements sent so far by each process, summed by statement text. */
  async snapshot(procs: readonly BridgeProcess[]): Promise<Map<string, number>> {
    const before = new Set(readdirSync(this.dir));
    for (const p of procs) p.child.kill('SIGUSR2');
    const deadline = Date.now() + 5_000;
    let fresh: string[] = [];
    while ((fresh = readdirSync(this.dir).filter((f) => !before.has(f))).length < procs.length) {
      if (Date.now() > deadline) throw new Error('bridge processes did not report their SQL counts');
      await new Promise((r) => setTimeout(r, 10));
    }
    const sum = new Map<string, number>();
    for (const f of fresh)
      for (const [k, v] of Object.entries(
        JSON.parse(readFileSync(join(this.dir, f), 'utf8')) as Record<string, number>,
      ))
        sum.set(k, (sum.get(k) ?? 0) + v);
    return sum;
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function diffCounts(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const d = new Map<string, number>();
  for (const [k, v] of after) if (v - (before.get(k) ?? 0) > 0) d.set(k, v - (before.get(k) ?? 0));
  return d;
}

interface RunResult {
  casesPerSec: number;
  ackP99: number;
  callsPerCase: number;
  requestsPerCase: number;
  cpuMsPerCase: { bridges: number; bench_process_sandboxes_and_load: number; postgres: number; total: number };
  sqlPerCase: number | null;
  sqlDetail: Map<string, number> | null;
  /** Statements per case counted until the queue is empty (every job of the case, the last one included). */
  sqlPerCaseDrained: number | null;
  sqlDetailDrained: Map<string, number> | null;
}

async function oneRun(
  cu: ClickUpSandbox,
  tg: TradingGridSandbox,
  o: { store: StoreKind; instances: number; n: number; concurrency: number; tag: string; unmetered: boolean },
): Promise<RunResult> {
  const { n, tag } = o;
  const dir = mkdtempSync(join(tmpdir(), 'gb-scale-'));
  const db = o.store === 'postgres' ? await createPgDatabase() : null;
  const storeUrl = db ? db.url : `sqlite:${join(dir, 'scale.db')}`;
  const procs: BridgeProcess[] = [];
  const counter = db ? new RoundTripCounter() : null;
  try {
    const { config, secrets } = configForSandboxes(
      { clickup: { url: cu.url, token: cu.token, teamId: cu.teamId, lists: cu.lists }, tradinggrid: tg },
      // Everything else as configured by default (poll interval, leases, backoff): only the concurrency is set.
      {
        storeUrl,
        extra: { dispatcher: { concurrency: o.concurrency, fold_completions: FOLD_COMPLETIONS } },
        clickupUnmetered: o.unmetered,
      },
    );
    // Each instance would register its own ClickUp webhook URL; behind a load balancer there is one. Off here.
    (config.clickup as { webhook: { register: boolean } }).webhook.register = false;
    // The Trading Grid poll (every 5 wall-clock minutes) re-reads the changed cases: a cost per poll, not per
    // case, that would land at random in a run's window and its SQL count. Off here.
    (config.tradinggrid as { poll_cron?: string }).poll_cron = 'off';
    const start = (i: number) => startBridgeProcess(dir, config, secrets, `${tag}-${i}`);
    await (counter ?? { withPreload: (f: () => Promise<void>) => f() }).withPreload(async () => {
      // Start one first so it migrates alone, then the others.
      procs.push(await start(0));
      procs.push(...(await Promise.all(Array.from({ length: o.instances - 1 }, (_, i) => start(i + 1)))));
    });
    const warm = await raise(tg, WARMUP_PER_INSTANCE * o.instances, `${tag}w`);
    const pools = procs.map((p) => new Pool(p.url, { connections: 16 }));
    const COUNT_CASES = "SELECT count(*) AS n FROM links WHERE entity = 'case'";
    const COUNT_UNFINISHED = "SELECT count(*) AS n FROM jobs WHERE state IN ('ready', 'running')";
    let count: (q: string) => Promise<number>;
    let closeCounter: () => Promise<void>;
    if (db) {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      count = async (q) => Number((await client.query<{ n: string }>(q)).rows[0]!.n);
      closeCounter = () => client.end();
    } else {
      const file = new SQLite(storeUrl.slice('sqlite:'.length), { readonly: true });
      count = async (q) => Number((file.prepare(q).get() as { n: number }).n);
      closeCounter = async () => void file.close();
    }
    const post = async (batch: typeof warm, lat?: number[]) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: POSTERS }, async () => {
          while (next < batch.length) {
            const i = next++;
            const s = signTgEvent(batch[i]!, tg.webhookSecret);
            const a = performance.now();
            const r = await pools[i % pools.length]!.request({
              method: 'POST',
              path: '/webhooks/tradinggrid',
              headers: s.headers,
              body: s.body,
            });
            await r.body.dump();
            if (r.statusCode >= 300) throw new Error(`webhook answered ${r.statusCode}`);
            lat?.push(performance.now() - a);
          }
        }),
      );
    };
    const until = async (what: string, done: () => Promise<boolean>) => {
      const start = performance.now();
      while (!(await done())) {
        if (performance.now() - start > 600_000) throw new Error(`scale run: ${what} not reached in 10 minutes`);
        // Every 50 ms: often enough for a 1 % resolution on runs of several seconds, rarely enough not to load the store.
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    // Warm-up: instances run for months, so their code is compiled by V8's optimiser; a fresh process is
    // not yet, and each instance compiles its own (three processes pay it three times). Not measured.
    await post(warm);
    await until(
      'warm-up',
      async () => (await count(COUNT_CASES)) >= warm.length && (await count(COUNT_UNFINISHED)) === 0,
    );
    // Raised only now: the bridges' Trading Grid poll (every 5 minutes) would take up cases raised earlier
    // during the warm-up, before the clock starts.
    const events = await raise(tg, n, tag);
    const creates0 = cu.stats().requests[CREATE] ?? 0;
    const total0 = cu.stats().total;
    const pgPids = db ? postgresPidsFor(new URL(db.url).pathname.slice(1)) : [];
    const childPids = procs.map((p) => p.child.pid!);
    const sql0 = counter ? await counter.snapshot(procs) : null;
    const cpu0 = { bridges: cpuMsSnapshot(childPids), pg: cpuMsSnapshot(pgPids), self: process.cpuUsage() };
    const lat: number[] = [];
    const t0 = performance.now();
    await post(events, lat);
    // A case counts once its ClickUp task exists and is linked (the link is written after the create).
    await until('every case linked', async () => (await count(COUNT_CASES)) >= warm.length + n);
    const secs = (performance.now() - t0) / 1000;
    const self = process.cpuUsage(cpu0.self);
    // Sessions opened during the run are picked up here (they count from 0); ones closed during it are lost.
    const pgNow = db ? cpuMsSnapshot(postgresPidsFor(new URL(db.url).pathname.slice(1))) : new Map<number, number>();
    const cpu = {
      bridges: cpuMsBetween(cpu0.bridges, cpuMsSnapshot(childPids)),
      bench_process_sandboxes_and_load: (self.user + self.system) / 1000,
      postgres: cpuMsBetween(cpu0.pg, pgNow),
    };
    const sql = counter && sql0 ? diffCounts(sql0, await counter.snapshot(procs)) : null;
    // The whole cost of a case: its last job (the partner's status) mostly runs after the window above.
    // Counted once the queue is empty (idle claims while waiting are counted too: a few per second).
    let sqlDrained: Map<string, number> | null = null;
    if (counter && sql0) {
      await until('queue drained', async () => (await count(COUNT_UNFINISHED)) === 0);
      sqlDrained = diffCounts(sql0, await counter.snapshot(procs));
    }
    await closeCounter();
    await Promise.all(pools.map((p) => p.close()));
    lat.sort((a, b) => a - b);
    const perCase = (x: number) => round(x / n);
    return {
      casesPerSec: n / secs,
      ackP99: percentile(lat, 99),
      callsPerCase: ((cu.stats().requests[CREATE] ?? 0) - creates0) / n,
      requestsPerCase: (cu.stats().total - total0) / n,
      cpuMsPerCase: {
        bridges: perCase(cpu.bridges),
        bench_process_sandboxes_and_load: perCase(cpu.bench_process_sandboxes_and_load),
        postgres: perCase(cpu.postgres),
        total: perCase(cpu.bridges + cpu.bench_process_sandboxes_and_load + cpu.postgres),
      },
      sqlPerCase: sql ? [...sql.values()].reduce((a, b) => a + b, 0) / n : null,
      sqlDetail: sql,
      sqlPerCaseDrained: sqlDrained ? [...sqlDrained.values()].reduce((a, b) => a + b, 0) / n : null,
      sqlDetailDrained: sqlDrained,
    };
  } finally {
    await Promise.allSettled(procs.map((p) => p.stop()));
    await db?.drop().catch(() => undefined);
    counter?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const SETUPS = [
  { key: 'sqlite_1_instance', store: 'sqlite', instances: 1 },
  { key: 'postgres_1_instance', store: 'postgres', instances: 1 },
  { key: 'postgres_3_instances', store: 'postgres', instances: 3 },
] as const;

function row(rows: RunResult[]) {
  const pick = (f: (r: RunResult) => number) => summary(rows.map(f));
  const cpuMedian = (k: keyof RunResult['cpuMsPerCase']) => summary(rows.map((r) => r.cpuMsPerCase[k])).median;
  return {
    cases_per_s: pick((r) => r.casesPerSec),
    // Whether the setup was bound by the machine: CPU seconds of all its processes per second of run.
    cores_busy_median: round(summary(rows.map((r) => (r.casesPerSec * r.cpuMsPerCase.total) / 1000)).median),
    ack_ms_p99: pick((r) => r.ackP99),
    clickup_calls_per_case: pick((r) => r.callsPerCase),
    clickup_requests_per_case_incl_checks: pick((r) => r.requestsPerCase),
    cpu_ms_per_case_median: {
      bridges: cpuMedian('bridges'),
      bench_process_sandboxes_and_load: cpuMedian('bench_process_sandboxes_and_load'),
      postgres: cpuMedian('postgres'),
      total: cpuMedian('total'),
    },
    ...(rows[0]!.sqlPerCase === null
      ? {}
      : {
          sql_round_trips_per_case: pick((r) => r.sqlPerCase!),
          sql_round_trips_per_case_all_jobs: pick((r) => r.sqlPerCaseDrained!),
        }),
  };
}

/** The statements behind the round trips of the last run, per case, most frequent first. */
function sqlBreakdown(r: RunResult, n: number): Record<string, number> {
  return Object.fromEntries(
    [...(r.sqlDetailDrained ?? r.sqlDetail ?? [])]
      .sort((a, b) => b[1] - a[1])
      .filter(([, v]) => v / n >= 0.05)
      .map(([k, v]) => [k, round(v / n)]),
  );
}

async function compare(o: {
  latencyMs: number;
  rateLimitPerMinute: number | null;
  n: number;
  runs: number;
  concurrency: number;
  detail: boolean;
  setups: readonly (typeof SETUPS)[number][];
}) {
  const cu = await startClickUpSandbox({
    rateLimitPerMinute: o.rateLimitPerMinute,
    faults: { latencyMs: o.latencyMs },
  });
  const tg = await startTradingGridSandbox({ idTag: `S${o.latencyMs}` });
  try {
    const SETUPS = o.setups;
    const results: Record<string, RunResult[]> = Object.fromEntries(SETUPS.map((s) => [s.key, []]));
    // Interleaved so that a change in the machine's load hits every setup alike.
    for (let i = 0; i < o.runs; i++) {
      for (const s of SETUPS) {
        results[s.key]!.push(
          await oneRun(cu, tg, {
            store: s.store,
            instances: s.instances,
            n: o.n,
            concurrency: o.concurrency,
            tag: `l${o.latencyMs}r${i}${s.store[0]}${s.instances}`,
            unmetered: o.rateLimitPerMinute === null,
          }),
        );
      }
    }
    const median = (k: string) => (results[k] ? summary(results[k].map((r) => r.casesPerSec)).median : NaN);
    return {
      ...Object.fromEntries(SETUPS.map((s) => [s.key, row(results[s.key]!)])),
      ratio_postgres_3_vs_1: round(median('postgres_3_instances') / median('postgres_1_instance')),
      ratio_postgres_1_vs_sqlite_1: round(median('postgres_1_instance') / median('sqlite_1_instance')),
      ...(o.detail
        ? {
            sql_per_case_by_statement_last_run: Object.fromEntries(
              SETUPS.filter((s) => s.store === 'postgres').map((s) => [
                s.key,
                sqlBreakdown(results[s.key]!.at(-1)!, o.n),
              ]),
            ),
          }
        : {}),
    };
  } finally {
    await Promise.allSettled([cu.close(), tg.close()]);
  }
}

export async function run(
  opts: {
    cases?: number;
    runs?: number;
    concurrency?: number;
    detail?: boolean;
    only?: string[];
    variants?: string[];
  } = {},
): Promise<object> {
  const why = await pgUnavailable();
  if (why) return { skipped: `PostgreSQL not reachable: ${why}` };
  const n = opts.cases ?? 600;
  const runs = opts.runs ?? 3;
  const concurrency = opts.concurrency ?? CONCURRENCY;
  const detail = opts.detail ?? false;
  const load = loadavg().map((x) => round(x));
  // For diagnosis only (SETUPS=postgres_1_instance VARIANTS=cpu): the full benchmark runs everything.
  const setups = SETUPS.filter((s) => !opts.only || opts.only.includes(s.key));
  const want = (v: string) => !opts.variants || opts.variants.includes(v);
  const io = want('io')
    ? await compare({ latencyMs: 50, rateLimitPerMinute: 1_000_000, n, runs, concurrency, detail, setups })
    : {};
  const cpu = want('cpu')
    ? await compare({ latencyMs: 0, rateLimitPerMinute: null, n, runs, concurrency, detail, setups })
    : {};
  // The same comparison at a lighter and a heavier load (one run each): if the ratio falls as the cores
  // get busy, the limit is the machine; if it stayed low at light load, something would serialise.
  const sweep: Record<string, object> = {};
  if (want('sweep')) {
    for (const c of [concurrency / 2, concurrency * 2]) {
      const r = (await compare({
        latencyMs: 50,
        rateLimitPerMinute: 1_000_000,
        n,
        runs: 1,
        concurrency: c,
        detail: false,
        setups: setups.filter((s) => s.store === 'postgres'),
      })) as {
        postgres_1_instance?: ReturnType<typeof row>;
        postgres_3_instances?: ReturnType<typeof row>;
        ratio_postgres_3_vs_1: number;
      };
      sweep[`concurrency_${c}`] = {
        cases_per_s: {
          one: r.postgres_1_instance?.cases_per_s.median,
          three: r.postgres_3_instances?.cases_per_s.median,
        },
        cores_busy: { one: r.postgres_1_instance?.cores_busy_median, three: r.postgres_3_instances?.cores_busy_median },
        ratio_postgres_3_vs_1: r.ratio_postgres_3_vs_1,
      };
    }
  }
  return {
    method: `${n} cases per run, ${runs} runs (min/median/max; setups interleaved); instances are separate processes (PostgreSQL: one fresh database per run; SQLite: one file), webhooks spread round-robin, ${POSTERS} in flight; dispatcher concurrency ${concurrency} per instance (production-like: see CONCURRENCY in bench/scale.ts), the rest of the config at its defaults. Before measuring, ${WARMUP_PER_INSTANCE} cases per instance warm the processes up (V8 compiles each process's hot code; production instances are long-running) and the queue drains. A case counts once its ClickUp task is linked; each case takes three jobs (intake, task creation, then the partner's status, which mostly runs after the measured window and is not in its figures), so one instance stays below ${concurrency} / 50 ms = ${concurrency * 20} cases/s. cores_busy: CPU seconds of all processes of the setup per second. cpu_ms_per_case: /proc CPU time of the bridge processes, of this process (ClickUp and Trading Grid sandboxes, load generator) and of PostgreSQL (this database's sessions + WAL writer/checkpointer/bgwriter); sql_round_trips_per_case: statements the bridges sent during the run; dispatcher.fold_completions ${FOLD_COMPLETIONS} (FOLD_COMPLETIONS=1 turns it on); sql_round_trips_per_case_all_jobs: the same counted until the queue is empty (all three jobs of every case, plus idle claims while waiting); the breakdown by statement is of the latter`,
    load_average_at_start: load,
    clickup_50ms_budget_not_binding: {
      ...io,
      note: `ClickUp answers after 50 ms; rate limit 1,000,000/min shared through the store (every call takes from it, none waits). Ceiling of one instance: ${concurrency} jobs in flight`,
    },
    ratio_at_other_concurrencies_50ms_clickup_one_run: sweep,
    cpu_bound_not_expected_to_scale: {
      ...cpu,
      note: 'no latency, unthrottled ClickUp (no rate headers, so no shared budget either): CPU-bound; bridges, sandboxes and PostgreSQL share 2 cores, so 3 instances cannot be faster (BENCHMARKS.md)',
    },
    goal: { ratio_postgres_3_vs_1_with_50ms_clickup: 2.2 },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run({
    cases: Number(process.env.CASES ?? 600),
    runs: Number(process.env.RUNS ?? 3),
    concurrency: Number(process.env.CONCURRENCY ?? CONCURRENCY),
    detail: process.env.DETAIL === '1',
    only: process.env.SETUPS?.split(','),
    variants: process.env.VARIANTS?.split(','),
  });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  process.exit(0);
}
