// backlog: a backlog after a ClickUp outage. ClickUp answers 5xx (500/502/503) while the cases arrive; then it
// recovers, and the bridge drains the backlog within the plan's rate limit. Figures per plan (100/min and
// 1,000/min) and per setup (SQLite, 1 instance; PostgreSQL, 3 instances sharing the budget): time to drain,
// share of the budget used while draining (goal >= 95 %), 429s (goal 0), webhook ack p99 during the drain,
// dead letters, peak RSS.
//
// Time-scaled as the clickup-limiter bench is: the ClickUp sandbox runs a virtual clock `timeScale` times
// faster than real time, and the bridges' ClickUp client and shared budget run on it (BridgeOptions
// .clickupClock), so rate windows shrink with it. The scale is chosen per plan so that the plan is 100
// calls per real second (100/min: 60×; 1,000/min: 6×). The dispatcher's retry backoff is scaled by the same
// factor (its base and cap divided by it), so retries during the outage follow the same pattern, in virtual
// time, as the defaults do in production. Everything else (HTTP, the store) runs in real time.
//
// Sequence: the bridges start (their start-up checks read ClickUp), ClickUp goes down, every case's webhook
// is posted (acknowledged and stored, the dispatcher not started yet), then the dispatchers start and run
// `outageMinutes` of virtual time against the outage (intake reads Trading Grid; every task creation fails
// and backs off), then ClickUp recovers. The drain lasts until every case has its task; meanwhile partner
// updates of existing cases arrive (case.updated, 20 per second), whose acknowledgements are timed.
//
// Everything runs in this process (sandboxes, load, the bridges: startBridge, several on one PostgreSQL
// database for the 3-instance setup), so RSS and ack times include all of it.
// Run: npm run bench -- backlog; BACKLOG_CASES=1000 for a quick run (default 10,000);
// BACKLOG_OUTAGE_MINUTES (virtual, default 3); BACKLOG_PLANS=100,1000; BACKLOG_SETUPS=sqlite_1,postgres_3.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import pino from 'pino';
import { sql } from 'kysely';
import { startClickUpSandbox } from '../src/sandbox/clickup/server.ts';
import { startTradingGridSandbox, type TradingGridSandbox } from '../src/sandbox/tradinggrid/index.ts';
import { configForSandboxes } from '../src/cli/sandboxSetup.ts';
import { startBridge, type Bridge } from '../src/server/bridge.ts';
import { createPgDatabase, pgUnavailable } from '../test/helpers/pgStore.ts';
import { signTgEvent } from './signedEvents.ts';
import { percentile, round } from './stats.ts';

const CREATE = 'POST /api/v2/list/{list_id}/task';
/**
 * Real calls per second every plan is scaled to (timeScale = 60 × this / plan per minute = 6,000 / plan).
 * BACKLOG_REAL_CALLS_PER_SECOND lowers it on a loaded machine, where the bridges cannot keep up with 100 a second.
 */
const REAL_CALLS_PER_SECOND = Number(process.env.BACKLOG_REAL_CALLS_PER_SECOND ?? 100);
/** Partner updates posted per real second during the drain (their acknowledgements are the drain's ack figures). */
const UPDATES_PER_SECOND = 20;
const POSTERS = 32;

interface Setup {
  key: string;
  store: 'sqlite' | 'postgres';
  instances: number;
}
const SETUPS: Setup[] = [
  { key: 'sqlite_1', store: 'sqlite', instances: 1 },
  { key: 'postgres_3', store: 'postgres', instances: 3 },
];

type TgEvent = { id: string; type: string; occurred_at: string; data: { id: string; partner_id: string } };

