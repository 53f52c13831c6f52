import type { SyncContext } from '../../sync/context.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import type { TypedJobHandler } from '../../sync/flowModule.ts';
import { outcomeFromRemote } from '../../sync/outcome.ts';
import type { PartnerSendConfig } from '../../config/mailboxSchema.ts';
import {
  findEdiOutboundByAs2MessageId,
  getEdiOutboundFile,
  markEdiOutboundFile,
  requeueOverdueAs2File,
  setEdiOutboundAs2,
  type EdiOutboundFileRow,
} from '../../store/ops/ediOutbound.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { newJob } from '../../flows/catalogue.ts';
import { loadAs2Setup } from '../tradinggrid-mailbox/as2Runtime.ts';
import { openMailboxDriver } from '../tradinggrid-mailbox/mailboxRuntime.ts';
import { newMessageId } from '../../connectors/tradinggrid/mailbox/as2/receive.ts';
import { judgeMdn, sendAs2 } from '../../connectors/tradinggrid/mailbox/as2/send.ts';
import type { EdiPartnerPayload } from './jobs.ts';

const PAYLOAD_TYPE = { x12: 'application/EDI-X12', edifact: 'application/EDIFACT' } as const;

/** The outcome of an AS2 exchange that the partner's MDN ended badly: recorded, audited, a dead letter. */
async function failFile(
  ctx: SyncContext,
  row: EdiOutboundFileRow,
  a: { messageId: string; error: string; mdn: string | null },
): Promise<JobOutcome> {
  await ctx.store.db.transaction().execute(async (trx) => {
    await markEdiOutboundFile(
      trx,
      row.key,
      { state: 'failed', error: a.error, ...(a.mdn ? { mdn: a.mdn } : {}) },
      false,
    );
    await appendAudit(
      trx,
      {
        actor: 'gridbridge',
        entity: row.entity,
        entityId: row.entity_id,
        action: 'edi_failed',
        after: { key: row.key, name: row.name, via: 'as2', messageId: a.messageId, error: a.error, mdn: a.mdn },
      },
      ctx.now(),
    );
  });
  return { status: 'fail', error: `AS2: ${a.error}` };
}

/**
 * What the mailbox path does for a file it writes, for one AS2 delivered: a copy in the archive and each
 * transaction recorded as sent (its FA wait, the order/shipment match). Once the partner has the file; a
 * failure here is logged, never a reason to send the file again.
 */
async function recordDelivered(ctx: SyncContext, row: EdiOutboundFileRow): Promise<void> {
  const cfg = ctx.config.mailbox;
  if (!cfg) return;
  const driver = await openMailboxDriver(ctx, cfg);
  if (!driver.ok) {
    ctx.logger?.warn({ file: row.name, error: driver.error.detail }, 'AS2: sent, but its FA wait was not recorded');
    return;
  }
  try {
    const r = await driver.value.send(row.name, row.content, new Date(ctx.now()), { deliveredElsewhere: true });
    if (!r.ok)
      ctx.logger?.warn({ file: row.name, error: r.error.detail }, 'AS2: sent, but its FA wait was not recorded');
  } finally {
    await driver.value.close();
  }
}

const sentCommit =
  (ctx: SyncContext, row: EdiOutboundFileRow, messageId: string, mdn: string | null) =>
  async (trx: Parameters<NonNullable<Extract<JobOutcome, { status: 'done' }>['commit']>>[0]) => {
    await markEdiOutboundFile(trx, row.key, { state: 'sent', sentAt: ctx.now(), ...(mdn ? { mdn } : {}) }, false);
    await appendAudit(
      trx,
      {
        actor: 'gridbridge',
        entity: row.entity,
        entityId: row.entity_id,
        action: 'edi_sent',
        after: {
          key: row.key,
          set: row.set_id,
          interchange: row.interchange,
          name: row.name,
          via: 'as2',
          messageId,
          mdn,
        },
      },
      ctx.now(),
    );
  };

