import type { Result } from '../../core/result.ts';
import { err, ok } from '../../core/result.ts';
import type { SyncContext } from '../../sync/context.ts';
import type { TypedJobHandler } from '../../sync/flowModule.ts';
import type { EdiPartnerPayload } from './jobs.ts';
import { getEdiOutboundFile, markEdiOutboundFile } from '../../store/ops/ediOutbound.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { outcomeFromRemote } from '../../sync/outcome.ts';
import { openMailboxDriver } from '../tradinggrid-mailbox/mailboxRuntime.ts';
import { sendEdiFileOverAs2 } from './as2Send.ts';

/** One outbound EDI file on its way to a partner. */
export interface EdiFile {
  name: string;
  data: Buffer;
  /** The partner's EDI address, qualifier:id. */
  partnerAddress: string;
}

/**
 * Where outbound EDI files go. `mailbox` writes into the mailbox's outbound folder (SFTP or local) through the
 * mailbox driver, which keeps a copy in the archive and records each transaction awaiting its FA. A transport that
 * only delivers bytes plugs in by adding a factory here under its `send.via` name; AS2, whose outcome comes in
 * an MDN (maybe later), has its own path (`as2Send.ts`).
 */
export interface EdiFileSender {
  send(file: EdiFile): Promise<Result<void>>;
  close(): Promise<void>;
}

export type EdiSenderFactory = (ctx: SyncContext) => Promise<Result<EdiFileSender>>;

const mailboxSender: EdiSenderFactory = async (ctx) => {
  const cfg = ctx.config.mailbox;
  if (!cfg) return err({ code: 'edi:no_mailbox', retryable: false, detail: 'mailbox is not configured' });
  const driver = await openMailboxDriver(ctx, cfg);
  if (!driver.ok) return driver;
  const d = driver.value;
  return ok({
    send: async (f) => {
      const r = await d.send(f.name, f.data, new Date(ctx.now()));
      return r.ok ? ok(undefined) : r;
    },
    close: () => d.close(),
  });
};

export const EDI_SENDERS: Readonly<Record<string, EdiSenderFactory>> = { mailbox: mailboxSender };

/**
 * `edi.send_file`: the file queued with its control numbers, delivered once; a second run after delivery is a
 * no-op. `via: as2` goes to `sendEdiFileOverAs2` (the Message-ID and MDN bookkeeping live on the file's row).
 */
export function sendEdiFileHandler(ctx: SyncContext): TypedJobHandler<EdiPartnerPayload<'edi.send_file'>> {
  return async ({ payload }) => {
    const row = await getEdiOutboundFile(ctx.store.db, payload.key);
    if (!row) return { status: 'fail', error: `no outbound EDI file ${payload.key}` };
    if (row.state === 'sent') return { status: 'done' };
    const send =
      ctx.config.mailbox?.partners[row.partner_address]?.send ??
      Object.values(ctx.config.mailbox?.partners ?? {}).find((p) => p.partner_id === row.partner_id && p.send)?.send;
    const via = send?.via ?? 'mailbox';
    if (via === 'as2' && send) return sendEdiFileOverAs2(ctx, row, send);
    const factory = EDI_SENDERS[via];
    if (!factory) return { status: 'fail', error: `no EDI transport '${via}' for ${row.partner_address}` };
    const sender = await factory(ctx);
    if (!sender.ok) return outcomeFromRemote(sender.error, `opening the EDI transport for ${row.name}`);
    try {
      const sent = await sender.value.send({ name: row.name, data: row.content, partnerAddress: row.partner_address });
      if (!sent.ok) {
        await markEdiOutboundFile(ctx.store.db, row.key, { state: 'queued', error: sent.error.detail });
        return outcomeFromRemote(sent.error, `sending ${row.name} to ${row.partner_address}`);
      }
    } finally {
      await sender.value.close();
    }
    return {
      status: 'done',
      commit: async (trx) => {
        await markEdiOutboundFile(trx, row.key, { state: 'sent', sentAt: ctx.now() });
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: row.entity,
            entityId: row.entity_id,
            action: 'edi_sent',
            after: { key: row.key, set: row.set_id, interchange: row.interchange, name: row.name, via },
          },
          ctx.now(),
        );
      },
    };
  };
}
