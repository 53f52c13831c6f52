import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { GridbridgeConfig } from '../../config/schema.ts';
import { parsePeriod } from '../../core/metrics/period.ts';
import type { Database } from '../../store/schema.ts';
import { loadScorecards } from '../../flows/07-scorecards/loadScorecards.ts';

export interface ScorecardRouteDeps {
  db: Kysely<Database>;
  config: GridbridgeConfig;
  now: () => number;
}

/**
 * GET /api/scorecards?period=2026-Q3[&partner=P-ACME]: flow 7's scorecards as JSON (default period: the
 * running one of `metrics.period_kind`). Mounted after the admin API, so its `/api/*` auth applies.
 */
export function mountScorecardRoutes(app: Hono, deps: ScorecardRouteDeps): void {
  app.get('/api/scorecards', async (c) => {
    const period = c.req.query('period') || undefined;
    if (period !== undefined && !parsePeriod(period)) {
      return c.json(
        { error: `unknown period '${period}': expected YYYY, YYYY-Qn, YYYY-MM or YYYY-Www (ISO week)` },
        400,
      );
    }
    const partnerId = c.req.query('partner') || undefined;
    const { window, scorecards } = await loadScorecards(deps.db, deps.config, { period, partnerId, now: deps.now() });
    return c.json({
      period: window.period,
      time_zone: deps.config.calendar.time_zone,
      window: {
        start: new Date(window.start).toISOString(),
        end: new Date(window.end).toISOString(),
        as_of: new Date(window.asOf).toISOString(),
      },
      scorecards,
    });
  });
}
