import { expect, it } from 'vitest';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import { anyJob } from '../../../test/helpers/anyJob.ts';
import type { CaseRecord } from '../../core/case.ts';
import type { Store } from '../../store/db.ts';
import { saveCase } from '../../store/ops/cases.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { listDeadLetters } from '../../store/ops/replayDeadLetter.ts';
import { takeWaitingJobs } from '../../store/ops/waitingJobs.ts';
import { Dispatcher, type JobOutcome } from '../../sync/dispatcher.ts';
import type { SyncContext } from '../../sync/context.ts';
import { noTaskYet } from './noTaskYet.ts';

const { describeStores, make } = await storesUnderTest('src/flows/shared/noTaskYet.test.ts');

function caseRecord(id: string, state: CaseRecord['state']): CaseRecord {
  return {
    id,
    source: 'community',
    partnerId: 'P-UNMAPPED',
    partnerName: null,
    partnerTier: null,
    kind: 'dispute',
    title: 'A case',
    description: '',
    transactionRef: null,
    value: null,
    partnerStatus: 'received',
    state,
    holdReason: state === 'needs_mapping' ? 'partner P-UNMAPPED is not in partners.map' : null,
    slaDueAt: null,
    openedAt: 1,
    resolvedAt: null,
    updatedAt: 1,
  };
}

/** A dispatcher whose one job kind finds no task for its case (as the status, comment and document jobs do). */
function dispatcherOn(store: Store, clock: { t: number }, before?: () => Promise<void>) {
  const ctx = { store, now: () => clock.t } as unknown as SyncContext;
  const outcomes: JobOutcome['status'][] = [];
  const d = new Dispatcher(
    store,
    new Map([
      [
        'clickup.set_status',
        async ({ job, payload }: { job: { queue_key: string | null }; payload: unknown }) => {
          const o = await noTaskYet(ctx, (payload as { caseId: string }).caseId, job);
          await before?.();
          outcomes.push(o.status);
          return o;
        },
      ],
    ]),
    { concurrency: 4, leaseMs: 10_000, pollMs: 10, backoffBaseMs: 100, backoffMaxMs: 1000, now: () => clock.t },
  );
  return { d, outcomes };
}

const statusJob = (caseId: string, key = `cu.set_status:${caseId}`) =>
  anyJob({ kind: 'clickup.set_status', key, queueKey: `case:${caseId}`, payload: { caseId }, maxAttempts: 3 });

async function jobRows(store: Store) {
  return store.db.selectFrom('jobs').select(['key', 'state', 'attempts']).orderBy('id').execute();
}

describeStores('a job for the task of a case without one, on %s', (kind) => {
  it('on a case held for its partner mapping, a job queued as ready is parked: no attempt used, the queue not held up, no dead letter', async () => {
    const { store } = await make(kind);
    const clock = { t: 1_000_000 };
    await saveCase(store.db, caseRecord('C-1', 'needs_mapping'));
    await enqueueJobs(store.db, [statusJob('C-1')], clock.t);
    const { d, outcomes } = dispatcherOn(store, clock);
    await d.runUntilIdle(1);
    expect(outcomes).toEqual(['wait']);
    expect(await jobRows(store)).toEqual([{ key: 'cu.set_status:C-1', state: 'waiting', attempts: 0 }]);
    expect(await listDeadLetters(store.db)).toEqual([]);
    expect(d.counters).toMatchObject({ parked: 1, retried: 0, dead: 0 });
    // Taken out by the case's take-up like the comments the intake parks, to be queued behind the task's create.
    expect((await takeWaitingJobs(store.db, 'case:C-1')).map((j) => j.key)).toEqual(['cu.set_status:C-1']);
  });

  it('on a case that is not held, the job retries as before (its task is on the way)', async () => {
    const { store } = await make(kind);
    const clock = { t: 1_000_000 };
    await saveCase(store.db, caseRecord('C-2', 'active'));
    await enqueueJobs(store.db, [statusJob('C-2')], clock.t);
    const { d, outcomes } = dispatcherOn(store, clock);
    await d.runUntilIdle(1);
    expect(outcomes).toEqual(['retry']);
    expect(await jobRows(store)).toEqual([{ key: 'cu.set_status:C-2', state: 'ready', attempts: 1 }]);
  });

  it('a held case taken up between the check and the parking: the job is retried, not parked where no take-up will find it', async () => {
    const { store } = await make(kind);
    const clock = { t: 1_000_000 };
    await saveCase(store.db, caseRecord('C-3', 'needs_mapping'));
    await enqueueJobs(store.db, [statusJob('C-3')], clock.t);
    const { d, outcomes } = dispatcherOn(store, clock, () => saveCase(store.db, caseRecord('C-3', 'active')));
    await d.runUntilIdle(1);
    expect(outcomes).toEqual(['wait']);
    // Retried without using an attempt: it runs again and finds the case's task (or waits for it) then.
    expect(await jobRows(store)).toEqual([{ key: 'cu.set_status:C-3', state: 'ready', attempts: 0 }]);
    expect(d.counters).toMatchObject({ parked: 0, retried: 1 });
  });
});
