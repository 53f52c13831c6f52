import type { SyncContext } from '../../sync/context.ts';
import type { TypedJobHandler } from '../../sync/flowModule.ts';
import { newJob, type JobPayload } from '../catalogue.ts';
import { toTradingGridScorecard } from '../../core/metrics/scorecard.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { loadScorecards } from './loadScorecards.ts';
import { outcomeFromRemote } from '../../sync/outcome.ts';
import { periodOf, periodRange, parsePeriod } from '../../core/metrics/period.ts';
import { renderScorecardCsv } from '../../core/metrics/scorecardCsv.ts';
import { partnerRoute } from '../../channels/partner-email/route.ts';
import { queuePartnerMail } from '../../channels/partner-email/outbox.ts';

/**
 * `metrics.push` (scheduled): the running period's scorecards from the store, one `metrics.push_partner`
 * job per partner keyed `metrics.push:<partner>:<period>:<slot>` (that key is also the Trading Grid
 * idempotency key). With `partners.require_mapping` only mapped partners are pushed (and all of them,
 * zeros included); otherwise every partner with cases.
 */
export function metricsPushHandler(ctx: SyncContext): TypedJobHandler<JobPayload<'metrics.push'>> {
  return async ({ payload: { slot, period } }) => {
    const mapped = Object.keys(ctx.config.partners.map);
    const { window, scorecards } = await loadScorecards(ctx.store.db, ctx.config, {
      period,
      now: ctx.now(),
      include: mapped,
    });
    const candidates = ctx.config.partners.require_mapping
      ? scorecards.filter((s) => mapped.includes(s.partner_id))
      : scorecards;
    const push =
      ctx.config.tradinggrid.driver === 'community'
        ? candidates.filter(
            (s) =>
              ctx.config.partners.map[s.partner_id]?.community !== false &&
              partnerRoute(ctx, s.partner_id, 'scorecards').community,
          )
        : [];
    // E-mail: a closed period's scorecard, once per partner and period (the running period changes every
    // hour; a mail each time would be noise). An explicit period (CLI, demo) is mailed as asked.
    const mailTo = (ctx.partnerChannel ? mapped.concat(Object.keys(ctx.partnerChannel.section.partners)) : []).filter(
      (id, i, all) => all.indexOf(id) === i && partnerRoute(ctx, id, 'scorecards').email,
    );
    let mailed: typeof scorecards = [];
    if (mailTo.length > 0) {
      const tz = ctx.config.calendar.time_zone;
      const running = periodOf(ctx.now(), ctx.config.metrics.period_kind, tz);
      const label =
        period ??
        periodOf(periodRange(parsePeriod(running.label)!, tz).start - 1, ctx.config.metrics.period_kind, tz).label;
      mailed = (
        await loadScorecards(ctx.store.db, ctx.config, { period: label, now: ctx.now(), include: mailTo })
      ).scorecards.filter((s) => mailTo.includes(s.partner_id));
    }
    return {
      status: 'done',
      commit: async (trx) => {
        for (const s of mailed) {
          const name = ctx.config.partners.map[s.partner_id]?.name ?? s.partner_id;
          await queuePartnerMail(ctx, trx, {
            partnerId: s.partner_id,
            kind: 'scorecard',
            entity: 'scorecard',
            entityId: `${s.partner_id}:${s.period}`,
            key: `scorecard:${s.partner_id}:${s.period}`,
            facts: {
              period: s.period,
              resolvedCases: s.resolved_cases,
              avgResolutionHours: s.avg_resolution_hours ?? '–',
              openCases: s.open_cases,
              overdueTasks: s.overdue_tasks,
              slaMetPct: s.sla_met_pct ?? '–',
              csv: renderScorecardCsv([s], new Map([[s.partner_id, name]])),
            },
          });
        }
        await enqueueJobs(
          trx,
          push.map((s) =>
            newJob(
              'metrics.push_partner',
              { partnerId: s.partner_id, scorecard: toTradingGridScorecard(s) },
              { key: `metrics.push:${s.partner_id}:${window.period}:${slot}` },
            ),
          ),
          ctx.now(),
          ctx.config.dispatcher.max_attempts,
        );
      },
    };
  };
}

/** `metrics.push_partner`: PUT one partner's scorecard to Trading Grid (idempotency key = job key). */
export function metricsPushPartnerHandler(ctx: SyncContext): TypedJobHandler<JobPayload<'metrics.push_partner'>> {
  return async ({ payload: p, job }) => {
    const r = await ctx.tg.putScorecard(p.partnerId, { ...p.scorecard }, job.key);
    if (!r.ok) return outcomeFromRemote(r.error, `pushing the ${p.scorecard.period} scorecard of ${p.partnerId}`);
    return { status: 'done' };
  };
}
