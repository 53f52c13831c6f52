import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { enqueueJobs, type NewJob } from './enqueueJobs.ts';

export interface InboundEvent {
  source: string;
  eventId: string;
  type: string;
  payload: unknown;
}

/**
 * Durably accept an inbound event and the job that will process it, in one transaction.
 * A repeat of the same (source, event id) is a no-op: uniqueness lives in the primary key.
 */
export async function recordInboundEvent(db: Kysely<Database>, ev: InboundEvent, job: Omit<NewJob, 'payload'> & { payload?: unknown }, now: number): Promise<{ duplicate: boolean }> {
  return db.transaction().execute(async (trx) => {
    const ins = await trx
      .insertInto('inbound_events')
      .values({ source: ev.source, event_id: ev.eventId, type: ev.type, payload: JSON.stringify(ev.payload), received_at: now })
      .onConflict((oc) => oc.columns(['source', 'event_id']).doNothing())
      .executeTakeFirst();
    if (Number(ins.numInsertedOrUpdatedRows ?? 0) === 0) return { duplicate: true };
    await enqueueJobs(trx, [{ ...job, payload: job.payload ?? { source: ev.source, eventId: ev.eventId, type: ev.type, event: ev.payload } }], now);
    return { duplicate: false };
  });
}
