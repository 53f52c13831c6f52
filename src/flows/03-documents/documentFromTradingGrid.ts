import type { SyncContext } from '../../sync/context.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import { getDocument } from '../../store/ops/documents.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { newJob } from '../catalogue.ts';

/** A document the Trading Grid reports: ours (already known by hash) costs nothing; a partner's is attached once. */
export async function documentFromTradingGrid(
  ctx: SyncContext,
  caseId: string,
  documentId: string,
  sha256: string | undefined,
  uploadedBy: string | undefined,
): Promise<JobOutcome> {
  if (sha256) {
    const known = await getDocument(ctx.store.db, caseId, sha256);
    if (known && (known.cu_attachment_id || uploadedBy === 'internal')) return { status: 'done' };
  }
  if (uploadedBy === 'internal') return { status: 'done' };
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
