import type { Kysely, Transaction } from 'kysely';
import type { CaseRecord } from '../../core/case.ts';
import type { Database } from '../schema.ts';
import { getCase, saveCase } from './cases.ts';

/**
 * The case's SLA due date moved (a pause ended): update the record and its indexed `sla_due_at`, which
 * the scorecards' overdue and SLA-met figures read. Run it in a job of the case's queue key, so it does
 * not interleave with other writers of the same record. Returns the record, or null when unknown.
 */
export async function setCaseDueDate(
  db: Kysely<Database> | Transaction<Database>,
  caseId: string,
  dueAt: number,
): Promise<CaseRecord | null> {
  const rec = await getCase(db, caseId);
  if (!rec) return null;
  if (rec.slaDueAt === dueAt) return rec;
  // updatedAt is left alone: it is the case's own change time, which the status sync compares.
  const next: CaseRecord = { ...rec, slaDueAt: dueAt };
  await saveCase(db, next);
  return next;
}
