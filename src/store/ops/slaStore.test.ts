import { caseRecord } from '../../../test/helpers/caseRecord.ts';
import { expect, it } from 'vitest';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import type { CaseRecord } from '../../core/case.ts';
import { withSlaTables } from '../slaTables.ts';
import { saveCase } from './cases.ts';
import { recordLink } from './links.ts';
import { countOpenCasesBySlaState, getCaseSla } from './caseSlaReads.ts';
import { saveCaseSla } from './saveCaseSla.ts';
import { recordEscalation } from './recordEscalation.ts';
import { recordEscalationTask } from './recordEscalationTask.ts';
import { listEscalations } from './listEscalations.ts';
import { listOpenCasesForSweep } from './listOpenCasesForSweep.ts';
import { listSlaCases } from './listSlaCases.ts';
import { listStatusHistories } from './listStatusHistories.ts';
import { recordStatusChange } from './recordStatusChange.ts';

// The SLA clock's store ops (storeSla in scripts/mutate.mjs): rows and answers whole, on both stores.
const { describeStores, make } = await storesUnderTest('src/store/ops/slaStore.test.ts');

const T = 1_700_000_000_000;
const H = 3_600_000;

function rec(id: string, o: Partial<CaseRecord> = {}): CaseRecord {
  return caseRecord(id, o);
}

/** A row with its numbers as numbers (PostgreSQL hands bigints back as strings). */
function nums<R extends Record<string, unknown>>(r: R | undefined, keys: readonly string[]): R | undefined {
  if (!r) return r;
  const out: Record<string, unknown> = { ...r };
  for (const k of keys) if (out[k] !== null && out[k] !== undefined) out[k] = Number(out[k]);
  return out as R;
}
const SLA_NUMS = ['due_at', 'share', 'escalation_level', 'updated_at'];
const RUNG_NUMS = ['level', 'rule_index', 'due_at', 'created_at', 'task_created_at'];

