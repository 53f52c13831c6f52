import type { SyncContext } from '../../sync/context.ts';
import { noTaskYet } from '../shared/noTaskYet.ts';
import type { Transaction } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { TypedJobHandler } from '../../sync/flowModule.ts';
import type { JobPayload } from '../catalogue.ts';
import { getLink } from '../../store/ops/links.ts';
import { getDocument, recordDocument } from '../../store/ops/documents.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { outcomeFromRemote } from '../../sync/outcome.ts';
import { checkDocument } from '../shared/documentCheck.ts';

/** The attachment's name on the task says what kind of document it is. */
export function attachmentName(kind: string, name: string): string {
  return `${kind.replace(/_/g, ' ')} - ${name}`;
}

/**
 * `clickup.upload_document` (flow 3, Trading Grid → ClickUp): stream the partner's file (size limit,
 * content-type allow-list, sha256 checked against the metadata) and attach it to the case's task once:
 * a file already on the task (same hash) is not uploaded again.
 */
export function uploadToClickUpHandler(ctx: SyncContext): TypedJobHandler<JobPayload<'clickup.upload_document'>> {
  return async ({ payload: intent, attempt, job }) => {
    const db = ctx.store.db;
    const link = await getLink(db, 'case', intent.caseId);
    if (!link) return noTaskYet(ctx, intent.caseId, job);

    const dl = await ctx.tg.downloadDocument(intent.documentId);
    if (!dl.ok) return outcomeFromRemote(dl.error, `downloading document ${intent.documentId}`);
    const meta = dl.value.meta;
    const known = await getDocument(db, intent.caseId, meta.sha256);
    if (known?.cu_attachment_id) {
      dl.value.body.destroy();
      return { status: 'done' };
    }
    const checked = await checkDocument(
      dl.value.body,
      { label: `document ${meta.id} (${meta.name})`, contentType: meta.content_type, sha256: meta.sha256 },
      ctx.config.documents,
    );
    if (!checked.ok) return checked.outcome;
    const read = checked;
    const type = checked.contentType;

    const filename = attachmentName(meta.kind, meta.name);
    const remember = (attachmentId: string, action: string) => ({
      status: 'done' as const,
      commit: async (trx: Transaction<Database>) => {
        const now = ctx.now();
        await recordDocument(
          trx,
          {
            case_id: intent.caseId,
            sha256: read.sha256,
            name: meta.name,
            kind: meta.kind,
            origin: meta.uploaded_by === 'partner' ? 'partner' : 'internal',
            tg_document_id: meta.id,
            cu_attachment_id: attachmentId,
            size_bytes: read.data.length,
          },
          now,
        );
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: 'case',
            entityId: intent.caseId,
            action,
            after: { document: meta.id, name: filename, sha256: read.sha256 },
          },
          now,
        );
      },
    });

    if (attempt > 1) {
      // We may have uploaded it before crashing: look on the task before sending it again.
      const task = await ctx.clickup.getTask(link.cuTaskId);
      if (!task.ok) return outcomeFromRemote(task.error, `reading task ${link.cuTaskId}`);
      const atts =
        (task.value as { attachments?: Array<{ id: string; title?: string; size?: number | string }> }).attachments ??
        [];
      const same = atts.find(
        (a) => a.title === filename && (a.size === undefined || Number(a.size) === read.data.length),
      );
      if (same) return remember(same.id, 'document_found_after_retry');
    }
    const up = await ctx.clickup.uploadAttachment(link.cuTaskId, { filename, contentType: type, data: read.data });
    if (!up.ok) return outcomeFromRemote(up.error, `attaching ${meta.name} to task ${link.cuTaskId}`);
    return remember(up.value.id, 'document_to_clickup');
  };
}
