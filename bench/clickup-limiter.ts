// Limiter benchmark: a sustained backlog against the time-scaled sandbox at a 100/min plan.
// Figures: budget utilisation (calls per window / plan limit, goal >= 95%), 429 count (goal 0),
// min/median/max over 3 runs. Run: node --import tsx bench/clickup-limiter.ts
import { pathToFileURL } from 'node:url';
import { startClickUpSandbox } from '../src/sandbox/clickup/server.ts';
import { createClickUpClient } from '../src/connectors/clickup/index.ts';

export interface LimiterRunFigures {
  calls: number;
  failed: number;
  rateLimited429: number;
  virtualSeconds: number;
  realMs: number;
  /** Calls per plan window divided by the plan limit. */
  utilisation: number;
}

/** One run: `calls` getTask-like reads queued at once against a `limit`/min plan. */
export async function runOnce(
  opts: { calls?: number; limit?: number; timeScale?: number } = {},
): Promise<LimiterRunFigures> {
  const calls = opts.calls ?? 1000;
  const limit = opts.limit ?? 100;
  const sb = await startClickUpSandbox({ rateLimitPerMinute: limit, timeScale: opts.timeScale ?? 60 });
  const cu = createClickUpClient({ baseUrl: sb.url, token: sb.token, now: sb.clock.now, sleep: sb.clock.sleep });
  try {
    const t0v = sb.clock.now();
    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: calls }, () => cu.getList(sb.lists.cases)));
    const virtualMs = sb.clock.now() - t0v;
    const failed = results.filter((r) => !r.ok).length;
    // The first window may already be partly spent when the backlog starts; measure from the first call.
    const windows = virtualMs / 60_000;
    return {
      calls,
      failed,
      rateLimited429: sb.stats().rateLimited429,
      virtualSeconds: Math.round(virtualMs / 100) / 10,
      realMs: Math.round(performance.now() - t0),
      utilisation: Math.round(((calls - failed) / (limit * windows)) * 1000) / 1000,
    };
  } finally {
    await cu.close();
    await sb.close();
  }
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};

/** Three runs of a 1,000-call backlog at 100/min (time-scaled), summarised. */
export async function run(): Promise<object> {
  const runs: LimiterRunFigures[] = [];
  for (let i = 0; i < 3; i++) runs.push(await runOnce());
  return {
    bench: 'clickup-limiter',
    plan: '100 requests/min, timeScale 60 (one plan minute = 1 s), backlog 1000 calls',
    goals: { utilisation: '>= 0.95', rateLimited429: 0 },
    utilisation: stats(runs.map((r) => r.utilisation)),
    rateLimited429: stats(runs.map((r) => r.rateLimited429)),
    failed: stats(runs.map((r) => r.failed)),
    realMs: stats(runs.map((r) => r.realMs)),
    runs,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}
