import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { CaseRecord } from '../../core/case.ts';
import type { PartnerMail } from './outbox.ts';
import { STATUS_LABELS } from './messages.ts';
import { savePartnerFile } from '../../store/ops/partnerFiles.ts';

/**
 * The partner e-mails of each flow, from what the flow's job already knows. Only what the existing code
 * treats as partner-visible goes in: the partner status and its note, `@partner` comments (prefix removed),
 * files a person shared on the task, the decision with the approver's comments, the scorecard, the notice.
 */

const caseRef = (c: CaseRecord) =>
  c.transactionRef?.business ? `${c.id} (${c.transactionRef.business.type} ${c.transactionRef.business.value})` : c.id;

export function caseStatusMail(
  c: CaseRecord,
  status: string,
  note: string | null,
  jobKey: string,
): PartnerMail<'case_status'> {
  return {
    partnerId: c.partnerId,
    kind: 'case_status',
    entity: 'case',
    entityId: c.id,
    key: `case_status:${jobKey}`,
    facts: {
      caseRef: caseRef(c),
      caseTitle: c.title,
      status,
      statusLabel: STATUS_LABELS[status] ?? status,
      received: status === 'received',
      note,
    },
  };
}

export function caseCommentMail(
  c: CaseRecord,
  author: string,
  comment: string,
  jobKey: string,
): PartnerMail<'case_comment'> {
  return {
    partnerId: c.partnerId,
    kind: 'case_comment',
    entity: 'case',
    entityId: c.id,
    key: `case_comment:${jobKey}`,
    facts: { caseRef: caseRef(c), caseTitle: c.title, author, comment },
  };
}

export function caseDocumentMail(
  c: CaseRecord,
  f: { name: string; sha256: string; contentType: string; sizeBytes: number },
): PartnerMail<'case_document'> {
  return {
    partnerId: c.partnerId,
    kind: 'case_document',
    entity: 'case',
    entityId: c.id,
    key: `case_document:${c.id}:${f.sha256}`,
    facts: {
      caseRef: caseRef(c),
      caseTitle: c.title,
      fileName: f.name,
      sha256: f.sha256,
      contentType: f.contentType,
      sizeBytes: f.sizeBytes,
    },
  };
}

/** Keep a file shared with a partner (once per content hash) so its page and its e-mail can serve it. */
export async function keepSharedFile(
  db: Kysely<Database> | Transaction<Database>,
  f: { caseId: string; sha256: string; name: string; contentType: string; content: Buffer },
  now: number,
): Promise<void> {
  await savePartnerFile(db, f, now);
}
