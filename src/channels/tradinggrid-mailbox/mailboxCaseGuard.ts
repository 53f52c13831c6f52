import type { Transaction } from 'kysely';
import type { SyncContext } from '../../sync/context.ts';
import type { Database } from '../../store/schema.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import { getCase } from '../../store/ops/cases.ts';
import type { CaseRecord } from '../../core/case.ts';
import { appendAudit } from '../../store/ops/audit.ts';

/**
 * EDI-derived cases (source mailbox) have no case on the Trading Grid side: the partner sees EDI
 * acknowledgements, not a case. A Trading Grid effect asked for one (status, comment, document) is
 * recorded in the audit log and skipped instead of failing with a 404 (`local` still applies the change on our
 * side, e.g. the case's status). Null when the case is a Trading Grid case.
 */
export async function skipWithoutTradingGridCase(
  ctx: SyncContext,
  caseId: string,
  effect: string,
  detail?: unknown,
  local?: (trx: Transaction<Database>) => Promise<unknown>,
  /** The case's record when the caller has just read it (null: there is none); read here otherwise. */
  known?: CaseRecord | null,
): Promise<JobOutcome | null> {
  const rec = known !== undefined ? known : await getCase(ctx.store.db, caseId);
  if (!rec || rec.source === 'community') return null;
  return {
    status: 'done',
    commit: async (trx) => {
      await local?.(trx);
      await appendAudit(
        trx,
        {
          actor: 'gridbridge',
          entity: 'case',
          entityId: caseId,
          action: 'skipped_no_tradinggrid_case',
          after: { effect, ...(detail !== undefined ? { detail } : {}) },
        },
        ctx.now(),
      );
    },
  };
}
