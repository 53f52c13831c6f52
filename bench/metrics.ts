/**
 * `npm run bench -- metrics`: (1) all partner scorecards for a period over 1,000,000 cases in
 * SQLite, three ways in the same run: aggregated in SQL over one covering index (counts, sums and
 * only the rows at the quantile ranks come back: the way to build the store query), the indexed
 * rows folded in JS by ScorecardAccumulator, and the naive baseline (read every row into JS and
 * group); all three must agree. (2) An SLA sweep (policy lookup → computeSla → decideSlaActions)
 * over 100,000 open cases, against a baseline without the shared per-day calendar cache.
 * Run directly: `node --import tsx bench/metrics.ts [--rows N] [--sweep N]` prints the JSON.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { BusinessCalendar } from '../src/core/calendar/businessCalendar.ts';
import { businessCalendarConfigSchema } from '../src/core/calendar/calendarConfig.ts';
import { quantileFromRanks } from '../src/core/metrics/quantile.ts';
import {
  ScorecardAccumulator,
  computeScorecards,
  scorecardWindow,
  scorecardsFromAggregates,
  type CaseMetricRow,
  type PartnerAggregate,
} from '../src/core/metrics/scorecard.ts';
import { routingRulesSchema } from '../src/flows/05-escalation/decisions/routing/routingRules.ts';
import { computeSla } from '../src/flows/05-escalation/decisions/sla/computeSla.ts';
import { decideSlaActions, type AlreadyDone } from '../src/flows/05-escalation/decisions/sla/decideSlaActions.ts';
import { selectSlaPolicy, slaConfigSchema } from '../src/flows/05-escalation/decisions/sla/slaPolicy.ts';
import type { CaseRecord } from '../src/core/case.ts';
import { decideSweepForCase } from '../src/flows/05-escalation/decisions/slaSweep.ts';
import { openMigratedStore } from '../src/store/db.ts';
import { listOpenCasesForSweep } from '../src/store/ops/listOpenCasesForSweep.ts';
import { listStatusHistories } from '../src/store/ops/listStatusHistories.ts';
import { scorecardRows } from '../src/store/ops/scorecardRows.ts';
import { scorecardAggregates } from '../src/store/ops/scorecardAggregates.ts';
import { round, summary } from './stats.ts';

const RUNS = 3;
const H = 3_600_000;
const DAY = 24 * H;
const NOW = Date.UTC(2026, 10, 15, 12); // 2026-11-15 12:00Z, injected clock
const DATA_FROM = Date.UTC(2025, 0, 1);
const KINDS = ['dispute', 'shipment_exception', 'document_mismatch', 'compliance_issue', 'edi_exception'] as const;
const TIERS = ['strategic', 'preferred', 'standard'] as const;
const OPEN_STATUSES = ['received', 'in_review', 'awaiting_documents', 'escalated'] as const;

export interface MetricsBenchOptions {
  rows?: number;
  partners?: number;
  sweepCases?: number;
  /** Cases of the no-shared-cache baseline (scaled up to sweepCases in the ratio). */
  sweepBaselineCases?: number;
}

