import type { JobOutcome } from '../../sync/dispatcher.ts';
import type { TgEventRoute } from '../../sync/tgEventRoute.ts';
import type { CuEntityRoute } from '../../sync/cuEntityRoute.ts';
import { decideStepChange, type RolloutRecord } from './decisions/rollout.ts';
import { splitGroupEntityId } from '../../core/taskGroup.ts';
import { findFlowRecordByLookup, getFlowRecord } from '../../store/ops/flowRecords.ts';
import { outcomeFromRemote } from '../../sync/outcome.ts';
import { commitFlow, isTaskFinished } from '../shared/flowSupport.ts';
import { cfg, FLOW, gateOf } from './config.ts';
import { acknowledged } from './acknowledge.ts';

/** Flow 8's routes: acknowledgements from the community API, and plan steps finished in ClickUp. */

/** `notice.acknowledged` from the community API. */
export const rolloutTgRoute: TgEventRoute = (ctx, ev) => {
  const c = cfg(ctx);
  if (!c || ev.type !== 'notice.acknowledged') return null;
  const { id: noticeId, partner_id: partnerId } = ev.data;
  const at = ev.data.acknowledged_at ?? ev.occurred_at;
  return (async (): Promise<JobOutcome> => {
    const rec = await findFlowRecordByLookup<RolloutRecord>(ctx.store.db, FLOW, noticeId);
    return rec ? acknowledged(ctx, c, rec, partnerId, at) : { status: 'done' };
  })();
};

/** A plan step changed: a finished one is recorded (in the commit, as steps change together); go-live is gated. */
export const rolloutCuRoute: CuEntityRoute = async (ctx, _ev, link) => {
  const c = cfg(ctx);
  const { groupId, step } = splitGroupEntityId(link.entityId);
  if (!c || step === 'parent') return { status: 'done' };
  const t = await ctx.clickup.getTask(link.cuTaskId);
  if (!t.ok) return outcomeFromRemote(t.error, `reading rollout task ${link.cuTaskId}`);
  if (!isTaskFinished(t.value)) return { status: 'done' };
  return {
    status: 'done',
    commit: async (trx) => {
      const rec = await getFlowRecord<RolloutRecord>(trx, FLOW, groupId);
      if (!rec) return;
      const d = decideStepChange(rec.data, step, true, gateOf(c), ctx.now());
      if (!d) return;
      await commitFlow(
        ctx,
        trx,
        { flow: FLOW, id: rec.id, state: 'active', lookup: rec.lookup, data: d.record },
        rec.version,
        d.jobs,
      );
    },
  };
};
