import type { SyncContext } from '../../sync/context.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import type { TypedJobHandler } from '../../sync/flowModule.ts';
import type { MailboxConfig } from '../../config/mailboxSchema.ts';
import type { MailboxItem } from '../../connectors/tradinggrid/mailbox/exceptions.ts';
import type { FileRef } from '../../connectors/tradinggrid/mailbox/state.ts';
import { recordInboundEvent } from '../../store/ops/recordInboundEvent.ts';
import { getInboundEventPayload, recordMailboxAcknowledgement } from '../../store/ops/mailboxAcknowledgements.ts';
import { listHeldMailboxCases } from '../../store/ops/mailboxHeldCases.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { newJob, type QueuedJob } from '../../flows/catalogue.ts';
import type { MailboxPayload } from './jobs.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { acquireNamedLease, releaseNamedLease } from '../../store/ops/namedLease.ts';
import { hasOpenDeadLetter } from '../../store/ops/findOpenDeadLetter.ts';
import { ediRequestId, mailboxCaseId, UNMAPPED_EDI_PREFIX } from './mailboxCase.ts';
import { openMailboxDriver, openSentTransport } from './mailboxRuntime.ts';
import { ediAcknowledger } from '../edi-partner/functionalAck.ts';

/** A scan holds the mailbox's lease this long at most (a crashed holder blocks later slots no longer than this). */
const SCAN_LEASE_MS = 10 * 60_000;

/** Make a scan's items durable: each exception an inbox event + its `mailbox.exception` job; acknowledgements kept in the inbox. */
export function deliverMailboxItems(ctx: SyncContext) {
  return async (items: MailboxItem[], file: FileRef | null): Promise<void> => {
    const now = ctx.now();
    for (const item of items) {
      if (item.type === 'acknowledgment') {
        await recordMailboxAcknowledgement(
          ctx.store.db,
          { eventId: item.dedupeKey, type: `ack.${item.ack.kind}.${item.ack.normalized}`, payload: item },
          now,
        );
        continue;
      }
      if (item.type === 'request') {
        // A partner's order change: a flow-6 request, taken in once however often the file is read.
        const eventId = ediRequestId(item.dedupeKey);
        const job = newJob(
          'approval.edi_request',
          { item },
          { key: `approval.edi_request:${eventId}`, queueKey: `request:${eventId}` },
        );
        const r = await recordInboundEvent(
          ctx.store.db,
          { source: 'mailbox', eventId, type: `mailbox.request.${item.setId}`, payload: item },
          job,
          now,
        );
        ctx.logger.info(
          { eventId, set: item.setId, po: item.request.po, duplicate: r.duplicate },
          'EDI change request accepted',
        );
        continue;
      }
      const caseId = mailboxCaseId(item.dedupeKey);
      const job = newJob(
        'mailbox.exception',
        { item },
        { key: `mailbox.exception:${caseId}`, queueKey: `case:${caseId}` },
      );
      const r = await recordInboundEvent(
        ctx.store.db,
        { source: 'mailbox', eventId: caseId, type: `mailbox.${item.exception}`, payload: item },
        job,
        now,
      );
      ctx.logger.info(
        { caseId, exception: item.exception, file: file?.name ?? null, duplicate: r.duplicate },
        'mailbox exception accepted',
      );
    }
  };
}

/** Held cases whose EDI address is mapped now go through intake again (with the mapped partner). */
async function retakeRemappedCases(ctx: SyncContext, cfg: MailboxConfig): Promise<number> {
  const held = await listHeldMailboxCases(ctx.store.db, UNMAPPED_EDI_PREFIX);
  const jobs: QueuedJob[] = [];
  for (const c of held) {
    const mapped = cfg.partners[c.partner_id.slice(UNMAPPED_EDI_PREFIX.length)]?.partner_id;
    if (mapped === undefined) continue;
    const item = await getInboundEventPayload<MailboxPayload<'mailbox.exception'>['item']>(
      ctx.store.db,
      'mailbox',
      c.id,
    );
    if (item === null) continue;
    jobs.push(
      newJob(
        'mailbox.exception',
        { item },
        { key: `mailbox.exception:${c.id}:mapped:${mapped}`, queueKey: `case:${c.id}` },
      ),
    );
  }
  return enqueueJobs(ctx.store.db, jobs, ctx.now(), ctx.config.dispatcher.max_attempts);
}