async function raise(tg: TradingGridSandbox, n: number, tag: string): Promise<TgEvent[]> {
  const events: TgEvent[] = [];
  for (let i = 0; i < n; i++) {
    const c = await tg.raiseCase({
      partnerId: i % 2 ? 'P-ACME' : 'P-GLOBEX',
      kind: 'dispute',
      title: `backlog ${tag} ${i}`,
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

/** Posts one signed event to one of `pools` (round-robin by `i`); its acknowledgement time in ms. */
async function post(pools: Pool[], i: number, ev: TgEvent, secret: string): Promise<number> {
  const s = signTgEvent(ev, secret);
  const t0 = performance.now();
  const r = await pools[i % pools.length]!.request({
    method: 'POST',
    path: '/webhooks/tradinggrid',
    headers: s.headers,
    body: s.body,
  });
  await r.body.dump();
  if (r.statusCode >= 300) throw new Error(`webhook answered ${r.statusCode}`);
  return performance.now() - t0;
}

export interface BacklogRun {
  plan_per_minute: number;
  time_scale: number;
  cases: number;
  outage_virtual_minutes: number;
  /** From recovery until every case has its task. */
  drain_real_s: number;
  drain_virtual_minutes: number;
  /** ClickUp requests while draining / (plan × virtual minutes of the drain). */
  budget_share: number;
  rate_limited_429: number;
  clickup_requests_while_draining: number;
  tasks_created_while_draining: number;
  /** 5xx answered while ClickUp was down (attempts the outage cost). */
  failed_during_outage: number;
  dead_letters: number;
  ack_ms_while_arriving: { p50: number; p99: number };
  ack_ms_while_draining: { p50: number; p99: number; n: number };
  peak_rss_mb_bench_process: number;
  /** BACKLOG_TIMELINE=1: every 2 real seconds of the drain, what ClickUp was asked and where the create jobs were. */
  timeline?: TimelinePoint[];
}

interface TimelinePoint {
  /** Virtual seconds since recovery. */
  v_s: number;
  linked: number;
  /** ClickUp requests since the previous point: creates, task-list reads (saved-task look-ups), others. */
  creates: number;
  list_reads: number;
  other: number;
  /** clickup.create_task jobs: ready and due, ready and waiting (run_at ahead), running; the latest run_at ahead (virtual s). */
  due: number;
  waiting: number;
  running: number;
  last_wait_v_s: number;
  /** Per bridge: its ClickUp limiter's calls left in the window, callers queued, calls in flight, virtual s to its reset. */
  limiters: Array<{ remaining: number | null; queued: number; in_flight: number; reset_in_v_s: number | null }>;
}

async function oneRun(o: { plan: number; setup: Setup; cases: number; outageMinutes: number; tag: string }) {
  const env = process.env;
  const timeScale = (60 * REAL_CALLS_PER_SECOND) / o.plan;
  const cu = await startClickUpSandbox({ rateLimitPerMinute: o.plan, timeScale });
  const tg = await startTradingGridSandbox({ idTag: `B${o.tag}` });
  const dir = mkdtempSync(join(tmpdir(), 'gb-backlog-'));
  const pgDb = o.setup.store === 'postgres' ? await createPgDatabase() : null;
  const bridges: Bridge[] = [];
  let rssPeak = process.memoryUsage().rss;
  const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 250);
  try {
    const scaled = (ms: number) => Math.max(1, Math.round(ms / timeScale));
    const { config, secrets } = configForSandboxes(
      { clickup: { url: cu.url, token: cu.token, teamId: cu.teamId, lists: cu.lists }, tradinggrid: tg },
      {
        storeUrl: pgDb ? pgDb.url : `sqlite:${join(dir, 'backlog.db')}`,
        // The production defaults (500 ms doubling up to 5 minutes), on the virtual clock.
        extra: { dispatcher: { backoff_base_ms: scaled(500), backoff_max_ms: scaled(300_000) } },
      },
    );
    // No ClickUp webhook (its echoes cost no ClickUp call) and no Trading Grid poll (a cost per 5 minutes of real time).
    (config.clickup as { webhook: { register: boolean } }).webhook.register = false;
    (config.tradinggrid as { poll_cron?: string }).poll_cron = 'off';
    const clickupClock = { now: cu.clock.now, sleep: cu.clock.sleep };
    for (let i = 0; i < o.setup.instances; i++)
      bridges.push(
        await startBridge({ config, secrets, logger: pino({ level: 'silent' }), manualDispatch: true, clickupClock }),
      );
    const db = bridges[0]!.store.db;
    const count = async (q: string) => Number((await sql<{ n: number }>`${sql.raw(q)}`.execute(db)).rows[0]!.n);
    const linked = () => count("SELECT count(*) AS n FROM links WHERE entity = 'case'");
    const pools = bridges.map((b) => new Pool(b.url, { connections: 16 }));

    // The outage: cases arrive while ClickUp answers 5xx.
    const events = await raise(tg, o.cases, o.tag);
    cu.setFaults({ errorRate: 1 });
    const s5xx0 = cu.stats().injected5xx;
    const arriving: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: POSTERS }, async () => {
        while (next < events.length) {
          const i = next++;
          arriving.push(await post(pools, i, events[i]!, tg.webhookSecret));
        }
      }),
    );
    for (const b of bridges) b.dispatcher.start();
    await new Promise((r) => setTimeout(r, (o.outageMinutes * 60_000) / timeScale));
    cu.setFaults({ errorRate: 0 });
    const failedDuringOutage = cu.stats().injected5xx - s5xx0;

    // The drain, with partner updates of existing cases arriving meanwhile.
    const s0 = cu.stats();
    const v0 = cu.clock.now();
    const t0 = performance.now();
    const draining: number[] = [];
    let done = false;
    const updates = (async () => {
      let k = 0;
      const inFlight = new Set<Promise<void>>();
      while (!done) {
        const ev = events[(k * 7919) % events.length]!;
        const upd: TgEvent = { ...ev, id: `${ev.id}-upd-${k}`, type: 'case.updated' };
        const p = post(pools, k, upd, tg.webhookSecret).then((ms) => void draining.push(ms));
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
        k++;
        await new Promise((r) => setTimeout(r, 1000 / UPDATES_PER_SECOND));
      }
      await Promise.all(inFlight);
    })();
    let last = -1;
    let lastChange = performance.now();
    const timeline: TimelinePoint[] = [];
    let prev = cu.stats();
    const LIST_READ = 'GET /api/v2/list/{list_id}/task';
    const sample = async () => {
      const st = cu.stats();
      const d = (k: string) => (st.requests[k] ?? 0) - (prev.requests[k] ?? 0);
      const now = Date.now();
      const r = await sql<{ due: number; waiting: number; running: number; last: number | null }>`
        SELECT count(*) FILTER (WHERE state = 'ready' AND run_at <= ${now}) AS due,
               count(*) FILTER (WHERE state = 'ready' AND run_at > ${now}) AS waiting,
               count(*) FILTER (WHERE state = 'running') AS running,
               max(run_at) FILTER (WHERE state = 'ready') AS last
        FROM jobs WHERE kind = 'clickup.create_task'`.execute(db);
      const row = r.rows[0]!;
      timeline.push({
        v_s: round((cu.clock.now() - v0) / 1000, 0),
        linked: await linked(),
        creates: d(CREATE),
        list_reads: d(LIST_READ),
        other: st.total - prev.total - d(CREATE) - d(LIST_READ),
        due: Number(row.due),
        waiting: Number(row.waiting),
        running: Number(row.running),
        last_wait_v_s: row.last == null ? 0 : round((Math.max(0, Number(row.last) - now) * timeScale) / 1000, 0),
        limiters: bridges.map((b) => {
          const l = b.clickup.rateLimitState();
          return {
            remaining: l.remaining,
            queued: l.queued,
            in_flight: l.inFlight,
            reset_in_v_s: l.resetAt === null ? null : round((l.resetAt - cu.clock.now()) / 1000, 0),
          };
        }),
      });
      prev = st;
    };
    const timelineTimer = env.BACKLOG_TIMELINE ? setInterval(() => void sample(), 2000) : null;
    for (;;) {
      const n = await linked();
      if (n >= o.cases) break;
      if (n !== last) {
        last = n;
        lastChange = performance.now();
      }
      // Stuck (every remaining case dead-lettered, or nothing moving for 2 minutes): stop and say so.
      if (performance.now() - lastChange > 120_000) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const drainMs = performance.now() - t0;
    if (timelineTimer) clearInterval(timelineTimer);
    const drainVirtualMin = (cu.clock.now() - v0) / 60_000;
    done = true;
    await updates;
    const s1 = cu.stats();
    const requests = s1.total - s0.total;
    const deadLetters = await count('SELECT count(*) AS n FROM dead_letters');
    const tasks = await linked();
    arriving.sort((a, b) => a - b);
    draining.sort((a, b) => a - b);
    await Promise.all(pools.map((p) => p.close()));
    const run: BacklogRun = {
      plan_per_minute: o.plan,
      time_scale: timeScale,
      cases: o.cases,
      outage_virtual_minutes: o.outageMinutes,
      drain_real_s: round(drainMs / 1000, 1),
      drain_virtual_minutes: round(drainVirtualMin, 1),
      budget_share: round(requests / (o.plan * drainVirtualMin), 3),
      rate_limited_429: s1.rateLimited429 - s0.rateLimited429,
      clickup_requests_while_draining: requests,
      tasks_created_while_draining: (s1.requests[CREATE] ?? 0) - (s0.requests[CREATE] ?? 0),
      failed_during_outage: failedDuringOutage,
      dead_letters: deadLetters,
      ack_ms_while_arriving: { p50: round(percentile(arriving, 50)), p99: round(percentile(arriving, 99)) },
      ack_ms_while_draining: {
        p50: round(percentile(draining, 50)),
        p99: round(percentile(draining, 99)),
        n: draining.length,
      },
      peak_rss_mb_bench_process: round(rssPeak / 2 ** 20, 0),
      ...(timelineTimer ? { timeline } : {}),
    };
    return { ...run, ...(tasks < o.cases ? { not_drained: `${o.cases - tasks} cases without a task` } : {}) };
  } finally {
    clearInterval(rssTimer);
    await Promise.allSettled(bridges.map((b) => b.stop()));
    await Promise.allSettled([cu.close(), tg.close()]);
    await pgDb?.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(
  opts: { cases?: number; outageMinutes?: number; plans?: number[]; setups?: string[] } = {},
): Promise<object> {
  const env = process.env;
  const cases = opts.cases ?? Number(env.BACKLOG_CASES ?? 10_000);
  const outageMinutes = opts.outageMinutes ?? Number(env.BACKLOG_OUTAGE_MINUTES ?? 3);
  const plans = opts.plans ?? (env.BACKLOG_PLANS ? env.BACKLOG_PLANS.split(',').map(Number) : [100, 1000]);
  const wanted = opts.setups ?? env.BACKLOG_SETUPS?.split(',');
  const pgWhy = await pgUnavailable();
  const results: Record<string, unknown> = {};
  for (const setup of SETUPS.filter((s) => !wanted || wanted.includes(s.key))) {
    for (const plan of plans) {
      const key = `${setup.key}_${plan}_per_min`;
      if (setup.store === 'postgres' && pgWhy) {
        results[key] = { skipped: `PostgreSQL not reachable: ${pgWhy}` };
        continue;
      }
      process.stderr.write(`backlog: ${key}, ${cases} cases…\n`);
      results[key] = await oneRun({
        plan,
        setup,
        cases,
        outageMinutes,
        tag: `${setup.key[0]}${plan}${Date.now() % 100_000}`,
      });
    }
  }
  return {
    bench: 'backlog',
    method: `${cases} cases arrive while ClickUp answers 5xx; the dispatchers then run ${outageMinutes} virtual minutes against the outage before ClickUp recovers. Time-scaled so that every plan is ${REAL_CALLS_PER_SECOND} calls per real second (ClickUp client, shared budget and retry backoff on the sandbox's virtual clock). One run per plan and setup. Drain: from recovery until every case has its task; meanwhile ${UPDATES_PER_SECOND} partner updates per second arrive and their acknowledgements are timed. All in one process (sandboxes, load and bridges), so RSS and ack times include all of it`,
    goals: { budget_share: '>= 0.95', rate_limited_429: 0 },
    ...results,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
  process.exit(0);
}
