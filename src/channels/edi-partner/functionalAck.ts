import type { SyncContext } from '../../sync/context.ts';
import type { TypedJobHandler } from '../../sync/flowModule.ts';
import type { MailboxDriverOptions } from '../../connectors/tradinggrid/mailbox/mailboxDriver.ts';
import type { PartnerSendConfig } from '../../config/mailboxSchema.ts';
import {
  contrlFor,
  interchangeOutcome,
  X12_999_CONVENTION,
  x12FunctionalAck,
  x12Ta1,
  type ReceivedInterchange,
} from '../../connectors/tradinggrid/edi/functionalAcks.ts';
import { EDIFACT_WRITABLE_SETS, type X12Syntax } from '../../connectors/tradinggrid/edi/writeEdi.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { newJob } from '../../flows/catalogue.ts';
import { queueEdiFile, x12SyntaxOf, type EdiDocument, type EdiTarget } from './outbox.ts';
import type { EdiPartnerPayload } from './jobs.ts';

const key = (p: { qualifier: string; id: string }) => `${p.qualifier}:${p.id}`;

/** The partner entry that asks for functional acknowledgements from us (`send.ack` other than none), by EDI address. */
function ackConfigOf(ctx: SyncContext, address: string): { partnerId: string; send: PartnerSendConfig } | null {
  const p = ctx.config.mailbox?.partners[address];
  if (!p?.send || p.send.ack === 'none') return null;
  return { partnerId: p.partner_id, send: p.send };
}

/** The X12 repetition separator a 999 (005010) needs when the partner's config names none. */
function repetitionFor(s: X12Syntax): string {
  return ['^', '{', '|', '!'].find((c) => c !== s.element && c !== s.component && c !== s.segment)!;
}

/**
 * What goes back for one interchange, or null when nothing does. X12 (ack 997 / 999): one 997 / 999 per functional
 * group, with a TA1 in front when `ta1` asks for it (always; requested: ISA14 = 1 or an envelope error); a rejected
 * interchange gets the TA1 only (nothing below it was read), so with `ta1: never` nothing. EDIFACT (ack CONTRL): a
 * CONTRL when UNB 0031 = 1 asks, the interchange is rejected, or `contrl: always`, in the syntax identifier and
 * version of the interchange it answers. An interchange in the other standard than the partner's `ack` gets nothing.
 */
export function functionalAckDocument(
  r: ReceivedInterchange,
  send: PartnerSendConfig,
  encoding: 'utf8' | 'latin1',
): EdiDocument | null {
  const rejected = interchangeOutcome(r) === 'rejected';
  const test = r.usage !== 'production';
  if (r.standard === 'x12') {
    if (send.ack !== '997' && send.ack !== '999') return null;
    const base = x12SyntaxOf(send, encoding);
    const syntax: Partial<X12Syntax> =
      send.ack === '999'
        ? {
            groupVersion: X12_999_CONVENTION,
            interchangeVersion: base.interchangeVersion < '00501' ? '00501' : base.interchangeVersion,
            repetition: base.repetition ?? repetitionFor(base),
          }
        : {};
    const ta1 = send.ta1 === 'always' || (send.ta1 === 'requested' && (r.ackRequested || r.errors.length > 0));
    const transactions = rejected
      ? []
      : r.groups
          .filter((g) => g.transactions.length + (g.unlisted ?? 0) > 0)
          .map((g) => x12FunctionalAck(send.ack as '997' | '999', g, { ...base, ...syntax }));
    if (transactions.length === 0 && !ta1) return null;
    return {
      standard: 'x12',
      functionalId: 'FA',
      transactions,
      ...(ta1 ? { interchangeSegments: [x12Ta1(r)] } : {}),
      syntax,
      test,
    };
  }
  if (send.ack !== 'CONTRL') return null;
  if (!(send.contrl === 'always' || r.ackRequested || rejected)) return null;
  const [id = '', version = ''] = r.version.split(':');
  return {
    standard: 'edifact',
    message: contrlFor(r),
    syntax: {
      ...(EDIFACT_WRITABLE_SETS.includes(id) ? { syntaxId: id } : {}),
      ...(['1', '2', '3', '4'].includes(version) ? { syntaxVersion: version as '1' | '2' | '3' | '4' } : {}),
    },
    test,
  };
}

/** The idempotency key of an interchange's acknowledgement: the sender and its control number. */
export const ackKeyOf = (r: Pick<ReceivedInterchange, 'standard' | 'sender' | 'control'>) =>
  `${r.standard}|${key(r.sender)}|${r.control}`;

/**
 * For the mailbox driver's `acknowledge`: senders configured for acknowledgements, and each interchange of theirs
 * queued as an `edi.functional_ack` job keyed by the sender and its control number (a rescan, a crash before the
 * file is archived or the same interchange sent again queue nothing more).
 */
export function ediAcknowledger(ctx: SyncContext): NonNullable<MailboxDriverOptions['acknowledge']> {
  return {
    wants: (sender) => ackConfigOf(ctx, key(sender)) !== null,
    deliver: async (interchanges, file) => {
      const jobs = interchanges.map((received) =>
        newJob(
          'edi.functional_ack',
          { address: key(received.sender), received },
          { key: `edi.functional_ack:${ackKeyOf(received)}`, queueKey: `edi-out:${key(received.sender)}` },
        ),
      );
      const queued = await enqueueJobs(ctx.store.db, jobs, ctx.now(), ctx.config.dispatcher.max_attempts);
      ctx.logger.info(
        { file: file.name, interchanges: interchanges.map(ackKeyOf), queued },
        'functional acknowledgements queued',
      );
    },
  };
}

/**
 * `edi.functional_ack`: the acknowledgement written with control numbers from our sender's counters (the same
 * store as every file we send) and queued for `edi.send_file`, in the job's own commit: once, however often the
 * job runs (the file's key is the interchange's).
 */
export function functionalAckHandler(ctx: SyncContext): TypedJobHandler<EdiPartnerPayload<'edi.functional_ack'>> {
  return async ({ payload }) => {
    const r: ReceivedInterchange = payload.received;
    const cfg = ackConfigOf(ctx, payload.address);
    if (cfg === null) {
      ctx.logger.info(
        { interchange: ackKeyOf(r) },
        'partner no longer takes functional acknowledgements from us; none sent',
      );
      return { status: 'done' };
    }
    const doc = functionalAckDocument(r, cfg.send, ctx.config.mailbox?.x12_encoding ?? 'utf8');
    if (doc === null) return { status: 'done' };
    // From the address the partner wrote to, to the address it wrote from.
    const target: EdiTarget = {
      partnerId: cfg.partnerId,
      address: payload.address,
      ourId: key(r.receiver),
      send: cfg.send,
    };
    return {
      status: 'done',
      commit: async (trx) => {
        await queueEdiFile(ctx, trx, {
          key: `ack:${ackKeyOf(r)}`,
          target,
          entity: 'edi_interchange',
          entityId: ackKeyOf(r),
          document: doc,
        });
      },
    };
  };
}