/**
 * `edi.send_file` over AS2: the file POSTed to the partner's configured URL, signed / encrypted / compressed as
 * its config says, under one Message-ID kept on the file's row from the first attempt. An attempt after a lost
 * answer (timeout, reset, a 5xx, an MDN we could not read) sends the same Message-ID again, so the partner's
 * duplicate detection discards the repeat; a new Message-ID is only used after a final refusal, when an
 * operator replays the dead letter. A synchronous MDN is checked at once (signed by the pinned certificate, for
 * our Message-ID, processed, our MIC); with an asynchronous one the file waits in `awaiting_mdn` for our MDN
 * route (`edi.as2_mdn`).
 */
export async function sendEdiFileOverAs2(
  ctx: SyncContext,
  row: EdiOutboundFileRow,
  send: PartnerSendConfig,
): Promise<JobOutcome> {
  if (row.state === 'awaiting_mdn') return { status: 'done' };
  const t = ctx.config.mailbox?.transport;
  if (t?.type !== 'as2') return { status: 'fail', error: `${row.name}: via as2 needs mailbox.transport.type: as2` };
  const setup = loadAs2Setup(t);
  if (!setup.ok) return { status: 'fail', error: setup.error.detail };
  const partner = setup.value.partners.get(send.as2_partner ?? '');
  if (!partner)
    return { status: 'fail', error: `${row.name}: ${send.as2_partner ?? '(none)'} is not a configured AS2 partner` };
  const reuse = row.as2_message_id && row.state !== 'failed' && row.as2_partner === partner.id;
  const messageId = reuse ? row.as2_message_id! : newMessageId(setup.value.ourId);
  const asyncMdn = partner.mdn === 'async';
  const r = await sendAs2(row.content, partner, setup.value, {
    fileName: row.name,
    payloadType: PAYLOAD_TYPE[row.standard as keyof typeof PAYLOAD_TYPE] ?? 'application/octet-stream',
    messageId,
    ...(asyncMdn && setup.value.receiptUrl ? { receiptUrl: setup.value.receiptUrl } : {}),
    beforePost: (m) => setEdiOutboundAs2(ctx.store.db, row.key, { partner: partner.id, ...m }),
  });
  if (!r.ok) {
    if (r.error.code === 'as2:refused' || r.error.code === 'as2:mic_mismatch')
      return failFile(ctx, row, { messageId, error: r.error.detail, mdn: null });
    await markEdiOutboundFile(ctx.store.db, row.key, { state: 'queued', error: r.error.detail }, false);
    return outcomeFromRemote(r.error, `sending ${row.name} to ${partner.id} over AS2 (Message-ID ${messageId})`);
  }
  await recordDelivered(ctx, row);
  if (!r.value.mdn)
    return {
      status: 'done',
      commit: async (trx) => {
        await markEdiOutboundFile(trx, row.key, { state: 'awaiting_mdn' }, false);
        const minutes = partner.mdnWaitMs / 60_000;
        await enqueueJobs(
          trx,
          [
            newJob(
              'edi.as2_mdn_overdue',
              { key: row.key, messageId, minutes },
              {
                key: `edi.as2_mdn_overdue:${messageId}:${ctx.now()}`,
                queueKey: `edi-out:${row.partner_address}`,
                runAt: ctx.now() + partner.mdnWaitMs,
              },
            ),
          ],
          ctx.now(),
          ctx.config.dispatcher.max_attempts,
        );
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: row.entity,
            entityId: row.entity_id,
            action: 'edi_as2_posted',
            after: { key: row.key, name: row.name, messageId, awaiting: 'asynchronous MDN' },
          },
          ctx.now(),
        );
      },
    };
  return { status: 'done', commit: sentCommit(ctx, row, messageId, r.value.mdn.disposition) };
}

/**
 * `edi.as2_mdn`: an asynchronous MDN for a file we sent, its signature already checked by the MDN route, settles
 * the file: `sent` when processed with our MIC, otherwise `failed` (audited, and this job a dead letter saying
 * why). An MDN for a file already settled changes nothing; replaying this job's dead letter sends the file again
 * under a new Message-ID.
 */
