import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { MessageKind } from '../../config/partnerChannelSchema.ts';
import type { SyncContext } from '../../sync/context.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { newJob, type QueuedJob } from '../../flows/catalogue.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { getPartnerMessage, insertPartnerMessage } from '../../store/ops/partnerMessages.ts';
import { deterministicMessageId } from './runtime.ts';
import type { MessageFacts } from './messages.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface PartnerMail<K extends MessageKind = MessageKind> {
  partnerId: string;
  kind: K;
  /** What the message is about (the console's case page lists a case's messages). */
  entity: string;
  entityId: string;
  /** Idempotency key of the message (per partner); the recipient's address is added per contact. */
  key: string;
  facts: MessageFacts[K];
}

/** Messages a partner needs at once: never held for a digest. */
const URGENT: ReadonlySet<MessageKind> = new Set(['notice', 'notice_reminder']);

function digestOn(ctx: SyncContext, partnerId: string): boolean {
  const s = ctx.partnerChannel!.section;
  return s.partners[partnerId]?.digest ?? s.digest.enabled;
}

/**
 * Queue a partner e-mail inside the caller's transaction: one message row and one job per contact whose
 * role receives this kind (or one digest job per contact and window). The same key queued again is a no-op.
 * No contact for the kind is audited on the entity, so the console shows why nothing went out.
 */
export async function queuePartnerMail(ctx: SyncContext, trx: Db, m: PartnerMail): Promise<number> {
  const rt = ctx.partnerChannel;
  if (!rt) return 0;
  const now = ctx.now();
  const recipients = rt.contacts.recipients(m.partnerId, m.kind);
  if (recipients.length === 0) {
    await appendAudit(
      trx,
      {
        actor: 'gridbridge',
        entity: m.entity,
        entityId: m.entityId,
        action: 'email_no_contact',
        after: { partnerId: m.partnerId, kind: m.kind },
      },
      now,
    );
    return 0;
  }
  const jobs: QueuedJob[] = [];
  const windowMs = rt.section.digest.window_minutes * 60_000;
  for (const c of recipients) {
    const key = `${m.key}:${c.email.toLowerCase()}`;
    let digestKey: string | null = null;
    if (!URGENT.has(m.kind) && digestOn(ctx, m.partnerId)) {
      const window = Math.floor(now / windowMs);
      const candidate = `digest:${m.partnerId}:${c.email.toLowerCase()}:${window}`;
      const digest = await getPartnerMessage(trx, candidate);
      // A digest already on its way takes nothing more: a late message goes on its own.
      if (!digest || digest.state === 'queued') {
        digestKey = candidate;
        await insertPartnerMessage(trx, {
          key: candidate,
          partner_id: m.partnerId,
          kind: 'digest',
          entity: 'partner',
          entity_id: m.partnerId,
          recipient: c.email,
          language: c.language,
          state: 'queued',
          message_id: deterministicMessageId(candidate, rt.from),
          subject: null,
          data: JSON.stringify({ recipientName: c.name }),
          attempts: 0,
          smtp_response: null,
          digest_key: null,
          created_at: now,
          sent_at: null,
        });
        jobs.push(
          newJob(
            'partner.digest',
            { key: candidate },
            {
              key: `partner.digest:${candidate}`,
              queueKey: `partner-mail:${m.partnerId}`,
              runAt: (window + 1) * windowMs,
            },
          ),
        );
      }
    }
    const inserted = await insertPartnerMessage(trx, {
      key,
      partner_id: m.partnerId,
      kind: m.kind,
      entity: m.entity,
      entity_id: m.entityId,
      recipient: c.email,
      language: c.language,
      state: 'queued',
      message_id: deterministicMessageId(key, rt.from),
      subject: null,
      data: JSON.stringify({ ...m.facts, recipientName: c.name }),
      attempts: 0,
      smtp_response: null,
      digest_key: digestKey,
      created_at: now,
      sent_at: null,
    });
    if (!inserted) continue;
    if (!digestKey) jobs.push(newJob('partner.email', { key }, { key: `partner.email:${key}` }));
  }
  await enqueueJobs(trx, jobs, now, ctx.config.dispatcher.max_attempts);
  return recipients.length;
}
