import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStores, pgOrWarn, storeMakers } from '../../../test/helpers/pgStore.ts';
import type { CaseRecord } from '../../core/case.ts';
import {
  computeScorecards,
  scorecardWindow,
  scorecardsFromAggregates,
  type CaseMetricRow,
} from '../../core/metrics/scorecard.ts';
import type { Store } from '../db.ts';
import { saveCase } from './cases.ts';
import { recordLink } from './links.ts';
import { listOpenCasesForSweep } from './listOpenCasesForSweep.ts';
import { listStatusHistories } from './listStatusHistories.ts';
import { recordStatusChange } from './recordStatusChange.ts';
import { saveCaseSla } from './saveCaseSla.ts';
import { scorecardAggregates } from './scorecardAggregates.ts';
import { recordEscalation } from './recordEscalation.ts';
import { recordEscalationTask } from './recordEscalationTask.ts';
import { listEscalations } from './listEscalations.ts';
import { withSlaTables } from '../slaTables.ts';

const H = 3_600_000;
const makers = storeMakers();
const pgUp = await pgOrWarn('src/store/ops/slaOps.test.ts');
afterAll(async () => makers.postgres.dispose());

describeStores(pgUp)('SLA store ops on %s', (dialect) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await makers[dialect].make());
  });
  afterAll(async () => cleanup());

  function rec(id: string, o: Partial<CaseRecord> = {}): CaseRecord {
    return {
      id,
      source: 'community',
      partnerId: 'P-1',
      partnerName: 'One',
      partnerTier: 'standard',
      kind: 'dispute',
      title: id,
      description: '',
      transactionRef: null,
      value: null,
      partnerStatus: 'received',
      state: 'active',
      holdReason: null,
      slaDueAt: null,
      openedAt: 0,
      resolvedAt: null,
      updatedAt: 0,
      ...o,
    };
  }

  /** Deterministic PRNG (mulberry32). */
  function rng(seed: number) {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  describe('scorecardAggregates (SQL over the covering index)', () => {
    it('gives the same scorecards as folding every row in JS, for a closed and a running period', async () => {
      const r = rng(3);
      const base = Date.UTC(2026, 5, 1);
      const rows: CaseMetricRow[] = [];
      await store.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 600; i++) {
          const opened = base + Math.floor(r() * 150 * 24) * H;
          const took = Math.floor(1 + r() * 400) * H;
          const resolved = r() < 0.8 ? opened + took : null;
          const due = r() < 0.9 ? opened + Math.floor(24 + r() * 120) * H : null;
          const partner = `P-${1 + Math.floor(r() * 5)}`;
          const status = resolved !== null ? 'resolved' : 'in_review';
          rows.push({ partner_id: partner, status, opened_at: opened, resolved_at: resolved, sla_due_at: due });
          await saveCase(
            trx,
            rec(`S-${i}`, {
              partnerId: partner,
              partnerStatus: status,
              openedAt: opened,
              resolvedAt: resolved,
              slaDueAt: due,
            }),
          );
        }
      });
      for (const [period, now] of [
        ['2026-Q3', Date.UTC(2026, 11, 1)],
        ['2026-10', Date.UTC(2026, 9, 17, 12)],
      ] as const) {
        const w = scorecardWindow(period, 'UTC', new Date(now));
        const sql = scorecardsFromAggregates(await scorecardAggregates(store.db, w), period);
        expect(sql).toEqual(computeScorecards(rows, w));
        expect(sql.length).toBeGreaterThan(0);
        const one = scorecardsFromAggregates(await scorecardAggregates(store.db, w, 'P-2'), period);
        expect(one).toEqual(sql.filter((s) => s.partner_id === 'P-2'));
      }
    });

    it.runIf(dialect === 'sqlite')('reads the scorecard queries from the covering index, not the table', async () => {
      const plan = (
        await store.db.executeQuery<{ detail: string }>({
          sql: 'EXPLAIN QUERY PLAN SELECT partner_id, COUNT(*) FROM cases WHERE resolved_at >= ? AND resolved_at < ? GROUP BY partner_id',
          parameters: [0, 1],
          query: { kind: 'SelectQueryNode' } as never,
          queryId: { queryId: 'plan' },
        })
      ).rows;
      expect(plan.map((p) => p.detail).join(' ')).toMatch(/COVERING INDEX cases_scorecard/);
    });
  });

  describe('status history, sweep pages, ladder', () => {
    it('records a status change once and returns histories oldest first', async () => {
      expect(await recordStatusChange(store.db, 'H-1', 'received', 1000)).toBe(true);
      expect(await recordStatusChange(store.db, 'H-1', 'received', 2000)).toBe(false);
      expect(await recordStatusChange(store.db, 'H-1', 'awaiting_documents', 3000)).toBe(true);
      expect(await recordStatusChange(store.db, 'H-1', 'in_review', 5000)).toBe(true);
      const h = await listStatusHistories(store.db, ['H-1', 'H-none']);
      expect(h.get('H-1')!.map((x) => [x.status, x.from.getTime()])).toEqual([
        ['received', 1000],
        ['awaiting_documents', 3000],
        ['in_review', 5000],
      ]);
      expect(h.has('H-none')).toBe(false);
    });

    it('walks open active cases in id pages, with their stored SLA row and task link', async () => {
      await saveCase(store.db, rec('W-1'));
      await saveCase(store.db, rec('W-2', { state: 'needs_mapping' }));
      await saveCase(store.db, rec('W-3', { resolvedAt: 5, partnerStatus: 'resolved' }));
      await saveCase(store.db, rec('W-4'));
      await saveCase(store.db, rec('W-5'));
      await recordLink(store.db, { entity: 'case', entityId: 'W-4', cuTaskId: 'T-4', cuListId: 'L' }, 0);
      await saveCaseSla(
        store.db,
        { caseId: 'W-4', state: 'at_risk', policy: 'default', share: 0.8, reminders: [0.75, 0.5], dueAt: 99 },
        0,
      );
      await saveCaseSla(
        store.db,
        { caseId: 'W-4', state: 'breached', policy: 'default', share: 1.1, escalationLevel: 1 },
        1,
      );
      const ids: string[] = [];
      let after = 'W-';
      for (;;) {
        const page = await listOpenCasesForSweep(store.db, after, 2);
        ids.push(...page.map((p) => p.record.id).filter((id) => id.startsWith('W-')));
        if (page.length < 2) break;
        after = page.at(-1)!.record.id;
        if (!after.startsWith('W-')) break;
      }
      expect(ids).toEqual(['W-1', 'W-4', 'W-5']);
      const w4 = (await listOpenCasesForSweep(store.db, 'W-3', 1))[0]!;
      expect(w4).toMatchObject({
        cuTaskId: 'T-4',
        cuListId: 'L',
        sla: { state: 'breached', dueAt: 99, reminders: [0.5, 0.75], escalationLevel: 1 },
      });
    });

    it('keeps one rung per level and the first task recorded for it', async () => {
      await saveCaseSla(
        store.db,
        { caseId: 'E-1', state: 'breached', policy: 'default', share: 1, escalationLevel: 1 },
        0,
      );
      await recordEscalation(
        store.db,
        { caseId: 'E-1', level: 1, manager: 'm@example.com', ruleIndex: 0, explanation: 'why', dueAt: 10 },
        0,
      );
      await recordEscalation(
        store.db,
        { caseId: 'E-1', level: 1, manager: 'other@example.com', ruleIndex: 1, explanation: 'again', dueAt: 11 },
        1,
      );
      expect(await recordEscalationTask(store.db, 'E-1', 1, 'T-A', 'L', 2)).toBe('T-A');
      expect(await recordEscalationTask(store.db, 'E-1', 1, 'T-B', 'L', 3)).toBe('T-A');
      expect((await listEscalations(store.db, 'E-1')).map((r) => [r.level, r.manager, r.task_id])).toEqual([
        [1, 'm@example.com', 'T-A'],
      ]);
      const row = await withSlaTables(store.db)
        .selectFrom('case_sla')
        .select('escalation_task_id')
        .where('case_id', '=', 'E-1')
        .executeTakeFirst();
      expect(row?.escalation_task_id).toBe('T-A');
    });
  });
});
