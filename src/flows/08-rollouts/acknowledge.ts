import type { SyncContext } from '../../sync/context.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import { ackFigures, decideAck, type RolloutRecord } from './decisions/rollout.ts';
import { getFlowRecord, type FlowRecord } from '../../store/ops/flowRecords.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { commitFlow } from '../shared/flowSupport.ts';
import { cfg, FLOW, gateOf } from './config.ts';

/**
 * One partner's acknowledgement, however it came: counted once per partner; the task's figures follow;
 * the gate may open. `via` names a channel other than the community API.
 */
export function acknowledged(
  ctx: SyncContext,
  c: NonNullable<ReturnType<typeof cfg>>,
  rec: FlowRecord<RolloutRecord>,
  partnerId: string,
  at: string,
  via?: string,
): JobOutcome {
  const d = decideAck(rec.data, partnerId, at, gateOf(c));
  if (!d) return { status: 'done' };
  return {
    status: 'done',
    commit: async (trx) => {
      await commitFlow(
        ctx,
        trx,
        { flow: FLOW, id: rec.id, state: 'active', lookup: rec.lookup, data: d.record },
        rec.version,
        d.jobs,
      );
      await appendAudit(
        trx,
        {
          actor: partnerId,
          entity: FLOW,
          entityId: rec.id,
          action: 'notice_acknowledged',
          after: via ? { ...ackFigures(d.record), via } : ackFigures(d.record),
        },
        ctx.now(),
      );
    },
  };
}

/** A partner's acknowledgement from the partner page, counted like one from the community API. */
export async function acknowledgeRollout(
  ctx: SyncContext,
  rolloutId: string,
  partnerId: string,
  at: string,
  via: string,
): Promise<JobOutcome> {
  const c = cfg(ctx);
  if (!c) return { status: 'done' };
  const rec = await getFlowRecord<RolloutRecord>(ctx.store.db, FLOW, rolloutId);
  return rec ? acknowledged(ctx, c, rec, partnerId, at, via) : { status: 'done' };
}
