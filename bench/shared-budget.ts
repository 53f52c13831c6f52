// Shared-budget bench: the ClickUp budget three instances share over one PostgreSQL database, without the
// bridges around it (so a loaded machine slows it less than the backlog bench, whose bridges are CPU-bound
// there). Three ClickUp clients, each with its own SharedBudgetRateLimiter on its own connection to one
// database, against the time-scaled sandbox at 100/min: each first learns the plan from one answer, then
// nothing is sent for a while (an outage: the shared window and ClickUp's fall out of step), then a backlog
// of calls is drained by 4 callers per client. Figures: 429s (goal 0) and budget used (calls / (plan ×
// virtual minutes of the drain), goal >= 0.95), over runs with different pauses.
// Run: npm run bench -- shared-budget; SHARED_CALLS (default 600), SHARED_RUNS (default 3),
// SHARED_SCALE (default 10: the plan is 100 calls per 6 real seconds; at 60 a loaded machine's store round
// trips, not the budget, set the pace).
import { pathToFileURL } from 'node:url';
import { startClickUpSandbox } from '../src/sandbox/clickup/server.ts';
import { createClickUpClient } from '../src/connectors/clickup/index.ts';
import { SharedBudgetRateLimiter } from '../src/connectors/clickup/sharedRateLimiter.ts';
import { clickUpBudgetFor } from '../src/store/ops/takeClickUpBudget.ts';
import { openMigratedStore, type Store } from '../src/store/db.ts';
import { createPgDatabase, pgUnavailable } from '../test/helpers/pgStore.ts';

const PLAN = 100;

export interface SharedBudgetRun {
  calls: number;
  pause_virtual_s: number;
  rate_limited_429: number;
  drain_virtual_minutes: number;
  budget_share: number;
}

async function runOnce(o: { calls: number; pauseS: number; timeScale: number }): Promise<SharedBudgetRun> {
  const sb = await startClickUpSandbox({ rateLimitPerMinute: PLAN, timeScale: o.timeScale });
  const pg = await createPgDatabase();
  const stores: Store[] = [];
  try {
    const clients = [];
    for (let i = 0; i < 3; i++) {
      const s = await openMigratedStore(pg.url);
      stores.push(s);
      const limiter = new SharedBudgetRateLimiter(clickUpBudgetFor(s.db, sb.token, sb.clock.now), {
        now: sb.clock.now,
        sleep: sb.clock.sleep,
      });
      clients.push(
        createClickUpClient({ baseUrl: sb.url, token: sb.token, now: sb.clock.now, sleep: sb.clock.sleep, limiter }),
      );
    }
    for (const c of clients) await c.getList(sb.lists.cases);
    await sb.clock.sleep(o.pauseS * 1000);
    const s0 = sb.stats();
    const v0 = sb.clock.now();
    let next = 0;
    await Promise.all(
      clients.flatMap((c) =>
        Array.from({ length: 4 }, async () => {
          while (next < o.calls) {
            next++;
            await c.getList(sb.lists.cases);
          }
        }),
      ),
    );
    const minutes = (sb.clock.now() - v0) / 60_000;
    return {
      calls: o.calls,
      pause_virtual_s: o.pauseS,
      rate_limited_429: sb.stats().rateLimited429 - s0.rateLimited429,
      drain_virtual_minutes: Math.round(minutes * 10) / 10,
      budget_share: Math.round((o.calls / (PLAN * minutes)) * 1000) / 1000,
    };
  } finally {
    for (const s of stores) await s.close().catch(() => undefined);
    await sb.close();
    await pg.drop().catch(() => undefined);
  }
}

export async function run(): Promise<object> {
  const why = await pgUnavailable();
  if (why) return { bench: 'shared-budget', skipped: `PostgreSQL not reachable: ${why}` };
  const calls = Number(process.env.SHARED_CALLS ?? 600);
  const timeScale = Number(process.env.SHARED_SCALE ?? 10);
  const runs: SharedBudgetRun[] = [];
  // Pauses that leave the shared window at different offsets from ClickUp's.
  for (let i = 0; i < Number(process.env.SHARED_RUNS ?? 3); i++)
    runs.push(await runOnce({ calls, pauseS: 17 + 11 * (i + 1), timeScale }));
  return {
    bench: 'shared-budget',
    method: `3 instances (one PostgreSQL database), ${PLAN}/min time-scaled ${timeScale}×; each learns the plan, a pause, then ${calls} calls drained by 4 callers per instance. Budget share: calls / (plan × virtual minutes of the drain); a drain that starts and ends inside windows can exceed 1`,
    goals: { budget_share: '>= 0.95', rate_limited_429: 0 },
    rate_limited_429: runs.map((r) => r.rate_limited_429),
    budget_share: runs.map((r) => r.budget_share),
    runs,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
  process.exit(0);
}
