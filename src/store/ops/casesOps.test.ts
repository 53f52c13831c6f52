import { acmeCase } from '../../../test/helpers/caseRecord.ts';
import { describe, expect, it } from 'vitest';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import type { CaseRecord } from '../../core/case.ts';
import { openMigratedStore, type Store } from '../db.ts';
import { withSlaTables } from '../slaTables.ts';
import { appendAudit, listAudit, listAuditActions } from './audit.ts';
import { caseViewExtras } from './caseViewExtras.ts';
import {
  getCase,
  listCases,
  listCasesAwaitingMapping,
  lockCaseIfHeld,
  saveCase,
  setCasePartnerStatus,
} from './cases.ts';
import { setCaseDueDate } from './setCaseDueDate.ts';
import { setCaseHoldReason } from './setCaseHoldReason.ts';
import { setCaseSlaDueAt } from './setCaseSlaDueAt.ts';

// Cases and what sits beside them (storeCases in scripts/mutate.mjs), beyond parity.test.ts: the rows whole after
// each write (the indexed columns are projections of the record), the reads no other store test calls (held cases
// by partner, the held-case lock, the view extras, the SLA due time, audit entries by action), each filter checked
// against a row that differs in that column alone.
const { describeStores, make, pgUp } = await storesUnderTest('src/store/ops/casesOps.test.ts');

const T = 1_700_000_000_000;

function aCase(id: string, over: Partial<CaseRecord> = {}): CaseRecord {
  return acmeCase(id, over);
}

/** The cases table row a record is stored as. */
const rowOf = (c: CaseRecord) => ({
  id: c.id,
  source: c.source,
  partner_id: c.partnerId,
  kind: c.kind,
  partner_status: c.partnerStatus,
  state: c.state,
  hold_reason: c.holdReason,
  sla_due_at: c.slaDueAt,
  opened_at: c.openedAt,
  resolved_at: c.resolvedAt,
  updated_at: c.updatedAt,
  data: c,
});
const caseRows = async (store: Store) =>
  (await store.db.selectFrom('cases').selectAll().orderBy('id').execute()).map((r) => ({
    ...r,
    data: JSON.parse(r.data) as unknown,
  }));