describeStores('SLA store on %s', (kind) => {
  it('saveCaseSla: a first save fills the defaults; a later one keeps what it leaves out; getCaseSla reads it whole', async () => {
    const { store } = await make(kind);
    const db = store.db;
    expect(await getCaseSla(db, 'C-1')).toBeUndefined();
    await saveCaseSla(db, { caseId: 'C-1', state: 'on_track', policy: 'default', share: 0.25 }, T);
    expect(nums(await getCaseSla(db, 'C-1'), SLA_NUMS)).toEqual({
      case_id: 'C-1',
      state: 'on_track',
      policy: 'default',
      due_at: null,
      share: 0.25,
      reminders: '[]',
      escalation_level: 0,
      escalation_task_id: null,
      updated_at: T,
    });
    await saveCaseSla(
      db,
      {
        caseId: 'C-1',
        state: 'at_risk',
        policy: 'policies[0]',
        share: 0.8,
        dueAt: T + H,
        reminders: [0.75, 0.5],
        escalationLevel: 2,
      },
      T + 1,
    );
    await db
      .transaction()
      .execute((trx) => recordEscalationTask(trx, 'C-1', 2, 'T-esc', 'L', T + 2).then(() => undefined));
    // Left out: due date, reminders, level and the escalation task kept; the rest replaced.
    await saveCaseSla(db, { caseId: 'C-1', state: 'breached', policy: 'default', share: 1.5 }, T + 3);
    expect(nums(await getCaseSla(db, 'C-1'), SLA_NUMS)).toEqual({
      case_id: 'C-1',
      state: 'breached',
      policy: 'default',
      due_at: T + H,
      share: 1.5,
      reminders: '[0.5,0.75]',
      escalation_level: 2,
      escalation_task_id: 'T-esc',
      updated_at: T + 3,
    });
    // Present but null or empty: written as such.
    await saveCaseSla(
      db,
      { caseId: 'C-1', state: 'met', policy: 'default', share: 0.9, dueAt: null, reminders: [], escalationLevel: 0 },
      T + 4,
    );
    expect(nums(await getCaseSla(db, 'C-1'), SLA_NUMS)).toMatchObject({
      due_at: null,
      reminders: '[]',
      escalation_level: 0,
      escalation_task_id: 'T-esc',
    });
    // A first save with every field.
    await saveCaseSla(
      db,
      { caseId: 'C-2', state: 'paused', policy: 'p', share: 0, dueAt: T, reminders: [0.9], escalationLevel: 1 },
      T,
    );
    expect(nums(await getCaseSla(db, 'C-2'), SLA_NUMS)).toEqual({
      case_id: 'C-2',
      state: 'paused',
      policy: 'p',
      due_at: T,
      share: 0,
      reminders: '[0.9]',
      escalation_level: 1,
      escalation_task_id: null,
      updated_at: T,
    });
  });

  it('countOpenCasesBySlaState: unresolved cases only, by their stored state', async () => {
    const { store } = await make(kind);
    const db = store.db;
    expect(await countOpenCasesBySlaState(db)).toEqual([]);
    await saveCase(db, rec('a'));
    await saveCase(db, rec('b', { state: 'needs_mapping' }));
    await saveCase(db, rec('c'));
    await saveCase(db, rec('d', { partnerStatus: 'resolved', resolvedAt: T }));
    for (const [caseId, state] of [
      ['a', 'breached'],
      ['b', 'breached'],
      ['c', 'at_risk'],
      ['d', 'met'],
      ['no-case', 'breached'],
    ] as const)
      await saveCaseSla(db, { caseId, state, policy: 'default', share: 1 }, T);
    expect([...(await countOpenCasesBySlaState(db))].sort((x, y) => x.state.localeCompare(y.state))).toEqual([
      { state: 'at_risk', n: 1 },
      { state: 'breached', n: 2 },
    ]);
  });

  it('escalation rungs: stored whole, once per level; the task on the case only from its highest rung on', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await saveCaseSla(db, { caseId: 'E', state: 'breached', policy: 'default', share: 1, escalationLevel: 2 }, T);
    await recordEscalation(
      db,
      { caseId: 'E', level: 2, manager: 'boss@example.com', ruleIndex: 3, explanation: 'two', dueAt: T + 2 * H },
      T + 2,
    );
    await recordEscalation(
      db,
      { caseId: 'E', level: 1, manager: null, ruleIndex: null, explanation: 'one', dueAt: null },
      T + 1,
    );
    await recordEscalation(
      db,
      { caseId: 'E', level: 1, manager: 'x@example.com', ruleIndex: 0, explanation: 'again', dueAt: T },
      T + 5,
    );
    await recordEscalation(
      db,
      { caseId: 'F', level: 1, manager: null, ruleIndex: null, explanation: 'other case', dueAt: null },
      T,
    );
    const rungs = async (caseId: string) => (await listEscalations(db, caseId)).map((r) => nums(r, RUNG_NUMS));
    expect(await rungs('E')).toEqual([
      {
        case_id: 'E',
        level: 1,
        manager: null,
        rule_index: null,
        explanation: 'one',
        task_id: null,
        list_id: null,
        due_at: null,
        created_at: T + 1,
        task_created_at: null,
      },
      {
        case_id: 'E',
        level: 2,
        manager: 'boss@example.com',
        rule_index: 3,
        explanation: 'two',
        task_id: null,
        list_id: null,
        due_at: T + 2 * H,
        created_at: T + 2,
        task_created_at: null,
      },
    ]);
    expect(await listEscalations(db, 'nobody')).toEqual([]);
    const caseTask = async () =>
      nums(
        await withSlaTables(db)
          .selectFrom('case_sla')
          .select(['escalation_task_id', 'updated_at'])
          .where('case_id', '=', 'E')
          .executeTakeFirst(),
        ['updated_at'],
      );
    // A lower rung's task: on its rung, not the case's (the case is at level 2).
    expect(await recordEscalationTask(db, 'E', 1, 'T-1', 'L-1', T + 10)).toBe('T-1');
    expect(await caseTask()).toEqual({ escalation_task_id: null, updated_at: T });
    // The highest rung's: on both; a second task for it keeps the first.
    expect(await recordEscalationTask(db, 'E', 2, 'T-2', 'L-2', T + 11)).toBe('T-2');
    expect(await caseTask()).toEqual({ escalation_task_id: 'T-2', updated_at: T + 11 });
    expect(await recordEscalationTask(db, 'E', 2, 'T-2b', 'L-9', T + 12)).toBe('T-2');
    expect(await caseTask()).toEqual({ escalation_task_id: 'T-2', updated_at: T + 12 });
    expect((await rungs('E')).map((r) => [r!.level, r!.task_id, r!.list_id, r!.task_created_at])).toEqual([
      [1, 'T-1', 'L-1', T + 10],
      [2, 'T-2', 'L-2', T + 11],
    ]);
    // A rung above the case's stored level (the sweep saved it later): the task is the case's too.
    expect(await recordEscalationTask(db, 'E', 3, 'T-3', 'L-3', T + 13)).toBe('T-3');
    expect(await caseTask()).toEqual({ escalation_task_id: 'T-3', updated_at: T + 13 });
    // The other case untouched.
    expect((await rungs('F')).map((r) => r!.task_id)).toEqual([null]);
  });

  it('listOpenCasesForSweep: active and unresolved, no test interchanges, after the id asked, with or without an SLA row', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await saveCase(db, rec('A'));
    await saveCase(db, rec('B', { source: 'mailbox_test' }));
    await saveCase(db, rec('C', { source: 'mailbox' }));
    await saveCase(db, rec('D', { state: 'closed' }));
    await saveCase(db, rec('E', { resolvedAt: T }));
    await saveCase(db, rec('F'));
    await recordLink(db, { entity: 'case', entityId: 'A', cuTaskId: 'T-A', cuListId: 'L-A' }, T);
    await recordLink(db, { entity: 'task', entityId: 'F', cuTaskId: 'T-not-a-case', cuListId: 'L' }, T);
    await saveCaseSla(db, { caseId: 'F', state: 'at_risk', policy: 'default', share: 0.8 }, T);
    const page = await listOpenCasesForSweep(db, '', 10);
    expect(page).toEqual([
      { record: rec('A'), cuTaskId: 'T-A', cuListId: 'L-A', sla: null },
      { record: rec('C', { source: 'mailbox' }), cuTaskId: null, cuListId: null, sla: null },
      {
        record: rec('F'),
        cuTaskId: null,
        cuListId: null,
        sla: { state: 'at_risk', dueAt: null, reminders: [], escalationLevel: 0 },
      },
    ]);
    expect((await listOpenCasesForSweep(db, 'A', 1)).map((r) => r.record.id)).toEqual(['C']);
    expect((await listOpenCasesForSweep(db, 'C', 10)).map((r) => r.record.id)).toEqual(['F']);
    expect(await listOpenCasesForSweep(db, 'F', 10)).toEqual([]);
  });

  it('listSlaCases: the bounds of breached and of the last quarter, closed and resolved left out, the limit', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const now = T + 30 * H;
    // Windows of 40 h: a quarter is 10 h.
    await saveCase(db, rec('due-now', { slaDueAt: now }));
    await saveCase(db, rec('quarter', { slaDueAt: now + 10 * H, openedAt: now - 30 * H }));
    await saveCase(db, rec('over-quarter', { slaDueAt: now + 10 * H + 1, openedAt: now - 30 * H + 1 }));
    await saveCase(db, rec('past', { slaDueAt: now - 1 }));
    await saveCase(db, rec('held', { slaDueAt: now - 2, state: 'needs_mapping' }));
    await saveCase(db, rec('closed', { slaDueAt: now - 3, state: 'closed' }));
    await saveCase(db, rec('resolved', { slaDueAt: now - 4, resolvedAt: now - 5 }));
    await saveCase(db, rec('none'));
    // Due now but opened after it: not breached, and no quarter of a window below zero left.
    await saveCase(db, rec('opened-after-due', { slaDueAt: now, openedAt: now + 1 }));
    await recordLink(db, { entity: 'task', entityId: 'past', cuTaskId: 'T-task', cuListId: 'L' }, T);
    await recordLink(db, { entity: 'case', entityId: 'quarter', cuTaskId: 'T-q', cuListId: 'L' }, T);
    const list = await listSlaCases(db, now);
    expect(list).toEqual([
      { record: rec('held', { slaDueAt: now - 2, state: 'needs_mapping' }), cuTaskId: null, breached: true },
      { record: rec('past', { slaDueAt: now - 1 }), cuTaskId: null, breached: true },
      { record: rec('due-now', { slaDueAt: now }), cuTaskId: null, breached: false },
      {
        record: rec('quarter', { slaDueAt: now + 10 * H, openedAt: now - 30 * H }),
        cuTaskId: 'T-q',
        breached: false,
      },
    ]);
    expect((await listSlaCases(db, now, 2)).map((x) => x.record.id)).toEqual(['held', 'past']);
  });

  it('status histories: several cases at once, each oldest first (ties by insertion), none asked none read', async () => {
    const { store } = await make(kind);
    const db = store.db;
    expect(await recordStatusChange(db, 'B', 'received', T + 5)).toBe(true);
    expect(await recordStatusChange(db, 'A', 'received', T + 9)).toBe(true);
    expect(await recordStatusChange(db, 'A', 'in_review', T + 9)).toBe(true);
    expect(await recordStatusChange(db, 'A', 'received', T + 1)).toBe(true);
    // The latest row by time is 'in_review' at T + 9 (the later of the two ties): the same again is no change.
    expect(await recordStatusChange(db, 'A', 'in_review', T + 20)).toBe(false);
    expect(await recordStatusChange(db, 'B', 'received', T + 20)).toBe(false);
    expect(await listStatusHistories(db, [])).toEqual(new Map());
    const h = await listStatusHistories(db, ['A', 'B', 'Z']);
    expect([...h.keys()]).toEqual(['A', 'B']);
    expect(h).toEqual(
      new Map([
        [
          'A',
          [
            { status: 'received', from: new Date(T + 1) },
            { status: 'received', from: new Date(T + 9) },
            { status: 'in_review', from: new Date(T + 9) },
          ],
        ],
        ['B', [{ status: 'received', from: new Date(T + 5) }]],
      ]),
    );
    expect(await listStatusHistories(db, ['B'])).toEqual(
      new Map([['B', [{ status: 'received', from: new Date(T + 5) }]]]),
    );
  });
});