/** Deterministic PRNG (mulberry32) so every run measures the same data. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const partnerId = (i: number) => `P-${String(i).padStart(4, '0')}`;

/** The store's own schema (all migrations, so every index of `cases` is maintained), then raw bulk inserts. */
async function buildDatabase(file: string, rows: number, partners: number): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const store = await openMigratedStore(`sqlite:${file}`);
  await store.close();
  const db = new Database(file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  const insertRow =
    db.prepare(`INSERT INTO cases (id, source, partner_id, kind, partner_status, state, hold_reason, sla_due_at, opened_at, resolved_at, updated_at, data)
    VALUES (?, 'community', ?, ?, ?, 'active', NULL, ?, ?, ?, ?, '{}')`);
  const insert = {
    run: (
      id: string,
      partner: string,
      kind: string,
      status: string,
      opened: number,
      resolved: number | null,
      due: number,
    ) => insertRow.run(id, partner, kind, status, due, opened, resolved, resolved ?? opened),
  };
  const r = rng(42);
  // Skewed volume: a few partners trade a lot (weights ~ 1/rank^0.8).
  const weights = Array.from({ length: partners }, (_, i) => 1 / (i + 1) ** 0.8);
  const cumulative: number[] = [];
  weights.reduce((s, w, i) => (cumulative[i] = s + w), 0);
  const total = cumulative[partners - 1]!;
  const pickPartner = () => {
    const x = r() * total;
    let lo = 0;
    let hi = partners - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return partnerId(lo + 1);
  };
  db.transaction(() => {
    for (let i = 0; i < rows; i++) {
      const opened = DATA_FROM + Math.floor(r() * (NOW - DATA_FROM));
      const dueAfter = (24 + Math.floor(r() * 5) * 24) * H;
      // Resolution time: log-uniform between 1 hour and 30 days.
      const took = Math.floor(Math.exp(Math.log(H) + r() * Math.log(30 * 24)));
      // Still open: resolution lies after now, or (0.5 %) a stale case nobody closed.
      const resolved = opened + took <= NOW && r() < 0.995 ? opened + took : null;
      const status = resolved !== null ? 'resolved' : OPEN_STATUSES[Math.floor(r() * OPEN_STATUSES.length)]!;
      insert.run(`TG-${i}`, pickPartner(), KINDS[i % KINDS.length]!, status, opened, resolved, opened + dueAfter);
    }
  })();
  // The covering index cases_scorecard (migration 005_sla) serves all three ranges of the scorecard
  // query (NULLs sort first, so `resolved_at IS NULL` is a range of it too): no table lookups.
  db.exec('ANALYZE');
  db.close();
  return { ms: round(performance.now() - t0, 0), bytes: statSync(file).size };
}

/** Rows path: rows resolved in the window, plus rows open at the snapshot; each row once. */
const ROWS_SQL = `
  SELECT partner_id, partner_status, opened_at, resolved_at, sla_due_at FROM cases WHERE resolved_at >= @start AND resolved_at < @end
  UNION ALL
  SELECT partner_id, partner_status, opened_at, resolved_at, sla_due_at FROM cases WHERE resolved_at >= @end AND opened_at < @asOf
  UNION ALL
  SELECT partner_id, partner_status, opened_at, resolved_at, sla_due_at FROM cases WHERE resolved_at IS NULL AND opened_at < @asOf`;

/** Aggregate path, query 1: resolutions in the window per partner. */
const RESOLVED_SQL = `
  SELECT partner_id, COUNT(*) AS n, SUM(resolved_at - opened_at) AS dsum,
         COUNT(sla_due_at) AS sla_n, SUM(resolved_at <= sla_due_at) AS sla_met
  FROM cases WHERE resolved_at >= @start AND resolved_at < @end GROUP BY partner_id`;

/** Query 2: only the rows at the ranks type-7 quantiles interpolate between (0-based, see quantileRanks). */
const QUANTILE_SQL = `
  WITH r AS (
    SELECT partner_id, resolved_at - opened_at AS d,
           ROW_NUMBER() OVER (PARTITION BY partner_id ORDER BY resolved_at - opened_at) - 1 AS i,
           COUNT(*) OVER (PARTITION BY partner_id) AS n
    FROM cases WHERE resolved_at >= @start AND resolved_at < @end)
  SELECT partner_id, i, d FROM r
  WHERE i IN (CAST((n - 1) * 0.5 AS INTEGER), CAST((n - 1) * 0.5 AS INTEGER) + 1,
              CAST((n - 1) * 0.9 AS INTEGER), CAST((n - 1) * 0.9 AS INTEGER) + 1)`;

/** Query 3: the open/overdue snapshot at asOf (same rule as ScorecardAccumulator). */
const OPEN_SQL = `
  SELECT partner_id, COUNT(*) AS open, COALESCE(SUM(sla_due_at < @asOf), 0) AS overdue FROM (
    SELECT partner_id, sla_due_at FROM cases WHERE resolved_at IS NULL AND partner_status <> 'resolved' AND opened_at < @asOf
    UNION ALL
    SELECT partner_id, sla_due_at FROM cases WHERE resolved_at > @asOf AND opened_at < @asOf)
  GROUP BY partner_id`;

type Window = ReturnType<typeof scorecardWindow>;

/** Per-query split of the last sql_aggregate run, to see where its time goes. */
const sqlSplit: Record<string, number> = {};