describeStores('cases on %s', (kind) => {
  it('save: every column a projection of the record, replaced whole on a second save', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const a = aCase('C-1');
    const b = aCase('C-2', {
      source: 'mailbox',
      partnerId: 'P-GLOBEX',
      kind: 'shipment_exception',
      partnerStatus: 'in_review',
      state: 'needs_mapping',
      holdReason: 'no list',
      slaDueAt: T + 9,
      openedAt: T + 1,
      resolvedAt: T + 8,
      updatedAt: T + 7,
    });
    await saveCase(db, a);
    await saveCase(db, b);
    expect(await caseRows(store)).toEqual([rowOf(a), rowOf(b)]);
    const a2 = aCase('C-1', { partnerStatus: 'resolved', state: 'closed', resolvedAt: T + 3, updatedAt: T + 3 });
    await saveCase(db, a2);
    expect(await caseRows(store)).toEqual([rowOf(a2), rowOf(b)]);
    expect(await getCase(db, 'C-1')).toEqual(a2);
    expect(await getCase(db, 'C-3')).toBeNull();
  });

  it('list: newest first, 100 unless told, each filter alone', async () => {
    const { store } = await make(kind);
    const db = store.db;
    for (let i = 0; i < 102; i++)
      await saveCase(
        db,
        aCase(`C-${String(i).padStart(3, '0')}`, {
          openedAt: T + i,
          state: i % 2 === 0 ? 'active' : 'needs_mapping',
          partnerId: i % 3 === 0 ? 'P-GLOBEX' : 'P-ACME',
        }),
      );
    const ids = (cs: CaseRecord[]) => cs.map((c) => c.id);
    const all = await listCases(db);
    expect(all).toHaveLength(100);
    expect(ids(all).slice(0, 3)).toEqual(['C-101', 'C-100', 'C-099']);
    expect(ids(all).at(-1)).toBe('C-002');
    expect(ids(await listCases(db, { offset: 100 }))).toEqual(['C-001', 'C-000']);
    expect(ids(await listCases(db, { state: 'needs_mapping', limit: 3 }))).toEqual(['C-101', 'C-099', 'C-097']);
    expect(ids(await listCases(db, { partnerId: 'P-GLOBEX', limit: 3 }))).toEqual(['C-099', 'C-096', 'C-093']);
    expect(ids(await listCases(db, { state: 'active', partnerId: 'P-GLOBEX', limit: 2, offset: 1 }))).toEqual([
      'C-090',
      'C-084',
    ]);
  });

  it("partner status: the record and its columns, the first resolution time kept, the status history's rows", async () => {
    const { store } = await make(kind);
    const db = store.db;
    await saveCase(db, aCase('C-1'));
    await saveCase(db, aCase('C-2'));
    // The record the caller read (a folded completion's hint) changes nothing outside PostgreSQL's folded commit.
    const r1 = await setCasePartnerStatus(db, 'C-1', 'resolved', T + 5, aCase('C-1', { title: 'stale' }));
    const c1 = aCase('C-1', { partnerStatus: 'resolved', resolvedAt: T + 5, updatedAt: T + 5 });
    expect(r1).toEqual(c1);
    const c1b = { ...c1, partnerStatus: 'resolved' as const, updatedAt: T + 6 };
    expect(await setCasePartnerStatus(db, 'C-1', 'resolved', T + 6)).toEqual(c1b);
    const c1c = { ...c1, partnerStatus: 'in_review' as const, updatedAt: T + 7, resolvedAt: null };
    expect(await setCasePartnerStatus(db, 'C-1', 'in_review', T + 7)).toEqual(c1c);
    expect(await caseRows(store)).toEqual([rowOf(c1c), rowOf(aCase('C-2'))]);
    expect(await setCasePartnerStatus(db, 'C-3', 'resolved', T + 8)).toBeNull();
    const hist = await withSlaTables(db)
      .selectFrom('case_status_history')
      .select(['case_id', 'status', 'at'])
      .orderBy('id')
      .execute();
    expect(hist).toEqual([
      { case_id: 'C-1', status: 'resolved', at: T + 5 },
      { case_id: 'C-1', status: 'in_review', at: T + 7 },
    ]);
  });

  it('held cases: listed by partner, locked (and told) in a transaction; the hold reason of held ones only', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await saveCase(db, aCase('H-1', { state: 'needs_mapping', source: 'mailbox', holdReason: 'no list' }));
    await saveCase(db, aCase('H-2', { state: 'needs_mapping', partnerId: 'P-GLOBEX' }));
    await saveCase(db, aCase('H-3', { state: 'needs_mapping', partnerId: 'P-OTHER' }));
    await saveCase(db, aCase('A-1', { state: 'active' }));
    const sorted = (xs: Array<{ id: string; source: string }>) => [...xs].sort((x, y) => x.id.localeCompare(y.id));
    expect(sorted(await listCasesAwaitingMapping(db, ['P-ACME', 'P-GLOBEX']))).toStrictEqual([
      { id: 'H-1', source: 'mailbox' },
      { id: 'H-2', source: 'community' },
    ]);
    expect(await listCasesAwaitingMapping(db, ['P-NONE'])).toEqual([]);
    expect(await listCasesAwaitingMapping(db, [])).toEqual([]);

    const locked = await db
      .transaction()
      .execute(async (trx) => [
        await lockCaseIfHeld(trx, 'H-1', kind),
        await lockCaseIfHeld(trx, 'A-1', kind),
        await lockCaseIfHeld(trx, 'none', kind),
      ]);
    expect(locked).toEqual([true, false, false]);

    const hold = (id: string, reason: string) => db.transaction().execute((trx) => setCaseHoldReason(trx, id, reason));
    expect(await hold('H-1', 'partner P-ACME has no list')).toBe(true);
    expect(await hold('A-1', 'not held')).toBe(false);
    expect(await hold('none', 'not there')).toBe(false);
    expect(await caseRows(store)).toEqual([
      rowOf(aCase('A-1')),
      rowOf(aCase('H-1', { state: 'needs_mapping', source: 'mailbox', holdReason: 'partner P-ACME has no list' })),
      rowOf(aCase('H-2', { state: 'needs_mapping', partnerId: 'P-GLOBEX' })),
      rowOf(aCase('H-3', { state: 'needs_mapping', partnerId: 'P-OTHER' })),
    ]);
  });

  it('due date: the record and its column, the change time left alone; the same date or no case writes nothing', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await saveCase(db, aCase('C-1', { slaDueAt: T + 1 }));
    await saveCase(db, aCase('C-2'));
    expect(await setCaseDueDate(db, 'C-1', T + 1)).toEqual(aCase('C-1', { slaDueAt: T + 1 }));
    expect(await setCaseDueDate(db, 'C-1', T + 2)).toEqual(aCase('C-1', { slaDueAt: T + 2 }));
    expect(await setCaseDueDate(db, 'C-3', T + 2)).toBeNull();
    expect(await caseRows(store)).toEqual([rowOf(aCase('C-1', { slaDueAt: T + 2 })), rowOf(aCase('C-2'))]);
  });

  it("SLA due time: that case's SLA row only; a case without one has nothing to write", async () => {
    const { store } = await make(kind);
    const db = withSlaTables(store.db);
    const sla = (case_id: string) => ({
      case_id,
      state: 'on_track',
      policy: 'default',
      due_at: T,
      share: 0.5,
      reminders: '[]',
      escalation_level: 0,
      escalation_task_id: null,
      updated_at: 1,
    });
    await db
      .insertInto('case_sla')
      .values([sla('C-1'), sla('C-2')])
      .execute();
    await setCaseSlaDueAt(store.db, 'C-1', T + 10, 5);
    await setCaseSlaDueAt(store.db, 'C-3', T + 10, 5);
    expect(await db.selectFrom('case_sla').selectAll().orderBy('case_id').execute()).toEqual([
      { ...sla('C-1'), due_at: T + 10, updated_at: 5 },
      sla('C-2'),
    ]);
  });
});

