import type { SyncContext } from '../../../sync/context.ts';
import type { TypedJobHandler } from '../../../sync/flowModule.ts';
import type { EscalationPayload } from '../jobs.ts';
import { decideSweepForCase } from '../decisions/slaSweep.ts';
import { listOpenCasesForSweep } from '../../../store/ops/listOpenCasesForSweep.ts';
import { listStatusHistories } from '../../../store/ops/listStatusHistories.ts';
import { saveCaseSla } from '../../../store/ops/saveCaseSla.ts';
import { recordEscalation } from '../../../store/ops/recordEscalation.ts';
import { enqueueJobs } from '../../../store/ops/enqueueJobs.ts';
import { checked, type Job } from '../../catalogue.ts';
import { appendAudit } from '../../../store/ops/audit.ts';
import { slaRuntime } from '../slaRuntime.ts';

/** Cases per sweep job: one page is read, decided and committed in one transaction. */
export const SWEEP_PAGE = 500;

/**
 * `sla.sweep` (scheduled, one job per time slot across instances): one page of open cases in id order;
 * the SLA clock and the core's decisions per case; the case_sla rows and the resulting jobs commit
 * together, and the next page is enqueued as its own job (`sla.sweep:<slot>:<last id>`), so a sweep of
 * 100,000 cases is 200 short transactions that resume where they stopped after a crash.
 */
export function slaSweepHandler(
  ctx: SyncContext,
  pageSize = SWEEP_PAGE,
): TypedJobHandler<EscalationPayload<'sla.sweep'>> {
  return async ({ payload }) => {
    const { slot, after } = payload;
    const db = ctx.store.db;
    const rt = slaRuntime(ctx.config);
    const page = await listOpenCasesForSweep(db, after ?? '', pageSize);
    const histories = await listStatusHistories(
      db,
      page.map((p) => p.record.id),
    );
    const nowMs = ctx.now();
    const now = new Date(nowMs);
    const decided = page.map((row) => ({
      row,
      d: decideSweepForCase({
        record: row.record,
        history: histories.get(row.record.id) ?? [],
        stored: row.sla,
        hasTask: row.cuTaskId !== null,
        sla: ctx.config.sla,
        routing: rt.routing,
        categories: ctx.config.categories,
        calendar: rt.calendar,
        now,
        slot,
      }),
    }));
    const max = ctx.config.dispatcher.max_attempts;
    return {
      status: 'done',
      commit: async (trx) => {
        const jobs: Job[] = [];
        for (const { row, d } of decided) {
          const u = d.update;
          const changed =
            row.sla === null ||
            row.sla.state !== u.state ||
            u.dueAt !== undefined ||
            u.reminders !== undefined ||
            u.escalationLevel !== undefined;
          if (changed) await saveCaseSla(trx, { caseId: row.record.id, ...u }, nowMs);
          if ((row.sla?.state ?? null) !== u.state)
            await appendAudit(
              trx,
              {
                actor: 'gridbridge:sla_sweep',
                entity: 'case',
                entityId: row.record.id,
                action: 'sla_state_changed',
                before: { state: row.sla?.state ?? null },
                after: { state: u.state },
              },
              nowMs,
            );
          for (const e of d.escalations) await recordEscalation(trx, { caseId: row.record.id, ...e }, nowMs);
          jobs.push(...d.jobs);
        }
        const last = page.at(-1);
        if (page.length === pageSize && last)
          jobs.push({
            kind: 'sla.sweep',
            key: `sla.sweep:${slot}:${last.record.id}`,
            payload: { slot, after: last.record.id },
          });
        await enqueueJobs(trx, checked(jobs), nowMs, max);
        if (jobs.length > 0) ctx.logger.debug({ slot, cases: page.length, jobs: jobs.length }, 'SLA sweep page');
      },
    };
  };
}