export function as2MdnInHandler(ctx: SyncContext): TypedJobHandler<EdiPartnerPayload<'edi.as2_mdn'>> {
  return async ({ payload: p, attempt }) => {
    const row = await findEdiOutboundByAs2MessageId(ctx.store.db, p.partner, p.messageId);
    if (!row) return { status: 'fail', error: `an MDN from ${p.partner} for ${p.messageId}, which we did not send` };
    // This job's dead letter replayed by an operator after the refusal it recorded: the file goes again, under a
    // new Message-ID (the old one was answered, finally). A settled file is otherwise left as it is.
    if (row.state === 'failed' && attempt > 1 && row.as2_message_id === p.messageId)
      return {
        status: 'done',
        commit: async (trx) => {
          await enqueueJobs(
            trx,
            [
              newJob(
                'edi.send_file',
                { key: row.key },
                { key: `edi.send_file:${row.key}:after:${p.messageId}`, queueKey: `edi-out:${row.partner_address}` },
              ),
            ],
            ctx.now(),
            ctx.config.dispatcher.max_attempts,
          );
        },
      };
    if (row.state === 'sent' || row.state === 'failed') return { status: 'done' };
    const judged = judgeMdn(
      {
        signed: p.signed,
        originalMessageId: p.messageId,
        disposition: p.disposition,
        processed: p.processed,
        problem: p.problem,
        mic: p.mic,
      },
      p.messageId,
      row.as2_mic ?? '',
    );
    if (!judged.ok)
      return failFile(ctx, row, {
        messageId: p.messageId,
        error: `${row.name} to ${p.partner} (${p.messageId}): ${judged.error.detail}`,
        mdn: p.disposition,
      });
    return { status: 'done', commit: sentCommit(ctx, row, p.messageId, p.disposition) };
  };
}

/**
 * `edi.as2_mdn_overdue`: the asynchronous MDN for a file did not come within the partner's `mdn_wait_minutes`.
 * The file goes back to `queued` (its Message-ID kept; audit `edi_mdn_overdue`) and this job is a dead letter
 * saying so. Replaying it resends the file under the same Message-ID, so a partner that has it answers again
 * rather than taking it twice; an MDN that comes late still settles the file.
 */
export function as2MdnOverdueHandler(ctx: SyncContext): TypedJobHandler<EdiPartnerPayload<'edi.as2_mdn_overdue'>> {
  return async ({ payload: p, attempt }) => {
    const row = await getEdiOutboundFile(ctx.store.db, p.key);
    if (!row || row.as2_message_id !== p.messageId) return { status: 'done' };
    if (row.state === 'queued' && attempt > 1)
      return {
        status: 'done',
        commit: async (trx) => {
          await enqueueJobs(
            trx,
            [
              newJob(
                'edi.send_file',
                { key: row.key },
                {
                  key: `edi.send_file:${row.key}:again:${p.messageId}:${ctx.now()}`,
                  queueKey: `edi-out:${row.partner_address}`,
                },
              ),
            ],
            ctx.now(),
            ctx.config.dispatcher.max_attempts,
          );
        },
      };
    if (row.state !== 'awaiting_mdn') return { status: 'done' };
    const error = `${row.name} (${p.messageId}): no asynchronous MDN within ${p.minutes} minutes; replay to send it again under the same Message-ID`;
    await ctx.store.db.transaction().execute(async (trx) => {
      await requeueOverdueAs2File(trx, row.key, error);
      await appendAudit(
        trx,
        {
          actor: 'gridbridge',
          entity: row.entity,
          entityId: row.entity_id,
          action: 'edi_mdn_overdue',
          after: { key: row.key, name: row.name, via: 'as2', messageId: p.messageId, minutes: p.minutes },
        },
        ctx.now(),
      );
    });
    return { status: 'fail', error: `AS2: ${error}` };
  };
}
