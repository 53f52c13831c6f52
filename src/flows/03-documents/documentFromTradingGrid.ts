import type { SyncContext } from '../../sync/context.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import { getDocument } from '../../store/ops/documents.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { newJob } from '../catalogue.ts';
import { decideTradingGridDocument } from './decisions/tradingGridDocument.ts';

/** A document the Trading Grid reports: ours, or one already attached (same hash), costs nothing; a partner's is attached once (decideTradingGridDocument). */
export async function documentFromTradingGrid(
  ctx: SyncContext,
  caseId: string,
  documentId: string,
  sha256: string | undefined,
  uploadedBy: string | undefined,
): Promise<JobOutcome> {
  const known = sha256 && uploadedBy !== 'internal' ? await getDocument(ctx.store.db, caseId, sha256) : null;
  if (decideTradingGridDocument(uploadedBy, known) !== 'attach') return { status: 'done' };
  return {
    status: 'done',
    commit: async (trx) => {
      await enqueueJobs(
        trx,
        [
          newJob(
            'clickup.upload_document',
            { caseId, documentId },
            {
              key: `cu.upload_document:${caseId}:${documentId}`,
              queueKey: `case:${caseId}`,
              maxAttempts: ctx.config.dispatcher.max_attempts,
            },
          ),
        ],
        ctx.now(),
        ctx.config.dispatcher.max_attempts,
      );
    },
  };
}
