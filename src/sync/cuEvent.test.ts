import { afterAll, describe, expect, it } from 'vitest';
import { anyJob } from '../../test/helpers/anyJob.ts';
import { tempSqliteStore } from '../../test/helpers/tempStore.ts';
import { recordLink } from '../store/ops/links.ts';
import { cuEventHandler, UNLINKED_RETRY_MS } from './cuEvent.ts';
import type { SyncContext } from './context.ts';
import { Dispatcher, type JobContext } from './dispatcher.ts';
import { enqueueJobs } from '../store/ops/enqueueJobs.ts';
import { listDeadLetters } from '../store/ops/replayDeadLetter.ts';
import { cuEventSchema, type CuEvent } from './engineJobs.ts';

type JobRow = JobContext['job'];

const t = await tempSqliteStore();
afterAll(() => t.cleanup());
const config = {
  clickup: { list_id: 'L-CASES' },
  partners: { map: { 'P-1': { list_id: 'L-P1' } } },
  flows: { approvals: { list_id: 'L-APPROVALS' } },
  dispatcher: { max_attempts: 10 },
};
const ctx = { store: t.store, config, logger: { debug: () => undefined } } as unknown as SyncContext;
const routed: string[] = [];
const handler = cuEventHandler(ctx, { case: async (_c, ev) => (routed.push(ev.task_id!), { status: 'done' }) });
const event = (taskId: string, listId: string) => ({
  event: 'taskUpdated',
  task_id: taskId,
  history_items: [{ id: 'h1', field: 'attachments', parent_id: listId, date: '1' }],
});
const run = (payload: CuEvent, attempt: number) => handler({ payload, attempt, job: {} as JobRow, now: Date.now });

describe('cu.event for a task without a link', () => {
  it.each([
    ['in the case list, first attempt', 'L-CASES', 1, { status: 'retry', retryAfterMs: UNLINKED_RETRY_MS[0] }],
    ['in a partner list, third attempt', 'L-P1', 3, { status: 'retry', retryAfterMs: UNLINKED_RETRY_MS[2] }],
    ['in the approvals list', 'L-APPROVALS', 2, { status: 'retry', retryAfterMs: UNLINKED_RETRY_MS[1] }],
    ['in our list, after the last wait', 'L-CASES', UNLINKED_RETRY_MS.length + 1, { status: 'done' }],
    ['elsewhere in the workspace', 'L-OTHER', 1, { status: 'done' }],
  ] as const)('%s', async (_name, list, attempt, want) => {
    expect(await run(event('T-unlinked', list), attempt)).toMatchObject(want);
  });

  it('never outlives max_attempts (no dead letter for a task that is not ours)', async () => {
    const h = cuEventHandler(
      { ...ctx, config: { ...config, dispatcher: { max_attempts: 2 } } } as unknown as SyncContext,
      {},
    );
    expect(await h({ payload: event('T-unlinked', 'L-CASES'), attempt: 2, job: {} as JobRow, now: Date.now })).toEqual({
      status: 'done',
    });
  });

  it('a linked task goes to its flow at once', async () => {
    await recordLink(t.store.db, { entity: 'case', entityId: 'C-1', cuTaskId: 'T-linked', cuListId: 'L-CASES' }, 1);
    expect(await run(event('T-linked', 'L-CASES'), 1)).toMatchObject({ status: 'done' });
    expect(routed).toEqual(['T-linked']);
  });
});

describe('cu.event for a new task (taskCreated, and the taskStatusUpdated ClickUp sends with it)', () => {
  // https://developer.clickup.com/docs/webhooktaskpayloads: a new task's status item starts from "removed".
  const removed = { status: null, color: '#000000', type: 'removed', orderindex: -1 };
  const created = (taskId: string, listId: string, event: string) => ({
    event,
    task_id: taskId,
    history_items:
      event === 'taskCreated'
        ? [
            {
              id: 'h9',
              field: 'status',
              parent_id: listId,
              date: '5',
              before: removed,
              after: { status: 'open', type: 'open' },
            },
            { id: 'h8', field: 'task_creation', parent_id: listId, date: '5', before: null, after: null },
          ]
        : [
            {
              id: 'h9',
              field: 'status',
              parent_id: listId,
              date: '5',
              before: removed,
              after: { status: 'open', type: 'open' },
            },
          ],
  });

  it.each(['taskCreated', 'taskStatusUpdated'])(
    '%s of a linked task never reaches its flow (no partner status from a creation)',
    async (event) => {
      await recordLink(t.store.db, { entity: 'case', entityId: 'C-2', cuTaskId: 'T-new', cuListId: 'L-CASES' }, 1);
      routed.length = 0;
      expect(await run(created('T-new', 'L-CASES', event), 1)).toEqual({ status: 'done' });
      expect(routed).toEqual([]);
    },
  );

  it.each(['taskCreated', 'taskStatusUpdated'])(
    '%s of a task we are still creating is done at once, not waited for',
    async (event) => {
      expect(await run(created('T-being-made', 'L-CASES', event), 1)).toEqual({ status: 'done' });
    },
  );

  it('a real status change in the same list still goes to its flow', async () => {
    routed.length = 0;
    const ev = {
      event: 'taskStatusUpdated',
      task_id: 'T-new',
      history_items: [
        {
          id: 'h10',
          field: 'status',
          parent_id: 'L-CASES',
          date: '6',
          before: { status: 'open', type: 'open' },
          after: { status: 'in review', type: 'custom' },
        },
      ],
    };
    await run(ev, 1);
    expect(routed).toEqual(['T-new']);
  });
});

