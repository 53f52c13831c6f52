import type { Transaction } from 'kysely';
import type { SyncContext } from '../../sync/context.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import type { TypedJobHandler } from '../../sync/flowModule.ts';
import type { MailboxPayload } from './jobs.ts';
import type { Database } from '../../store/schema.ts';
import { getLink } from '../../store/ops/links.ts';
import { getCase } from '../../store/ops/cases.ts';
import { getDocument, recordDocument } from '../../store/ops/documents.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { outcomeFromRemote } from '../../sync/outcome.ts';
import { readLimited } from '../../flows/shared/readLimited.ts';
import { openMailboxDriver } from './mailboxRuntime.ts';
import { attachmentName } from '../../flows/03-documents/uploadToClickUpHandler.ts';

/** How long the upload of a held case's file waits before looking again (the case needs a mapping first). */
const HELD_RECHECK_MS = 10 * 60_000;

/** Content type from the first bytes: X12 starts with ISA, EDIFACT with UNA or UNB. */
export function ediContentType(head: Buffer): string {
  const s = head.subarray(0, 16).toString('latin1').trimStart();
  if (s.startsWith('ISA')) return 'application/edi-x12';
  if (s.startsWith('UNA') || s.startsWith('UNB')) return 'application/edifact';
  return 'application/octet-stream';
}

/**
 * `clickup.upload_mailbox_file`: attach the raw EDI file of a mailbox case to its ClickUp task, once per
 * content hash (as uploadDocument.ts does for partner documents). The bytes come from the mailbox archive
 * or quarantine (openStoredFile by SHA-256) and are checked against the hash. A held case's file waits
 * for its task.
 */
export function uploadMailboxFileHandler(
  ctx: SyncContext,
): TypedJobHandler<MailboxPayload<'clickup.upload_mailbox_file'>> {
  return async ({ payload, attempt }) => {
    const { caseId, file } = payload;
    const db = ctx.store.db;
    const cfg = ctx.config.mailbox;
    if (!cfg)
      return {
        status: 'fail',
        error: `the EDI file ${file.name} of case ${caseId} cannot be read: the mailbox section is no longer configured`,
      };
    const link = await getLink(db, 'case', caseId);
    if (!link) {
      const rec = await getCase(db, caseId);
      if (!rec) return { status: 'fail', error: `case ${caseId} does not exist` };
      if (rec.state === 'needs_mapping')
        return {
          status: 'retry',
          error: `case ${caseId} is held (${rec.holdReason}); its EDI file goes to the task once there is one`,
          retryAfterMs: HELD_RECHECK_MS,
          refundAttempt: true,
        };
      return { status: 'retry', error: `case ${caseId} has no ClickUp task yet`, retryAfterMs: 2000 };
    }
    if ((await getDocument(db, caseId, file.sha256))?.cu_attachment_id) return { status: 'done' };

    const driver = await openMailboxDriver(ctx, cfg);
    if (!driver.ok) return outcomeFromRemote(driver.error, 'opening the mailbox');
    try {
      const opened = await driver.value.openStoredFile({ sha256: file.sha256 });
      if (!opened.ok) return outcomeFromRemote(opened.error, `reading the stored EDI file ${file.name}`);
      const read = await readLimited(opened.value, ctx.config.documents.max_bytes);
      if (!read.ok)
        return read.tooLarge
          ? { status: 'fail', error: `EDI file ${file.name}: ${read.reason}` }
          : { status: 'retry', error: read.reason };
      if (read.sha256 !== file.sha256)
        return {
          status: 'fail',
          error: `EDI file ${file.name}: the stored copy hashes to ${read.sha256}, expected ${file.sha256}`,
        };

      const filename = attachmentName('EDI_file', file.name);
      const remember = (attachmentId: string, action: string): JobOutcome => ({
        status: 'done',
        commit: async (trx: Transaction<Database>) => {
          const now = ctx.now();
          await recordDocument(
            trx,
            {
              case_id: caseId,
              sha256: file.sha256,
              name: file.name,
              kind: 'edi_file',
              origin: 'partner',
              tg_document_id: null,
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
              entityId: caseId,
              action,
              after: { name: filename, sha256: file.sha256 },
            },
            now,
          );
        },
      });
      if (attempt > 1) {
        // We may have uploaded it before a crash: look on the task before sending it again.
        const task = await ctx.clickup.getTask(link.cuTaskId);
        if (!task.ok) return outcomeFromRemote(task.error, `reading task ${link.cuTaskId}`);
        const atts =
          (task.value as { attachments?: Array<{ id: string; title?: string; size?: number | string }> }).attachments ??
          [];
        const same = atts.find(
          (a) => a.title === filename && (a.size === undefined || Number(a.size) === read.data.length),
        );
        if (same) return remember(same.id, 'edi_file_found_after_retry');
      }
      const up = await ctx.clickup.uploadAttachment(link.cuTaskId, {
        filename,
        contentType: ediContentType(read.data),
        data: read.data,
      });
      if (!up.ok) return outcomeFromRemote(up.error, `attaching ${file.name} to task ${link.cuTaskId}`);
      return remember(up.value.id, 'edi_file_to_clickup');
    } finally {
      await driver.value.close();
    }
  };
}
