import { caseRecord } from '../../../test/helpers/caseRecord.ts';
import { expect, it, vi } from 'vitest';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import type { CaseRecord } from '../../core/case.ts';
import { withConsoleTables } from '../consoleSchema.ts';
import { saveCase } from './cases.ts';
import { recordLink } from './links.ts';
import { appendAudit } from './audit.ts';
import { searchCases, type CaseSearch } from './searchCases.ts';
import { listCaseTimeline, recordTimeline } from './timeline.ts';

// The console's case search and case timeline (storeCaseSearch in scripts/mutate.mjs): answers whole, on both stores.
const { describeStores, make } = await storesUnderTest('src/store/ops/caseSearch.test.ts');

const T = 1_700_000_000_000;
const H = 3_600_000;

function rec(id: string, o: Partial<CaseRecord> = {}): CaseRecord {
  return caseRecord(id, o);
}

describeStores('case search and timeline on %s', (kind) => {
  it('searchCases: SLA states at their bounds, the state filter, text trimmed, blank text, backslashes, task links only', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const now = T + 10 * H;
    const x = (10 * H) / 3; // due this long after now, a case opened at T has exactly a quarter of its window left
    await saveCase(db, rec('due-now', { slaDueAt: now }));
    // Due now but opened after it (a due date set before the case was recorded): a window below zero, on track.
    await saveCase(db, rec('opened-after-due', { slaDueAt: now, openedAt: now + 1 }));
    await saveCase(db, rec('quarter', { slaDueAt: now + x }));
    await saveCase(db, rec('over-quarter', { slaDueAt: now + x + 3, openedAt: T + 2 }));
    await saveCase(db, rec('late', { slaDueAt: now - 1, openedAt: T + 3 }));
    await saveCase(
      db,
      rec('met-at-due', { slaDueAt: T + H, resolvedAt: T + H, partnerStatus: 'resolved', openedAt: T + 4 }),
    );
    await saveCase(
      db,
      rec('missed', { slaDueAt: T + H, resolvedAt: T + H + 1, partnerStatus: 'resolved', openedAt: T + 5 }),
    );
    await saveCase(
      db,
      rec('resolved-no-due', { resolvedAt: T + H, partnerStatus: 'resolved', openedAt: T + 6, title: 'a\\b c' }),
    );
    await saveCase(
      db,
      rec('held', { state: 'needs_mapping', openedAt: T + 7, partnerId: 'P-2', partnerName: 'Globex Ltd' }),
    );
    await recordLink(db, { entity: 'task', entityId: 'held', cuTaskId: 'T-task', cuListId: 'L-T' }, T);
    await recordLink(db, { entity: 'case', entityId: 'late', cuTaskId: 'T-late', cuListId: 'L-C' }, T);
    const ids = async (s: CaseSearch) => (await searchCases(db, s, now)).rows.map((r) => r.record.id);
    expect(await ids({ sla: 'breached' })).toEqual(['late']);
    expect(await ids({ sla: 'at_risk' })).toEqual(['due-now', 'quarter']);
    expect(await ids({ sla: 'on_track' })).toEqual(['opened-after-due', 'over-quarter']);
    expect(await ids({ sla: 'met' })).toEqual(['met-at-due']);
    expect(await ids({ sla: 'missed' })).toEqual(['missed']);
    expect(await ids({ sla: 'none' })).toEqual(['held', 'resolved-no-due']);
    expect(await ids({ state: 'needs_mapping' })).toEqual(['held']);
    expect(await ids({ state: 'active', partnerId: 'P-2' })).toEqual([]);
    // Blank text is no filter; text is trimmed, and so is a task id; only a case's link counts.
    const all = [
      'opened-after-due',
      'held',
      'resolved-no-due',
      'missed',
      'met-at-due',
      'late',
      'over-quarter',
      'due-now',
      'quarter',
    ];
    expect(await ids({ q: '   ' })).toEqual(all);
    expect(await ids({ q: '' })).toEqual(all);
    expect(await ids({ q: '  globex ltd ' })).toEqual(['held']);
    expect(await ids({ q: ' T-late ' })).toEqual(['late']);
    expect(await ids({ q: 'T-task' })).toEqual([]);
    expect(await ids({ q: 'L-C' })).toEqual([]);
    // A backslash is a literal character too (not the escape of the next one): it finds the case whose title has one.
    expect(await ids({ q: '\\' })).toEqual(['resolved-no-due']);
    // The case id, case-insensitive; the rows whole.
    expect(await searchCases(db, { q: 'LATE' }, now)).toEqual({
      total: 1,
      rows: [{ record: rec('late', { slaDueAt: now - 1, openedAt: T + 3 }), cuTaskId: 'T-late', cuListId: 'L-C' }],
    });
    expect(await searchCases(db, { q: 'held' }, now)).toEqual({
      total: 1,
      rows: [
        {
          record: rec('held', { state: 'needs_mapping', openedAt: T + 7, partnerId: 'P-2', partnerName: 'Globex Ltd' }),
          cuTaskId: null,
          cuListId: null,
        },
      ],
    });
    expect(await searchCases(db, { q: 'nothing like it' }, now)).toEqual({ total: 0, rows: [] });
  });

  it('searchCases: 50 rows by default, at most 500 whatever is asked, ties by id, the total of all', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < 502; i++) await saveCase(trx, rec(`C-${String(i).padStart(3, '0')}`, { openedAt: T }));
    });
    const first = await searchCases(db, {}, T);
    expect(first.total).toBe(502);
    expect(first.rows.map((r) => r.record.id)).toEqual(
      Array.from({ length: 50 }, (_, i) => `C-${String(i).padStart(3, '0')}`),
    );
    const big = await searchCases(db, { limit: 600 }, T);
    expect([big.total, big.rows.length, big.rows.at(-1)!.record.id]).toEqual([502, 500, 'C-499']);
    expect((await searchCases(db, { limit: 2, offset: 500 }, T)).rows.map((r) => r.record.id)).toEqual([
      'C-500',
      'C-501',
    ]);
    expect((await searchCases(db, { offset: 490 }, T)).rows).toHaveLength(12);
  });

  it("recordTimeline: rows whole; one statement alone, several in a transaction of their own, none inside a caller's", async () => {
    const { store } = await make(kind);
    const db = store.db;
    const tx = vi.spyOn(db, 'transaction');
    await recordTimeline(db, []);
    await recordTimeline(db, [
      { caseId: 'C-1', at: T, kind: 'call', detail: 'one', status: 'done', durationMs: 0, jobId: 0 },
    ]);
    expect(tx).not.toHaveBeenCalled();
    await recordTimeline(db, [
      { caseId: null, at: T + 1, kind: 'event', detail: 'two', status: 'info' },
      { caseId: 'C-1', at: T + 2, kind: 'retry', detail: 'three', status: 'retry', durationMs: null, jobId: null },
    ]);
    expect(tx).toHaveBeenCalledTimes(1);
    tx.mockRestore();
    // Inside a caller's transaction: its rows go with it.
    await expect(
      db.transaction().execute(async (trx) => {
        const inner = vi.spyOn(trx, 'transaction');
        await recordTimeline(trx, [
          { caseId: 'C-1', at: T + 3, kind: 'error', detail: 'four', status: 'fail' },
          { caseId: 'C-1', at: T + 4, kind: 'error', detail: 'five', status: 'fail' },
        ]);
        expect(inner).not.toHaveBeenCalled();
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const rows = await withConsoleTables(db)
      .selectFrom('timeline')
      .select(['case_id', 'at', 'kind', 'detail', 'status', 'duration_ms', 'job_id'])
      .orderBy('id')
      .execute();
    expect(
      rows.map((r) => ({
        ...r,
        at: Number(r.at),
        duration_ms: r.duration_ms === null ? null : Number(r.duration_ms),
        job_id: r.job_id === null ? null : Number(r.job_id),
      })),
    ).toEqual([
      { case_id: 'C-1', at: T, kind: 'call', detail: 'one', status: 'done', duration_ms: 0, job_id: 0 },
      { case_id: null, at: T + 1, kind: 'event', detail: 'two', status: 'info', duration_ms: null, job_id: null },
      { case_id: 'C-1', at: T + 2, kind: 'retry', detail: 'three', status: 'retry', duration_ms: null, job_id: null },
    ]);
  });

  it('listCaseTimeline: partner sends and their failures with the rule, dead letters open and replayed, ties in read order, the limit', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const cdb = withConsoleTables(db);
    await recordTimeline(db, [
      { caseId: 'C-1', at: T + 5, kind: 'call', detail: 'POST /comment', status: 'done', durationMs: 0, jobId: 0 },
      { caseId: 'C-1', at: T + 1, kind: 'event', detail: 'opened', status: 'info' },
      { caseId: 'C-1', at: T + 5, kind: 'retry', detail: 'again', status: 'retry', durationMs: 12, jobId: 3 },
      { caseId: 'C-2', at: T, kind: 'event', detail: 'other', status: 'info' },
    ]);
    await appendAudit(
      db,
      { actor: 'bridge', entity: 'case', entityId: 'C-1', action: 'email_bounced', after: { rule: 'r-1' } },
      T + 5,
    );
    await appendAudit(
      db,
      { actor: 'ana', entity: 'case', entityId: 'C-1', action: 'comment_to_partner', after: { rule: 5 } },
      T + 2,
    );
    await cdb
      .insertInto('audit_log')
      .values({
        at: T + 3,
        actor: 'ana',
        entity: 'case',
        entity_id: 'C-1',
        action: 'status_to_partner',
        before: null,
        after: 'not json',
      })
      .execute();
    await appendAudit(db, { actor: 'bob', entity: 'case', entityId: 'C-1', action: 'field_to_partner' }, T + 4);
    await appendAudit(
      db,
      { actor: 'ana', entity: 'case', entityId: 'C-1', action: 'note', after: { rule: 'r-2' } },
      T + 6,
    );
    await appendAudit(
      db,
      { actor: 'ana', entity: 'case', entityId: 'C-1', action: 'decision_posted', after: { rule: 'r-3' } },
      T + 7,
    );
    await appendAudit(
      db,
      { actor: 'bridge', entity: 'partner', entityId: 'C-1', action: 'email_withheld_address_bounced' },
      T + 7,
    );
    await appendAudit(
      db,
      { actor: 'bridge', entity: 'case', entityId: 'C-1', action: 'email_withheld_address_bounced' },
      T + 8,
    );
    const dl = (jobId: number, queueKey: string, error: string, failedAt: number, replayedAt: number | null) =>
      cdb
        .insertInto('dead_letters')
        .values({
          job_id: jobId,
          kind: 'k',
          key: `k${jobId}`,
          queue_key: queueKey,
          payload: '{}',
          error,
          attempts: jobId,
          failed_at: failedAt,
          replayed_at: replayedAt,
        })
        .execute();
    await dl(41, 'case:C-1', 'remote 500\nstack line', T + 5, null);
    await dl(42, 'case:C-1', 'gave up', T + 9, Date.UTC(2026, 0, 2, 3, 4, 5));
    await dl(43, 'case:C-10', 'other case', T + 1, null);
    const ids = (await cdb.selectFrom('dead_letters').select(['id', 'job_id']).orderBy('id').execute()).map((r) =>
      Number(r.id),
    );
    const items = await listCaseTimeline(db, 'C-1');
    expect(items.map((i) => [i.at, i.kind, i.detail, i.status, i.durationMs, i.jobId, i.source])).toEqual([
      [T + 1, 'event', 'opened', 'info', null, null, 'timeline'],
      [T + 2, 'sent_to_partner', 'comment_to_partner by ana: {"rule":5}', 'info', null, null, 'audit'],
      [T + 3, 'sent_to_partner', 'status_to_partner by ana: not json', 'info', null, null, 'audit'],
      [T + 4, 'sent_to_partner', 'field_to_partner by bob', 'info', null, null, 'audit'],
      [T + 5, 'call', 'POST /comment', 'done', 0, 0, 'timeline'],
      [T + 5, 'retry', 'again', 'retry', 12, 3, 'timeline'],
      [
        T + 5,
        'sent_to_partner',
        'email_bounced by bridge — allowed by r-1: {"rule":"r-1"}',
        'fail',
        null,
        null,
        'audit',
      ],
      [
        T + 5,
        'dead_letter',
        `dead letter #${ids[0]} (k) after 41 attempt(s): remote 500`,
        'fail',
        null,
        41,
        'dead_letter',
      ],
      [T + 6, 'decision', 'note by ana: {"rule":"r-2"}', 'info', null, null, 'audit'],
      [
        T + 7,
        'sent_to_partner',
        'decision_posted by ana — allowed by r-3: {"rule":"r-3"}',
        'info',
        null,
        null,
        'audit',
      ],
      [T + 8, 'sent_to_partner', 'email_withheld_address_bounced by bridge', 'fail', null, null, 'audit'],
      [
        T + 9,
        'dead_letter',
        `dead letter #${ids[1]} (k) after 42 attempt(s): gave up — replayed 2026-01-02T03:04:05.000Z`,
        'info',
        null,
        42,
        'dead_letter',
      ],
    ]);
    // The limit is per source: the first run by time, the first audit entry and dead letter by id.
    expect((await listCaseTimeline(db, 'C-1', 1)).map((i) => [i.at, i.detail])).toEqual([
      [T + 1, 'opened'],
      [T + 5, 'email_bounced by bridge — allowed by r-1: {"rule":"r-1"}'],
      [T + 5, `dead letter #${ids[0]} (k) after 41 attempt(s): remote 500`],
    ]);
    expect(await listCaseTimeline(db, 'C-none')).toEqual([]);
  });
});