describe('cu.event for a task not linked yet, through the dispatcher on a test clock', () => {
  // The whole two-minute window, not a few seconds of it: the clock is the test's, so every retry time
  // is checked to the millisecond (not a moment early) and nothing may happen after the last wait.
  async function runWindow(linkAfterMs: number | null) {
    const tt = await tempSqliteStore();
    try {
      const seen: string[] = [];
      const c = { ...ctx, store: tt.store };
      const h = cuEventHandler(c, { case: async (_c, ev) => (seen.push(ev.task_id!), { status: 'done' }) });
      const clock = { t: 5_000_000 };
      const d = new Dispatcher(
        tt.store,
        new Map([['cu.event', (j: JobContext) => h({ ...j, payload: cuEventSchema.parse(j.payload) })]]),
        {
          concurrency: 1,
          leaseMs: 10_000,
          pollMs: 10,
          backoffBaseMs: 100,
          backoffMaxMs: 1000,
          now: () => clock.t,
        },
      );
      const start = clock.t;
      await enqueueJobs(
        tt.store.db,
        [anyJob({ kind: 'cu.event', key: 'ev1', payload: event('T-late', 'L-CASES'), maxAttempts: 10 })],
        clock.t,
      );
      const runTimes: number[] = [];
      for (;;) {
        const before = runTimes.length;
        const ran = await d.runUntilIdle();
        if (ran > 0) runTimes.push(clock.t - start);
        expect(runTimes.length - before).toBeLessThanOrEqual(1);
        const job = await tt.store.db.selectFrom('jobs').select(['state', 'run_at']).executeTakeFirstOrThrow();
        if (job.state !== 'ready') break;
        const due = Number(job.run_at);
        // One millisecond early: nothing runs.
        clock.t = due - 1;
        expect(await d.runUntilIdle()).toBe(0);
        clock.t = due;
        if (
          linkAfterMs !== null &&
          clock.t - start >= linkAfterMs &&
          !(await tt.store.db.selectFrom('links').select('cu_task_id').executeTakeFirst())
        ) {
          await recordLink(
            tt.store.db,
            { entity: 'case', entityId: 'C-late', cuTaskId: 'T-late', cuListId: 'L-CASES' },
            clock.t,
          );
        }
      }
      // Long after the window: nothing left to run, no dead letter.
      clock.t += 3_600_000;
      expect(await d.runUntilIdle()).toBe(0);
      return {
        seen,
        runTimes,
        dead: await listDeadLetters(tt.store.db),
        state: (await tt.store.db.selectFrom('jobs').select('state').executeTakeFirstOrThrow()).state,
      };
    } finally {
      await tt.cleanup();
    }
  }

  it('retries at 2, 4, 8, 16, 32 and 60 s, then gives up quietly when no link ever comes', async () => {
    const r = await runWindow(null);
    const cumulative = UNLINKED_RETRY_MS.reduce<number[]>((acc, w) => [...acc, (acc.at(-1) ?? 0) + w], [0]);
    expect(r.runTimes).toEqual(cumulative);
    expect(cumulative.at(-1)).toBe(122_000);
    expect(r.seen).toEqual([]);
    expect(r.dead).toEqual([]);
    expect(r.state).toBe('done');
  });

  it('a link committed late in the window (after a minute) still gets the change, once', async () => {
    const r = await runWindow(60_000);
    expect(r.runTimes).toEqual([0, 2_000, 6_000, 14_000, 30_000, 62_000]);
    expect(r.seen).toEqual(['T-late']);
    expect(r.dead).toEqual([]);
    expect(r.state).toBe('done');
  });
});
