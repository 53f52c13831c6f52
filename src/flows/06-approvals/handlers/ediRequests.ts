import type { SyncContext } from '../../../sync/context.ts';
import type { TypedJobHandler } from '../../../sync/flowModule.ts';
import type { ApprovalPayload } from '../jobs.ts';
import { humanRequestKind } from '../decisions/approvals.ts';
import { requestKindOf, requestValueOf } from '../../../connectors/tradinggrid/edi/partnerDocuments.ts';
import { ediRequestId } from '../../../channels/tradinggrid-mailbox/mailboxCase.ts';
import { intakeOwnRequest } from './approvals.ts';

/** 860 BCH01 / ORDCHG BGM 1225 purposes a person reads. */
const PURPOSES: Record<string, string> = {
  '01': 'cancellation',
  '1': 'cancellation',
  '04': 'change',
  '4': 'change',
  '05': 'replacement',
  '5': 'replacement',
};

/**
 * `approval.edi_request`: a partner's 860 / ORDCHG taken in as a flow-6 request (one approval task, routed like
 * any request), remembered with what the answer must quote. Its EDI address must be mapped to a partner
 * (mailbox.partners); otherwise the job fails and waits in the dead letters until the address is mapped.
 */
export function ediRequestHandler(ctx: SyncContext): TypedJobHandler<ApprovalPayload<'approval.edi_request'>> {
  return async ({ payload }) => {
    const item = payload.item;
    const address = `${item.partner.qualifier}:${item.partner.id}`;
    const partnerId = ctx.config.mailbox?.partners[address]?.partner_id;
    const r = item.request;
    if (!partnerId)
      return {
        status: 'fail',
        error: `EDI ${item.setId} for order ${r.po} from ${address}: the address is not in mailbox.partners (map it, then replay)`,
      };
    const kind = requestKindOf(r);
    const purpose = PURPOSES[r.purpose] ?? (r.purpose ? `purpose ${r.purpose}` : 'change');
    const lines = r.lines.map(
      (l) =>
        `- line ${l.line || '?'}: ${l.change || 'change'}${l.product ? ` ${l.product}` : ''}${l.quantity !== null ? `, quantity ${l.quantity}${l.unit ? ` ${l.unit}` : ''}` : ''}${l.unitPrice !== null ? `, unit price ${l.unitPrice}` : ''}`,
    );
    const details = [
      `${item.setId} from ${address} (interchange ${item.transactionRef.interchange ?? '?'}, ${item.setId === '860' ? 'ST02' : 'UNH'} ${item.transactionRef.transaction ?? '?'}), file ${item.file.name}.`,
      `Order ${r.po}${r.changeNumber ? `, change ${r.changeNumber}` : ''}${r.poDate ? `, dated ${r.poDate}` : ''}: ${purpose}.`,
      ...(lines.length ? ['', ...lines] : []),
      ...(r.notes.length ? ['', ...r.notes] : []),
    ].join('\n');
    return intakeOwnRequest(
      ctx,
      ediRequestId(item.dedupeKey),
      partnerId,
      {
        kind,
        summary: `Order ${r.po} ${purpose} (${humanRequestKind(kind)}, ${r.lines.length} line${r.lines.length === 1 ? '' : 's'})`,
        details,
        value: requestValueOf(r),
      },
      {
        origin: 'edi',
        edi: {
          standard: item.transactionRef.standard ?? (item.setId === '860' ? 'x12' : 'edifact'),
          setId: item.setId,
          partner: address,
          us: `${item.us.qualifier}:${item.us.id}`,
          interchange: item.transactionRef.interchange,
          group: item.transactionRef.group,
          transaction: item.transactionRef.transaction,
          request: r,
        },
      },
    );
  };
}