function viaSqlAggregates(db: Database.Database, w: Window) {
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    sqlSplit[name] = round(now - t);
    t = now;
  };
  const params = { start: w.start, end: w.end, asOf: w.asOf };
  const byPartner = new Map<string, PartnerAggregate>();
  const agg = (id: string) => {
    let a = byPartner.get(id);
    if (!a) {
      a = {
        partner_id: id,
        resolved_cases: 0,
        duration_sum_ms: 0,
        median_ms: null,
        p90_ms: null,
        sla_counted: 0,
        sla_met: 0,
        open_cases: 0,
        overdue_tasks: 0,
      };
      byPartner.set(id, a);
    }
    return a;
  };
  for (const r of db.prepare(RESOLVED_SQL).all(params) as Array<{
    partner_id: string;
    n: number;
    dsum: number;
    sla_n: number;
    sla_met: number | null;
  }>) {
    Object.assign(agg(r.partner_id), {
      resolved_cases: r.n,
      duration_sum_ms: r.dsum,
      sla_counted: r.sla_n,
      sla_met: r.sla_met ?? 0,
    });
  }
  lap('resolved');
  const ranks = new Map<string, Map<number, number>>();
  for (const r of db.prepare(QUANTILE_SQL).all(params) as Array<{ partner_id: string; i: number; d: number }>) {
    let m = ranks.get(r.partner_id);
    if (!m) ranks.set(r.partner_id, (m = new Map()));
    m.set(r.i, r.d);
  }
  for (const a of byPartner.values()) {
    const m = ranks.get(a.partner_id)!;
    a.median_ms = quantileFromRanks(a.resolved_cases, 0.5, (i) => m.get(i)!);
    a.p90_ms = quantileFromRanks(a.resolved_cases, 0.9, (i) => m.get(i)!);
  }
  lap('quantiles');
  for (const r of db.prepare(OPEN_SQL).all(params) as Array<{ partner_id: string; open: number; overdue: number }>) {
    Object.assign(agg(r.partner_id), { open_cases: r.open, overdue_tasks: r.overdue });
  }
  lap('open');
  return { cards: scorecardsFromAggregates(byPartner.values(), w.period), rowsRead: NaN };
}

function viaIndexedRows(db: Database.Database, w: Window) {
  const acc = new ScorecardAccumulator(w);
  let rowsRead = 0;
  const rows = db.prepare(ROWS_SQL).raw(true).iterate({ start: w.start, end: w.end, asOf: w.asOf }) as Iterable<
    [string, string, number, number | null, number | null]
  >;
  for (const row of rows) {
    acc.addFields(row[0], row[1], row[2], row[3], row[4]);
    rowsRead++;
  }
  return { cards: acc.finish(), rowsRead };
}

function viaAllRows(db: Database.Database, w: Window) {
  const rows = db
    .prepare('SELECT partner_id, partner_status AS status, opened_at, resolved_at, sla_due_at FROM cases')
    .all() as CaseMetricRow[];
  return { cards: computeScorecards(rows, w), rowsRead: rows.length };
}

function plans(db: Database.Database): Record<string, string[]> {
  const p = (sql: string) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ start: 0, end: 1, asOf: 1 }) as Array<{ detail: string }>).map(
      (r) => r.detail,
    );
  return { resolved: p(RESOLVED_SQL), quantiles: p(QUANTILE_SQL), open: p(OPEN_SQL), rows: p(ROWS_SQL) };
}

/** A store op through Kysely on the real store: the SQL aggregates, and the row fold the bridge uses. */
async function viaStoreOp(file: string, w: Window, runs: number, how: 'aggregates' | 'rows_fold') {
  const store = await openMigratedStore(`sqlite:${file}`);
  try {
    const times: number[] = [];
    let cards: unknown[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      if (how === 'aggregates') cards = scorecardsFromAggregates(await scorecardAggregates(store.db, w), w.period);
      else {
        const acc = new ScorecardAccumulator(w);
        for (const r of await scorecardRows(store.db, w)) acc.addFields(r[0], r[1], r[2], r[3], r[4]);
        cards = acc.finish();
      }
      times.push(performance.now() - t0);
    }
    return { cards, ms: summary(times) };
  } finally {
    await store.close();
  }
}

