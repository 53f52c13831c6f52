import { afterAll, describe, expect, it } from 'vitest';
import { tempSqliteStore } from '../../../test/helpers/tempStore.ts';
import { recordLink } from '../../store/ops/links.ts';
import { cuEventHandler, UNLINKED_RETRY_MS } from './cuEvent.ts';
import type { SyncContext } from '../context.ts';
import type { JobContext } from '../dispatcher.ts';

type JobRow = JobContext['job'];

const t = await tempSqliteStore();
afterAll(() => t.cleanup());
const config = { clickup: { list_id: 'L-CASES' }, partners: { map: { 'P-1': { list_id: 'L-P1' } } }, flows: { approvals: { list_id: 'L-APPROVALS' } }, dispatcher: { max_attempts: 10 } };
const ctx = { store: t.store, config, logger: { debug: () => undefined } } as unknown as SyncContext;
const routed: string[] = [];
const handler = cuEventHandler(ctx, { case: async (_c, ev) => (routed.push(ev.task_id!), { status: 'done' }) });
const event = (taskId: string, listId: string) => ({ event: 'taskUpdated', task_id: taskId, history_items: [{ id: 'h1', field: 'attachments', parent_id: listId, date: '1' }] });
const run = (payload: unknown, attempt: number) => handler({ payload, attempt, job: {} as JobRow, now: Date.now });

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
    const h = cuEventHandler({ ...ctx, config: { ...config, dispatcher: { max_attempts: 2 } } } as unknown as SyncContext, {});
    expect(await h({ payload: event('T-unlinked', 'L-CASES'), attempt: 2, job: {} as JobRow, now: Date.now })).toEqual({ status: 'done' });
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
    history_items: event === 'taskCreated'
      ? [{ id: 'h9', field: 'status', parent_id: listId, date: '5', before: removed, after: { status: 'open', type: 'open' } }, { id: 'h8', field: 'task_creation', parent_id: listId, date: '5', before: null, after: null }]
      : [{ id: 'h9', field: 'status', parent_id: listId, date: '5', before: removed, after: { status: 'open', type: 'open' } }],
  });

  it.each(['taskCreated', 'taskStatusUpdated'])('%s of a linked task never reaches its flow (no partner status from a creation)', async (event) => {
    await recordLink(t.store.db, { entity: 'case', entityId: 'C-2', cuTaskId: 'T-new', cuListId: 'L-CASES' }, 1);
    routed.length = 0;
    expect(await run(created('T-new', 'L-CASES', event), 1)).toEqual({ status: 'done' });
    expect(routed).toEqual([]);
  });

  it.each(['taskCreated', 'taskStatusUpdated'])('%s of a task we are still creating is done at once, not waited for', async (event) => {
    expect(await run(created('T-being-made', 'L-CASES', event), 1)).toEqual({ status: 'done' });
  });

  it('a real status change in the same list still goes to its flow', async () => {
    routed.length = 0;
    const ev = { event: 'taskStatusUpdated', task_id: 'T-new', history_items: [{ id: 'h10', field: 'status', parent_id: 'L-CASES', date: '6', before: { status: 'open', type: 'open' }, after: { status: 'in review', type: 'custom' } }] };
    await run(ev, 1);
    expect(routed).toEqual(['T-new']);
  });
});