/**
 * `mailbox.scan` (scheduled): one pass over the mailbox. Every new file's exceptions are made durable
 * before the file is archived or quarantined, so a crash, a rescan or a restart never loses one or
 * makes a second case. A connection failure waits for the next slot (recorded in the audit log); a
 * permanent one (host key, credentials) is a dead letter.
 */
export function mailboxScanHandler(ctx: SyncContext): TypedJobHandler<MailboxPayload<'mailbox.scan'>> {
  return async ({ job }) => {
    const cfg = ctx.config.mailbox;
    if (!cfg) return { status: 'done' };
    const db = ctx.store.db;
    // One scan of a mailbox at a time, across instances: a slot that comes while another scan runs is skipped.
    // The lease runs on the database's clock (not ctx.now()): instances whose clocks disagree still agree on it.
    const lease = `mailbox.scan:${cfg.name}`;
    const owner = `${job.locked_by ?? 'worker'}:${job.id}`;
    if (!(await acquireNamedLease(db, lease, owner, SCAN_LEASE_MS))) {
      ctx.logger.info({ mailbox: cfg.name, job: job.id }, 'another mailbox scan is running; slot skipped');
      return { status: 'done' };
    }
    // A permanent failure (host key, credentials, config) is filed once, not once per slot.
    const failOnce = async (error: string): Promise<JobOutcome> => {
      if (await hasOpenDeadLetter(db, job.kind, error)) {
        ctx.logger.error({ mailbox: cfg.name, error }, 'mailbox scan still failing (see the dead letter)');
        return { status: 'done' };
      }
      return { status: 'fail', error };
    };
    try {
      const retaken = await retakeRemappedCases(ctx, cfg);
      if (retaken > 0)
        ctx.logger.info({ retaken }, 'held mailbox cases whose EDI address is now mapped are taken up again');
      // Acknowledgements only when some partner takes them from us (mailbox.partners.<address>.send.ack).
      const acks = Object.values(cfg.partners).some((p) => p.send && p.send.ack !== 'none');
      const driver = await openMailboxDriver(
        ctx,
        cfg,
        deliverMailboxItems(ctx),
        acks ? ediAcknowledger(ctx) : undefined,
      );
      if (!driver.ok) return failOnce(`mailbox ${cfg.name}: ${driver.error.detail}`);
      try {
        // What the customer's translator sent first, read-only: this scan's acknowledgements may answer it.
        const sentTransport = await openSentTransport(cfg);
        if (sentTransport !== null) {
          if (!sentTransport.ok) return failOnce(`mailbox ${cfg.name} sent folder: ${sentTransport.error.detail}`);
          try {
            const seen = await driver.value.observeSent(
              sentTransport.value,
              new Date(ctx.now()),
              cfg.sent?.consume ?? false,
            );
            if (!seen.ok) {
              await appendAudit(
                db,
                {
                  actor: 'gridbridge',
                  entity: 'mailbox',
                  entityId: cfg.name,
                  action: 'sent_scan_failed',
                  after: { error: seen.error.detail, code: seen.error.code },
                },
                ctx.now(),
              );
              ctx.logger.warn(
                { mailbox: cfg.name, error: seen.error },
                'reading the sent folder failed; the next slot tries again',
              );
            } else if (seen.value.files.length > 0)
              ctx.logger.info(
                { mailbox: cfg.name, files: seen.value.files.length },
                'files sent by the customer recorded',
              );
          } finally {
            await sentTransport.value.close();
          }
        }
        const r = await driver.value.scanOnce(new Date(ctx.now()));
        if (!r.ok) {
          if (!r.error.retryable) return failOnce(`mailbox ${cfg.name}: ${r.error.detail} [${r.error.code}]`);
          await appendAudit(
            db,
            {
              actor: 'gridbridge',
              entity: 'mailbox',
              entityId: cfg.name,
              action: 'scan_failed',
              after: { error: r.error.detail, code: r.error.code },
            },
            ctx.now(),
          );
          ctx.logger.warn({ mailbox: cfg.name, error: r.error }, 'mailbox scan failed; the next slot tries again');
          return { status: 'done' };
        }
        const failed = r.value.files.filter((f) => f.outcome === 'failed');
        if (failed.length > 0)
          ctx.logger.warn(
            { mailbox: cfg.name, failed },
            'some mailbox files were not processed; the next scan tries again',
          );
        ctx.logger.info(
          { mailbox: cfg.name, files: r.value.files.length, items: r.value.items.length },
          'mailbox scanned',
        );
        return { status: 'done' };
      } finally {
        await driver.value.close();
      }
    } finally {
      await releaseNamedLease(db, lease, owner);
    }
  };
}