async function scorecardBench(file: string, period: string) {
  const db = new Database(file, { readonly: true });
  const w = scorecardWindow(period, 'UTC', new Date(NOW));
  const ways = { sql_aggregate: viaSqlAggregates, indexed_rows_fold: viaIndexedRows, naive_all_rows: viaAllRows };
  const times: Record<string, number[]> = { sql_aggregate: [], indexed_rows_fold: [], naive_all_rows: [] };
  const last: Record<string, { cards: unknown[]; rowsRead: number }> = {};
  for (let i = 0; i < RUNS; i++) {
    for (const [name, fn] of Object.entries(ways)) {
      const t0 = performance.now();
      last[name] = fn(db, w);
      times[name]!.push(performance.now() - t0);
    }
  }
  const queryPlans = plans(db);
  db.close();
  const storeOp = await viaStoreOp(file, w, RUNS, 'aggregates');
  const storeFold = await viaStoreOp(file, w, RUNS, 'rows_fold');
  const s = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, summary(v)]));
  const reference = JSON.stringify(last.naive_all_rows!.cards);
  return {
    period,
    window: {
      start: new Date(w.start).toISOString(),
      end: new Date(w.end).toISOString(),
      as_of: new Date(w.asOf).toISOString(),
    },
    partners_with_scorecards: last.sql_aggregate!.cards.length,
    ms: s,
    sql_aggregate_split_ms_last_run: { ...sqlSplit },
    rows_to_js: { indexed_rows_fold: last.indexed_rows_fold!.rowsRead, naive_all_rows: last.naive_all_rows!.rowsRead },
    speedup_median_vs_naive: {
      sql_aggregate: round(s.naive_all_rows!.median / s.sql_aggregate!.median, 1),
      indexed_rows_fold: round(s.naive_all_rows!.median / s.indexed_rows_fold!.median, 1),
    },
    store_op_scorecardAggregates: {
      ms: storeOp.ms,
      same_result_as_naive: JSON.stringify(storeOp.cards) === reference,
      goal_under_1s_max: storeOp.ms.max < 1000,
    },
    // What loadScorecards (metrics push, report, /api/scorecards) runs.
    store_op_scorecardRows_fold: {
      ms: storeFold.ms,
      same_result_as_naive: JSON.stringify(storeFold.cards) === reference,
      goal_under_1s_max: storeFold.ms.max < 1000,
    },
    same_result_as_naive: {
      sql_aggregate: JSON.stringify(last.sql_aggregate!.cards) === reference,
      indexed_rows_fold: JSON.stringify(last.indexed_rows_fold!.cards) === reference,
    },
    goal_under_1s_max: {
      sql_aggregate: s.sql_aggregate!.max < 1000,
      indexed_rows_fold: s.indexed_rows_fold!.max < 1000,
    },
    sample: last.sql_aggregate!.cards[0],
    query_plans: queryPlans,
  };
}

