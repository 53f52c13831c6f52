import { z } from 'zod';

/** Job kinds of flow 7 (stored kind strings) and their payloads. */
export const scorecardJobs = {
  /** Scheduled (the scheduler adds `slot`); `period` is given by the CLI and the demo, else the running period. */
  'metrics.push': z.object({ slot: z.number(), period: z.string().optional() }),
  /** One partner's scorecard in the contract's shape (core/metrics/scorecard.ts TradingGridScorecard). */
  'metrics.push_partner': z.object({
    partnerId: z.string(),
    scorecard: z.object({
      period: z.string(),
      avg_resolution_hours: z.number(),
      open_cases: z.number(),
      overdue_tasks: z.number(),
      sla_met_pct: z.number(),
    }),
  }),
} as const;
