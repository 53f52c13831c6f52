import type { SyncContext } from '../../sync/context.ts';
import type { TypedJobHandler } from '../../sync/flowModule.ts';
import type { JobPayload } from '../catalogue.ts';
import { getCase } from '../../store/ops/cases.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { getDocument, recordDocument } from '../../store/ops/documents.ts';
import { outcomeFromRemote } from '../../sync/outcome.ts';
import { readLimited } from '../shared/readLimited.ts';
import { checkContentType } from '../shared/documentCheck.ts';
import { skipWithoutTradingGridCase } from '../../channels/tradinggrid-mailbox/mailboxCaseGuard.ts';
import { partnerRoute } from '../../channels/partner-email/route.ts';
import { caseDocumentMail, keepSharedFile } from '../../channels/partner-email/flowMail.ts';
import { queuePartnerMail } from '../../channels/partner-email/outbox.ts';

/**
 * `tradinggrid.upload_document` (flow 3, ClickUp → Trading Grid): a file a person attached in ClickUp
 * goes to the partner's case as a corrected document, once per content hash. Only configured ClickUp
 * hosts are fetched (the connector refuses others).
 */
export function uploadToTradingGridHandler(
  ctx: SyncContext,
): TypedJobHandler<JobPayload<'tradinggrid.upload_document'>> {
  return async ({ payload: p, job }) => {
    const rec = await getCase(ctx.store.db, p.caseId);
    const route = rec
      ? partnerRoute(ctx, rec.partnerId, 'case_documents')
      : { community: true, email: false, channels: ['community'] };
    if (!route.email) {
      const noTgCase = await skipWithoutTradingGridCase(ctx, p.caseId, 'upload_document', {
        attachmentId: p.attachmentId,
      });
      if (noTgCase) return noTgCase;
    }
    const dl = await ctx.clickup.downloadAttachment(p.url);
    if (!dl.ok) return outcomeFromRemote(dl.error, `downloading ClickUp attachment ${p.attachmentId}`);
    const read = await readLimited(dl.value.body, ctx.config.documents.max_bytes);
    if (!read.ok)
      return read.tooLarge
        ? { status: 'fail', error: `attachment ${p.title}: ${read.reason}` }
        : { status: 'retry', error: read.reason };
    const rawType = p.contentType ?? dl.value.contentType ?? 'application/octet-stream';
    const known = await getDocument(ctx.store.db, p.caseId, read.sha256);
    const now = ctx.now();
    if (known) {
      // The same bytes are on the case already (the partner's own file, or one we sent): remember the attachment only.
      return {
        status: 'done',
        commit: (trx) => recordDocument(trx, { ...known, cu_attachment_id: p.attachmentId }, now),
      };
    }
    // The same check as every file passed on (checkDocument): well-formed, on the allow-list without case.
    const checkedType = checkContentType(`attachment ${p.title}`, rawType, ctx.config.documents.content_types);
    if (!checkedType.ok) return checkedType.outcome;
    const contentType = checkedType.contentType;
    // E-mail: the file is kept for the partner page and attached (or linked) once per content hash.
    const mail =
      route.email && rec
        ? caseDocumentMail(rec, { name: p.title, sha256: read.sha256, contentType, sizeBytes: read.data.length })
        : null;
    const tgCase = route.community && rec?.source !== 'mailbox';
    const up = tgCase
      ? await ctx.tg.uploadCaseDocument(
          p.caseId,
          { name: p.title, kind: ctx.config.sync.clickup_upload_kind, contentType, data: read.data },
          job.key,
        )
      : null;
    if (up && !up.ok) return outcomeFromRemote(up.error, `uploading ${p.title} to case ${p.caseId}`);
    const tgDocumentId = up?.ok ? up.value.id : null;
    return {
      status: 'done',
      commit: async (trx) => {
        await recordDocument(
          trx,
          {
            case_id: p.caseId,
            sha256: read.sha256,
            name: p.title,
            kind: ctx.config.sync.clickup_upload_kind,
            origin: 'clickup',
            tg_document_id: tgDocumentId,
            cu_attachment_id: p.attachmentId,
            size_bytes: read.data.length,
          },
          ctx.now(),
        );
        if (mail) {
          await keepSharedFile(
            trx,
            { caseId: p.caseId, sha256: read.sha256, name: p.title, contentType, content: read.data },
            ctx.now(),
          );
          await queuePartnerMail(ctx, trx, mail);
        }
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: 'case',
            entityId: p.caseId,
            action: 'document_to_partner',
            after: {
              name: p.title,
              sha256: read.sha256,
              tgDocumentId,
              rule: p.sharedBy ?? null,
              ...(ctx.partnerChannel ? { channels: route.channels } : {}),
            },
          },
          ctx.now(),
        );
      },
    };
  };
}
