import { createHash } from 'node:crypto';
import type { IncomingCase } from '../../core/intake.ts';
import type { TransactionRef } from '../../core/case.ts';
import type { MailboxException, MailboxExceptionKind } from '../../connectors/tradinggrid/mailbox/exceptions.ts';
import { partyKey } from '../../connectors/tradinggrid/mailbox/state.ts';

const LABELS: Record<MailboxExceptionKind, string> = {
  fa_rejected: 'Functional acknowledgement rejected',
  fa_overdue: 'Functional acknowledgement overdue',
  application_rejected: 'Application advice rejected',
  shipment_status_exception: 'Shipment status exception',
  return_requested: 'Return requested',
  asn_missing: 'ASN missing',
  invoice_mismatch: 'Invoice mismatch',
  order_acknowledgment_exception: 'Order acknowledgement: rejected or changed',
  order_change_exception: 'Order change answered: rejected or changed',
  partner_text_message: 'Text message from the partner',
  content_error: 'EDI file does not parse',
  mailbox_inactive: 'Mailbox inactive',
};

/** Prefix of the partner id a case gets while its EDI address has no Trading Grid partner. */
export const UNMAPPED_EDI_PREFIX = 'edi:';
const TITLE_MAX = 160;

/** Case id of an EDI exception: a hash of its dedupe key, so a rescan, a restart or a second instance names the same case. */
export function mailboxCaseId(dedupeKey: string): string {
  return `edi-${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 24)}`;
}

/** The flow-6 request id of a partner's 860 / ORDCHG, stable across rescans. */
export function ediRequestId(dedupeKey: string): string {
  return `edireq-${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 24)}`;
}

export interface MailboxCaseInput {
  incoming: IncomingCase;
  /** The EDI address (`qualifier:id`) when it has no entry under mailbox.partners; null when mapped. */
  unmappedAddress: string | null;
}

/** A mailbox exception → the engine's normalised case (flow 1). Pure. */
export function toMailboxCase(
  x: MailboxException,
  partners: Readonly<Record<string, { partner_id: string }>>,
  testListId?: string,
): MailboxCaseInput {
  const address = partyKey(x.partner);
  const mapped = partners[address]?.partner_id;
  const r = x.transactionRef;
  const ref: TransactionRef | null =
    r.standard === null && r.interchange === null && r.transaction === null && r.business === null
      ? null
      : {
          ...(r.standard !== null ? { standard: r.standard } : {}),
          ...(r.interchange !== null ? { interchange: r.interchange } : {}),
          ...(r.group !== null ? { group: r.group } : {}),
          ...(r.transaction !== null ? { transaction: r.transaction } : {}),
          ...(r.setId ? { setId: r.setId } : {}),
          address,
          business: r.business ? { type: r.business.type, value: r.business.value.trim() } : null,
        };
  const label = LABELS[x.exception];
  const title = `${label}: ${x.detail}`;
  const at = Date.parse(x.occurredAt);
  const description = [
    x.detail,
    '',
    `EDI partner address: ${address}${r.sender ? ` (interchange from ${r.sender}${r.receiver ? ` to ${r.receiver}` : ''})` : ''}`,
    ...(x.file ? [`EDI file: ${x.file.name} (sha256 ${x.file.sha256}), attached to this task`] : []),
  ].join('\n');
  return {
    incoming: {
      id: mailboxCaseId(x.dedupeKey),
      source: x.test ? 'mailbox_test' : 'mailbox',
      ...(x.test && testListId ? { listId: testListId } : {}),
      partnerId: mapped ?? `${UNMAPPED_EDI_PREFIX}${address}`,
      kind: 'edi_exception',
      title: title.length > TITLE_MAX ? `${title.slice(0, TITLE_MAX - 1)}…` : title,
      description,
      transactionRef: ref,
      value: null,
      status: 'open',
      openedAt: at,
      updatedAt: at,
      exception: x.exception,
    },
    unmappedAddress: mapped === undefined ? address : null,
  };
}

/** Why a case is held when its EDI address has no partner: names the address and the config key that fixes it. */
export function unmappedEdiReason(address: string, mailboxName: string): string {
  return `EDI address ${address} has no Trading Grid partner: add '${address}': { partner_id: <Trading Grid partner id> } under mailbox.partners (mailbox ${mailboxName}); held cases are taken up again at the next mailbox scan`;
}
