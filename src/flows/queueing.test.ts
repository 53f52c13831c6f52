import { afterEach, describe, expect, it } from 'vitest';
import { tempSqliteStore } from '../../test/helpers/tempStore.ts';
import { enqueueJobs } from '../store/ops/enqueueJobs.ts';
import { recordInboundEvent } from '../store/ops/recordInboundEvent.ts';
import { checked, newJob, type Job } from './catalogue.ts';
import { newEngineJob, newScheduledJob } from '../sync/engineJobs.ts';
import type { Store } from '../store/db.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

// Type tests: each `@ts-expect-error` fails tsc (and so `npm test`) when the line under it compiles. The store's queue
// takes only jobs a catalogue made, so a job queued with an unchecked kind or payload does not compile.
// Never called: the lines only need to compile (or not). Exported so it is not unused.
export async function untypedQueueCallsDoNotCompile(store: Store, now: number): Promise<void> {
  // @ts-expect-error: a plain object is not a checked job, even with a real kind and a right payload
  await enqueueJobs(store.db, [{ kind: 'approval.close_task', key: 'k', payload: { requestId: 'R-1' } }], now);
  // @ts-expect-error: a kind no catalogue has
  await enqueueJobs(store.db, [newJob('approval.unclose', { requestId: 'R-1' }, { key: 'k' })], now);
  // @ts-expect-error: the payload of another kind
  await enqueueJobs(store.db, [newJob('approval.close_task', { caseId: 'C-1' }, { key: 'k' })], now);
  const decided: Job = { kind: 'approval.close_task', key: 'k', payload: { requestId: 'R-1' } };
  // @ts-expect-error: a decision's job is queued through `checked`
  await enqueueJobs(store.db, [decided], now);
  await recordInboundEvent(
    store.db,
    { source: 'tradinggrid', eventId: 'e', type: 'case.opened', payload: {} },
    // @ts-expect-error: an inbound event's job is a checked job too
    { kind: 'tg.event', key: 'tg.event:e', payload: {} },
    now,
  );
  // @ts-expect-error: a Trading Grid event job needs a Trading Grid event
  newEngineJob('tg.event', { id: 'e' }, { key: 'k' });
  // @ts-expect-error: a scheduled job's kind takes a slot; this one does not
  newScheduledJob('approval.close_task', undefined, 0, { key: 'k', queueKey: 'q' });
}

describe('queueing a job', () => {
  it('jobs made by the catalogues are queued with their kind, key and payload as given', async () => {
    const t = await tempSqliteStore();
    cleanups.push(t.cleanup);
    const now = 1_700_000_000_000;
    const decided: Job<'approval.close_task'> = {
      kind: 'approval.close_task',
      key: 'close:R-1',
      payload: { requestId: 'R-1' },
    };
    const queued = await enqueueJobs(
      t.store.db,
      [
        newJob('case.reintake', { caseId: 'C-1', source: 'community' }, { key: 'reintake:C-1', queueKey: 'case:C-1' }),
        ...checked([decided]),
        newScheduledJob('store.prune', undefined, now, { key: 'sched:store.prune', queueKey: 'sched:store.prune' }),
      ],
      now,
    );
    expect(queued).toBe(3);
    const ev = {
      id: 'e1',
      type: 'trading_partner.created',
      occurred_at: '2026-01-01T00:00:00Z',
      data: { id: 'P-1' },
    } as const;
    await recordInboundEvent(
      t.store.db,
      { source: 'tradinggrid', eventId: ev.id, type: ev.type, payload: ev },
      newEngineJob('tg.event', ev, { key: 'tg.event:e1', queueKey: 'partner:P-1' }),
      now,
    );
    const rows = await t.store.db
      .selectFrom('jobs')
      .select(['kind', 'key', 'queue_key', 'payload'])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      {
        kind: 'case.reintake',
        key: 'reintake:C-1',
        queue_key: 'case:C-1',
        payload: '{"caseId":"C-1","source":"community"}',
      },
      { kind: 'approval.close_task', key: 'close:R-1', queue_key: null, payload: '{"requestId":"R-1"}' },
      { kind: 'store.prune', key: 'sched:store.prune', queue_key: 'sched:store.prune', payload: `{"slot":${now}}` },
      { kind: 'tg.event', key: 'tg.event:e1', queue_key: 'partner:P-1', payload: JSON.stringify(ev) },
    ]);
  });

  it("a schedule whose payload its kind's schema refuses is not queued: the slot job throws, naming the kind", () => {
    // Fields typed right but refused at run time (sla.sweep's `after` is a string; the cast stands for a config mistake).
    expect(() =>
      newScheduledJob('sla.sweep', { after: 7 as unknown as string }, 0, { key: 'k', queueKey: 'q' }),
    ).toThrow(/schedule of 'sla.sweep'/);
  });
});
