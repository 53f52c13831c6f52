import { z } from 'zod';

/** A stored EDI file (connectors/tradinggrid/mailbox/state.ts FileRef). */
const fileRef = z.object({ name: z.string(), sha256: z.string() });

const partyId = z.object({ qualifier: z.string(), id: z.string() });

/** An EDI-derived exception as the mailbox driver reports it (connectors/tradinggrid/mailbox/exceptions.ts MailboxException). */
const mailboxException = z.object({
  type: z.literal('exception'),
  exception: z.enum([
    'fa_rejected',
    'fa_overdue',
    'application_rejected',
    'shipment_status_exception',
    'return_requested',
    'asn_missing',
    'invoice_mismatch',
    'order_acknowledgment_exception',
    'order_change_exception',
    'partner_text_message',
    'content_error',
    'mailbox_inactive',
  ]),
  partner: partyId,
  transactionRef: z.object({
    standard: z.enum(['x12', 'edifact']).nullable(),
    sender: z.string().nullable(),
    receiver: z.string().nullable(),
    interchange: z.string().nullable(),
    group: z.string().nullable(),
    transaction: z.string().nullable(),
    setId: z.string().nullable().optional(),
    business: z.object({ type: z.string(), value: z.string() }).nullable(),
  }),
  detail: z.string(),
  occurredAt: z.string(),
  file: fileRef.nullable(),
  dedupeKey: z.string(),
  test: z.literal(true).optional(),
});

/** Job kinds of the Trading Grid mailbox channel (stored kind strings) and their payloads. */
export const mailboxJobs = {
  /** Scheduled (the scheduler adds `slot`). */
  'mailbox.scan': z.object({ slot: z.number() }),
  /** Scheduled (the scheduler adds `slot`). */
  'accsv.scan': z.object({ slot: z.number() }),
  /** One exception of a scanned file, or a held case taken up again once its EDI address is mapped. */
  'mailbox.exception': z.object({ item: mailboxException }),
  /** The raw EDI file of a mailbox case, to attach to its ClickUp task. */
  'clickup.upload_mailbox_file': z.object({ caseId: z.string(), file: fileRef }),
  /** An asynchronous AS2 MDN, POSTed to the partner's Receipt-Delivery-Option URL (retried, then a dead letter). */
  'as2.mdn': z.object({
    url: z.string(),
    partner: z.string(),
    messageId: z.string(),
    mdn: z.object({ contentType: z.string(), body: z.string(), messageId: z.string() }),
  }),
} as const;

/** The payload of one of these kinds, as its handler receives it. */
export type MailboxPayload<K extends keyof typeof mailboxJobs> = z.infer<(typeof mailboxJobs)[K]>;
