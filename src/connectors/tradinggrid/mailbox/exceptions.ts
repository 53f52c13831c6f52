import type { Acknowledgment } from '../edi/acknowledgments.ts';
import type { BusinessReference } from '../edi/businessReference.ts';
import type { PartyId } from '../edi/envelope.ts';
import type { Standard } from '../edi/segment.ts';
import type { ChangeRequest } from '../edi/partnerDocuments.ts';
import type { FileRef, SentTransaction } from './state.ts';

export type MailboxExceptionKind =
  | 'fa_rejected'
  | 'fa_overdue'
  | 'application_rejected'
  | 'shipment_status_exception'
  | 'return_requested'
  | 'asn_missing'
  | 'invoice_mismatch'
  | 'order_acknowledgment_exception'
  | 'order_change_exception'
  | 'partner_text_message'
  | 'content_error'
  | 'mailbox_inactive';

/** Reference key of a transaction (TRADING-GRID-CONTRACT.md): sender/receiver as `qualifier:id`. */
export interface TransactionRef {
  standard: Standard | null;
  sender: string | null;
  receiver: string | null;
  interchange: string | null;
  group: string | null;
  transaction: string | null;
  /** The transaction set or message type referenced (214, 810, IFTSTA…), when known. */
  setId?: string | null;
  business: BusinessReference | null;
}

/** An EDI-derived exception: each becomes one flow-1 case; `dedupeKey` is stable across rescans and restarts. */
export interface MailboxException {
  type: 'exception';
  exception: MailboxExceptionKind;
  partner: PartyId;
  transactionRef: TransactionRef;
  detail: string;
  occurredAt: string;
  /** The file to attach to the task (read it with MailboxDriver.openStoredFile); null for mailbox_inactive. */
  file: FileRef | null;
  dedupeKey: string;
  /** From a test (ISA15 T, UNB 0035 = 1) or information interchange: never a production case. */
  test?: true;
}

/** An acknowledgement received, with the transactions we sent that it answers. */
export interface MailboxAcknowledgment {
  type: 'acknowledgment';
  partner: PartyId;
  ack: Acknowledgment;
  correlated: Pick<SentTransaction, 'interchange' | 'group' | 'transaction' | 'setId' | 'business' | 'file'>[];
  occurredAt: string;
  file: FileRef;
  dedupeKey: string;
}

/** A partner's purchase order change (X12 860, EDIFACT ORDCHG): a flow-6 request to decide, answered by 865 / ORDRSP. */
export interface MailboxChangeRequest {
  type: 'request';
  partner: PartyId;
  /** Our address the partner sent it to (the answer goes from it). */
  us: PartyId;
  setId: string;
  transactionRef: TransactionRef;
  request: ChangeRequest;
  occurredAt: string;
  file: FileRef;
  dedupeKey: string;
}

export type MailboxItem = MailboxException | MailboxAcknowledgment | MailboxChangeRequest;

const p = (x: PartyId) => `${x.qualifier}:${x.id}`;

export function refOfSent(t: SentTransaction): TransactionRef {
  return {
    standard: t.standard,
    sender: p(t.us),
    receiver: p(t.partner),
    interchange: t.interchange,
    group: t.group,
    transaction: t.transaction,
    setId: t.setId,
    business: t.business,
  };
}

/** Stable key: kind + partner + reference (+ a discriminator such as an AT7 line or a file hash). */
export function dedupeKeyOf(kind: string, partner: PartyId, ref: TransactionRef, extra = ''): string {
  return [
    kind,
    p(partner),
    ref.standard ?? '',
    ref.sender ?? '',
    ref.interchange ?? '',
    ref.group ?? '',
    ref.transaction ?? '',
    ref.business?.value ?? '',
    extra,
  ].join('|');
}

export function exception(
  kind: MailboxExceptionKind,
  partner: PartyId,
  ref: TransactionRef,
  detail: string,
  occurredAt: string,
  file: FileRef | null,
  extra = '',
): MailboxException {
  return {
    type: 'exception',
    exception: kind,
    partner,
    transactionRef: ref,
    detail,
    occurredAt,
    file,
    dedupeKey: dedupeKeyOf(kind, partner, ref, extra),
  };
}

export function describeAckErrors(ack: Acknowledgment): string {
  if (ack.errors.length === 0) return '';
  return ack.errors
    .map((e) =>
      [
        e.segment,
        e.position !== undefined ? `#${e.position}` : '',
        e.element !== undefined ? `element ${e.element}` : '',
        `code ${e.code}`,
        e.description ?? '',
      ]
        .filter(Boolean)
        .join(' '),
    )
    .join('; ');
}
