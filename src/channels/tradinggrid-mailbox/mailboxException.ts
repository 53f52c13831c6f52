import type { SyncContext } from '../../sync/context.ts';
import type { TypedJobHandler } from '../../sync/flowModule.ts';
import type { MailboxPayload } from './jobs.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { setCaseHoldReason } from '../../store/ops/setCaseHoldReason.ts';
import { enqueueOrMakeDue } from '../../store/ops/advanceReadyJob.ts';
import { toMailboxCase, unmappedEdiReason } from './mailboxCase.ts';
import { intakeCase } from '../../flows/01-case-intake/intakeHandler.ts';
import { newJob } from '../../flows/catalogue.ts';

/** Job key of the upload of a case's EDI file: once per case and content hash. */
export const uploadMailboxFileKey = (caseId: string, sha256: string) => `cu.upload_mailbox_file:${caseId}:${sha256}`;

/**
 * `mailbox.exception`: an EDI-derived exception taken in as a flow-1 case (source mailbox, kind
 * edi_exception), with the upload of its raw file queued in the same transaction. An EDI address with no
 * Trading Grid partner is held, and the hold says which address and where to map it.
 */
export function mailboxExceptionHandler(ctx: SyncContext): TypedJobHandler<MailboxPayload<'mailbox.exception'>> {
  return async ({ payload }) => {
    const { item } = payload;
    const cfg = ctx.config.mailbox;
    if (!cfg)
      return { status: 'fail', error: 'a mailbox exception arrived but the mailbox section is no longer configured' };
    const testList = cfg.test_interchanges === 'ignore' ? undefined : cfg.test_interchanges.list_id;
    // A test item with nowhere to go (config changed to ignore since) is dropped, never filed as production.
    if (item.test && testList === undefined) return { status: 'done' };
    const { incoming, unmappedAddress } = toMailboxCase(item, cfg.partners, testList);
    const out = await intakeCase(ctx, incoming, []);
    if (out.status !== 'done') return out;
    return {
      status: 'done',
      commit: async (trx) => {
        await out.commit?.(trx);
        if (unmappedAddress !== null) {
          await setCaseHoldReason(trx, incoming.id, unmappedEdiReason(unmappedAddress, cfg.name));
          await appendAudit(
            trx,
            {
              actor: `mailbox:${cfg.name}`,
              entity: 'case',
              entityId: incoming.id,
              action: 'held_unmapped_edi_address',
              after: { address: unmappedAddress },
            },
            ctx.now(),
          );
        }
        if (item.file) {
          const key = uploadMailboxFileKey(incoming.id, item.file.sha256);
          // New: queued. Already queued and parked while the case was held: due now, the task may be on its way.
          await enqueueOrMakeDue(
            trx,
            newJob('clickup.upload_mailbox_file', { caseId: incoming.id, file: item.file }, { key }),
            ctx.now(),
            ctx.config.dispatcher.max_attempts,
          );
        }
      },
    };
  };
}