describeStores('view extras and audit on %s', (kind) => {
  it("view extras: ClickUp's status name and the highest escalation rung per case, nothing for others", async () => {
    const { store } = await make(kind);
    const db = store.db;
    expect(await caseViewExtras(db, [])).toEqual(new Map());
    const hash = (entity: string, entity_id: string, side: string, field: string, h: string) => ({
      entity,
      entity_id,
      side,
      field,
      hash: h,
      synced_at: 1,
    });
    await db
      .insertInto('sync_hashes')
      .values([
        hash('case', 'C-1', 'clickup', 'status_name', 'in review'),
        hash('case', 'C-1', 'tradinggrid', 'status_name', 'tg-side'),
        hash('case', 'C-2', 'clickup', 'status', 'other-field'),
        hash('onboarding', 'C-2', 'clickup', 'status_name', 'other-entity'),
        hash('case', 'C-9', 'clickup', 'status_name', 'not asked'),
      ])
      .execute();
    const rung = (case_id: string, level: number, over: Record<string, unknown> = {}) => ({
      case_id,
      level,
      manager: null,
      rule_index: null,
      explanation: `level ${level}`,
      task_id: null,
      list_id: null,
      due_at: null,
      created_at: 1,
      task_created_at: null,
      ...over,
    });
    await withSlaTables(db)
      .insertInto('sla_escalations')
      .values([
        rung('C-1', 2, { manager: 'ana', task_id: 'T-2', due_at: T + 2 }),
        rung('C-1', 1, { manager: 'bo', task_id: 'T-1', due_at: T + 1 }),
        rung('C-2', 1),
        rung('C-9', 3),
      ])
      .execute();
    const got = await caseViewExtras(db, ['C-1', 'C-2', 'C-3', 'C-1']);
    expect(got).toEqual(
      new Map([
        [
          'C-1',
          {
            clickupStatus: 'in review',
            escalation: { level: 2, manager: 'ana', taskId: 'T-2', explanation: 'level 2', dueAt: T + 2 },
          },
        ],
        [
          'C-2',
          {
            clickupStatus: null,
            escalation: { level: 1, manager: null, taskId: null, explanation: 'level 1', dueAt: null },
          },
        ],
        ['C-3', { clickupStatus: null, escalation: null }],
      ]),
    );
    expect([...got.keys()]).toEqual(['C-1', 'C-2', 'C-3']);
  });

  it('audit: the row whole (before and after as JSON, null when not given); entries by action, in order', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await appendAudit(
      db,
      { actor: 'ana', entity: 'case', entityId: 'C-1', action: 'hold', before: { a: 1 }, after: null },
      T,
    );
    await appendAudit(db, { actor: 'bo', entity: 'case', entityId: 'C-1', action: 'note' }, T + 1);
    await appendAudit(db, { actor: 'cy', entity: 'case', entityId: 'C-1', action: 'release', after: ['x'] }, T + 2);
    await appendAudit(db, { actor: 'di', entity: 'case', entityId: 'C-2', action: 'hold' }, T + 3);
    await appendAudit(db, { actor: 'ed', entity: 'approval', entityId: 'C-1', action: 'hold' }, T + 4);
    await appendAudit(
      db,
      { actor: 'fo', entity: 'case', entityId: 'C-1', action: 'hold', before: 'b', after: 0 },
      T + 5,
    );
    const entry = (
      id: number,
      at: number,
      actor: string,
      entity: string,
      entity_id: string,
      action: string,
      before: string | null,
      after: string | null,
    ) => ({
      id,
      at,
      actor,
      entity,
      entity_id,
      action,
      before,
      after,
    });
    expect(await listAudit(db, 'case', 'C-1')).toEqual([
      entry(1, T, 'ana', 'case', 'C-1', 'hold', '{"a":1}', 'null'),
      entry(2, T + 1, 'bo', 'case', 'C-1', 'note', null, null),
      entry(3, T + 2, 'cy', 'case', 'C-1', 'release', null, '["x"]'),
      entry(6, T + 5, 'fo', 'case', 'C-1', 'hold', '"b"', '0'),
    ]);
    expect(await listAuditActions(db, 'case', 'C-1', ['hold', 'release'])).toEqual([
      entry(1, T, 'ana', 'case', 'C-1', 'hold', '{"a":1}', 'null'),
      entry(3, T + 2, 'cy', 'case', 'C-1', 'release', null, '["x"]'),
      entry(6, T + 5, 'fo', 'case', 'C-1', 'hold', '"b"', '0'),
    ]);
    expect(await listAuditActions(db, 'approval', 'C-1', ['hold'])).toEqual([
      entry(5, T + 4, 'ed', 'approval', 'C-1', 'hold', null, null),
    ]);
    expect(await listAuditActions(db, 'case', 'C-3', ['hold'])).toEqual([]);
  });
});

// PostgreSQL only: SQLite's one connection cannot write between the read and the update of a transaction.
describe('setCaseHoldReason racing a release (postgres store)', () => {
  it.skipIf(!pgUp)('a case released between its read and the guarded update is not reported changed', async () => {
    const { store, url } = await make('postgres');
    const other = await openMigratedStore(url, { poolMax: 1 });
    try {
      await saveCase(store.db, aCase('H-1', { state: 'needs_mapping' }));
      let statements = 0;
      const changed = await store.db.transaction().execute((trx) =>
        setCaseHoldReason(
          trx.withPlugin({
            transformQuery: (a) => a.node,
            // After the read, another instance releases the case (and commits) before the update runs.
            transformResult: async (a) => {
              if (++statements === 1)
                await other.db.updateTable('cases').set({ state: 'active' }).where('id', '=', 'H-1').execute();
              return a.result;
            },
          }),
          'H-1',
          'too late',
        ),
      );
      expect(changed).toBe(false);
      expect(await store.db.selectFrom('cases').select(['state', 'hold_reason']).execute()).toEqual([
        { state: 'active', hold_reason: null },
      ]);
    } finally {
      await other.close();
    }
  });
});
