import type { SyncContext } from '../context.ts';
import type { JobHandler } from '../dispatcher.ts';
import { toTradingGridScorecard, type TradingGridScorecard } from '../../core/metrics/scorecard.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { loadScorecards } from '../metrics/loadScorecards.ts';
import { outcomeFromRemote } from '../outcome.ts';

/**
 * `metrics.push` (scheduled): the running period's scorecards from the store, one `metrics.push_partner`
 * job per partner keyed `metrics.push:<partner>:<period>:<slot>` (that key is also the Trading Grid
 * idempotency key). With `partners.require_mapping` only mapped partners are pushed (and all of them,
 * zeros included); otherwise every partner with cases.
 */
export function metricsPushHandler(ctx: SyncContext): JobHandler {
  return async ({ payload }) => {
    const { slot, period } = payload as { slot: number; period?: string };
    const mapped = Object.keys(ctx.config.partners.map);
    const { window, scorecards } = await loadScorecards(ctx.store.db, ctx.config, { period, now: ctx.now(), include: mapped });
    const push = ctx.config.partners.require_mapping ? scorecards.filter((s) => mapped.includes(s.partner_id)) : scorecards;
    return {
      status: 'done',
      commit: async (trx) => {
        await enqueueJobs(
          trx,
          push.map((s) => ({
            kind: 'metrics.push_partner',
            key: `metrics.push:${s.partner_id}:${window.period}:${slot}`,
            payload: { partnerId: s.partner_id, scorecard: toTradingGridScorecard(s) },
          })),
          ctx.now(),
          ctx.config.dispatcher.max_attempts,
        );
      },
    };
  };
}

/** `metrics.push_partner`: PUT one partner's scorecard to Trading Grid (idempotency key = job key). */
export function metricsPushPartnerHandler(ctx: SyncContext): JobHandler {
  return async ({ payload, job }) => {
    const p = payload as { partnerId: string; scorecard: TradingGridScorecard };
    const r = await ctx.tg.putScorecard(p.partnerId, { ...p.scorecard }, job.key);
    if (!r.ok) return outcomeFromRemote(r.error, `pushing the ${p.scorecard.period} scorecard of ${p.partnerId}`);
    return { status: 'done' };
  };
}