function sweepFixtures(n: number) {
  const r = rng(7);
  const cal = {
    time_zone: 'Europe/Berlin',
    working_hours: Object.fromEntries(
      ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, ['08:00-12:00', '13:00-17:00']]),
    ),
    holidays: { country: 'DE', state: 'BY' },
    closures: [{ from: '2026-12-24', to: '2026-12-31', reason: 'year-end' }],
  };
  const config = slaConfigSchema.parse({
    default: {
      response_hours: 8,
      resolution_hours: 40,
      reminder_at: [0.5, 0.75],
      escalation_levels: [
        { after: 1, set_partner_status: true, resolution_hours: 8 },
        { after: 1.5 },
        { after_hours: 120 },
      ],
    },
    policies: [
      { kind: 'dispute', tier: 'strategic', response_hours: 2, resolution_hours: 16 },
      { kind: 'dispute', resolution_hours: 24 },
      { tier: 'strategic', response_hours: 4 },
      { kind: 'fa_overdue', resolution_hours: 4 },
    ],
  });
  const routing = routingRulesSchema.parse([
    {
      match: { kind: ['dispute'], tier: ['strategic'], value_min: 10_000, currency: 'EUR' },
      route_to: { manager: 'kam@example.com' },
    },
    { match: { kind: ['fa_overdue', 'fa_rejected'] }, route_to: { manager: 'edi@example.com' } },
    { match: { tier: ['strategic'] }, route_to: { manager: 'strategic@example.com' } },
    { route_to: { manager: 'ops@example.com' } },
  ]);
  const cases = Array.from({ length: n }, (_, i) => {
    const opened = NOW - Math.floor(r() * 45 * DAY);
    const history: Array<{ status: string; from: Date }> = [];
    let t = opened;
    const changes = Math.floor(r() * 4);
    for (let c = 0; c < changes; c++) {
      t += Math.floor(r() * 3 * DAY);
      if (t >= NOW) break;
      history.push({ status: c % 2 === 0 ? 'awaiting_documents' : 'in_review', from: new Date(t) });
    }
    const kind = KINDS[i % KINDS.length]!;
    const done: AlreadyDone = {
      reminders: r() < 0.5 ? [0.5] : [],
      escalationLevel: Math.floor(r() * 2),
      dueAt: null,
      state: null,
    };
    return {
      facts: { openedAt: new Date(opened), statusHistory: history },
      subject: {
        kind,
        exception: kind === 'edi_exception' ? 'fa_overdue' : null,
        tier: TIERS[i % TIERS.length]!,
        value: { amount: Math.floor(r() * 50_000), currency: 'EUR' },
        partnerStatus: history.at(-1)?.status ?? 'received',
      },
      done,
    };
  });
  return { cal, config, routing, cases };
}

function sweep(fx: ReturnType<typeof sweepFixtures>, count: number, sharedCalendar: boolean) {
  const now = new Date(NOW);
  const parsed = businessCalendarConfigSchema.parse(fx.cal);
  const shared = new BusinessCalendar(parsed);
  const t0 = performance.now();
  let intents = 0;
  const states: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const c = fx.cases[i]!;
    const calendar = sharedCalendar ? shared : new BusinessCalendar(parsed);
    const { policy } = selectSlaPolicy(c.subject, fx.config);
    const sla = computeSla(c.facts, policy, calendar, now);
    states[sla.state] = (states[sla.state] ?? 0) + 1;
    intents += decideSlaActions({
      case: c.subject,
      sla,
      policy,
      alreadyDone: c.done,
      now,
      routing: fx.routing,
      calendar,
    }).length;
  }
  return { ms: performance.now() - t0, intents, states };
}

function sweepBench(n: number, baselineN: number) {
  const fx = sweepFixtures(n);
  const runs: number[] = [];
  let last: ReturnType<typeof sweep> | undefined;
  // Each run builds a new calendar, so every run includes filling its day cache.
  for (let i = 0; i < RUNS; i++) {
    last = sweep(fx, n, true);
    runs.push(last.ms);
  }
  const base: number[] = [];
  for (let i = 0; i < RUNS; i++) base.push(sweep(fx, baselineN, false).ms);
  const s = summary(runs);
  const b = summary(base);
  return {
    open_cases: n,
    ms: s,
    cases_per_s_median: Math.round(n / (s.median / 1000)),
    intents: last!.intents,
    states: last!.states,
    baseline: {
      what: `no shared cache: a calendar (day plans, holiday table) built per case from the parsed config (measured on ${baselineN} cases, scaled to ${n})`,
      ms_scaled: summary(base.map((x) => (x * n) / baselineN)),
    },
    speedup_median: round((b.median * n) / baselineN / s.median, 1),
  };
}

/**
 * The sweep as the bridge runs it, minus the writes: keyset pages of 500 open cases from the store
 * (listOpenCasesForSweep over cases_sweep, histories in one indexed query per page), then
 * decideSweepForCase per case (policy, clock, decisions, job keys).
 */
async function storeSweepBench(file: string, n: number) {
  const fx = sweepFixtures(n);
  const store = await openMigratedStore(`sqlite:${file}`);
  try {
    const t0 = performance.now();
    const raw = new Database(file);
    raw.pragma('synchronous = OFF');
    const insCase =
      raw.prepare(`INSERT INTO cases (id, source, partner_id, kind, partner_status, state, hold_reason, sla_due_at, opened_at, resolved_at, updated_at, data)
      VALUES (?, 'community', ?, ?, ?, 'active', NULL, ?, ?, NULL, ?, ?)`);
    const insHist = raw.prepare('INSERT INTO case_status_history (case_id, status, at) VALUES (?, ?, ?)');
    const insLink = raw.prepare(
      `INSERT INTO links (entity, entity_id, cu_task_id, cu_list_id, created_at) VALUES ('case', ?, ?, 'L', 0)`,
    );
    raw.transaction(() => {
      fx.cases.forEach((c, i) => {
        const id = `C-${String(i).padStart(7, '0')}`;
        const opened = c.facts.openedAt.getTime();
        const rec: CaseRecord = {
          id,
          source: 'community',
          partnerId: partnerId(1 + (i % 200)),
          partnerName: null,
          partnerTier: c.subject.tier,
          kind: c.subject.kind,
          title: `case ${i}`,
          description: '',
          transactionRef: null,
          value: c.subject.value,
          partnerStatus: c.subject.partnerStatus as CaseRecord['partnerStatus'],
          state: 'active',
          holdReason: null,
          slaDueAt: opened + 40 * H,
          openedAt: opened,
          resolvedAt: null,
          updatedAt: opened,
        };
        insCase.run(id, rec.partnerId, rec.kind, rec.partnerStatus, rec.slaDueAt, opened, opened, JSON.stringify(rec));
        insHist.run(id, 'received', opened);
        for (const h of c.facts.statusHistory) insHist.run(id, h.status, h.from.getTime());
        insLink.run(id, `T-${i}`);
      });
    })();
    raw.exec('ANALYZE');
    raw.close();
    const buildMs = round(performance.now() - t0, 0);
    const rt = { calendar: new BusinessCalendar(businessCalendarConfigSchema.parse(fx.cal)), routing: fx.routing };
    const now = new Date(NOW);
    const runs: number[] = [];
    let jobs = 0;
    let pages = 0;
    for (let run = 0; run < RUNS; run++) {
      const t1 = performance.now();
      jobs = 0;
      pages = 0;
      let after = '';
      for (;;) {
        const page = await listOpenCasesForSweep(store.db, after, 500);
        if (page.length === 0) break;
        pages++;
        const histories = await listStatusHistories(
          store.db,
          page.map((p) => p.record.id),
        );
        for (const row of page) {
          const d = decideSweepForCase({
            record: row.record,
            history: histories.get(row.record.id) ?? [],
            stored: row.sla,
            hasTask: row.cuTaskId !== null,
            sla: fx.config,
            routing: rt.routing,
            calendar: rt.calendar,
            now,
            slot: 0,
          });
          jobs += d.jobs.length;
        }
        after = page.at(-1)!.record.id;
      }
      runs.push(performance.now() - t1);
    }
    const s = summary(runs);
    return {
      open_cases: n,
      build_ms: buildMs,
      pages,
      jobs_decided: jobs,
      ms: s,
      cases_per_s_median: Math.round(n / (s.median / 1000)),
      note: 'reads + decisions; the per-page commit (case_sla rows, jobs) is not included',
    };
  } finally {
    await store.close();
  }
}

export async function run(opts: MetricsBenchOptions = {}): Promise<object> {
  const rows = opts.rows ?? 1_000_000;
  const partners = opts.partners ?? 200;
  const sweepN = opts.sweepCases ?? 100_000;
  const baselineN = Math.min(opts.sweepBaselineCases ?? 1_000, sweepN);
  const dir = mkdtempSync(join(tmpdir(), 'gridbridge-bench-metrics-'));
  try {
    const file = join(dir, 'cases.sqlite');
    const build = await buildDatabase(file, rows, partners);
    return {
      dataset: {
        rows,
        partners,
        now: new Date(NOW).toISOString(),
        build_ms: build.ms,
        file_mb: round(build.bytes / 2 ** 20, 1),
      },
      scorecards_closed_period: await scorecardBench(file, '2026-Q3'),
      scorecards_running_period: await scorecardBench(file, '2026-Q4'),
      sla_sweep: sweepBench(sweepN, baselineN),
      sla_sweep_from_store: await storeSweepBench(join(dir, 'sweep.sqlite'), sweepN),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const result = await run({ rows: arg('--rows'), sweepCases: arg('--sweep') });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
