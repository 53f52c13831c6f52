import type { SyncContext } from '../../sync/context.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import type { TypedJobHandler } from '../../sync/flowModule.ts';
import type { PartnerEmailPayload } from './jobs.ts';
import type { MessageKind } from '../../config/partnerChannelSchema.ts';
import type { OutgoingAttachment } from '../../connectors/email/smtpMailer.ts';
import type { PartnerMessagesTable } from '../../store/partnerChannelTables.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { getPartnerFile } from '../../store/ops/partnerFiles.ts';
import { getPartnerToken, savePartnerToken } from '../../store/ops/partnerTokens.ts';
import {
  findBouncedAddress,
  getPartnerMessage,
  listDigestMembers,
  markPartnerMessagesFailed,
  markPartnerMessagesSending,
  markPartnerMessagesSent,
} from '../../store/ops/partnerMessages.ts';
import { outcomeFromRemote } from '../../sync/outcome.ts';
import { deterministicJti, signPageToken } from './pageToken.ts';
import { linkTarget, type Envelope } from './messages.ts';

type MessageRow = PartnerMessagesTable;

export function partnerName(ctx: SyncContext, partnerId: string): string {
  return ctx.config.partners.map[partnerId]?.name ?? partnerId;
}

/**
 * The page link of a message: a token row per message (its id derived from the message key, so a re-run
 * hands out the same link and the same expiry), then the signed token. Empty when pages have no key.
 */
export async function pageLinkFor(
  ctx: SyncContext,
  row: Pick<MessageRow, 'key' | 'partner_id' | 'kind' | 'entity_id' | 'recipient'>,
  facts: Record<string, unknown>,
): Promise<{ link: string; expires: number | null }> {
  const rt = ctx.partnerChannel!;
  if (!rt.pageKey) return { link: '', expires: null };
  const target = linkTarget(row.kind as MessageKind, row.partner_id, row.entity_id, facts);
  const jti = deterministicJti(row.key);
  const now = ctx.now();
  await savePartnerToken(ctx.store.db, {
    jti,
    partner_id: row.partner_id,
    entity: target.entity,
    entity_id: target.entityId,
    recipient: row.recipient,
    created_at: now,
    expires_at: now + Math.round(rt.section.pages.token_ttl_hours * 3_600_000),
  });
  const tok = await getPartnerToken(ctx.store.db, jti);
  if (!tok) throw new Error(`page link ${jti} was stored and is not there`);
  const token = signPageToken(rt.pageKey, {
    jti,
    partnerId: tok.partner_id,
    entity: tok.entity,
    entityId: tok.entity_id,
    exp: Number(tok.expires_at),
  });
  return { link: `${rt.pagesBaseUrl()}/p/${token}`, expires: Number(tok.expires_at) };
}

async function attachmentsFor(
  ctx: SyncContext,
  row: MessageRow,
  facts: Record<string, unknown>,
): Promise<{ attachments: OutgoingAttachment[]; attached: boolean }> {
  if (row.kind === 'scorecard' && typeof facts['csv'] === 'string') {
    return {
      attachments: [
        {
          filename: `scorecard-${row.partner_id}-${String(facts['period'])}.csv`,
          contentType: 'text/csv',
          content: facts['csv'],
        },
      ],
      attached: true,
    };
  }
  if (row.kind === 'case_document') {
    const f = await getPartnerFile(ctx.store.db, row.entity_id, String(facts['sha256']));
    if (f && Number(f.size_bytes) <= ctx.partnerChannel!.section.attach_max_bytes) {
      return {
        attachments: [{ filename: f.name, contentType: f.content_type, content: Buffer.from(f.content) }],
        attached: true,
      };
    }
  }
  if (row.kind === 'decision' && Array.isArray(facts['files'])) {
    // Files on the approval task that sharing.approvals.files shared, kept when the decision was queued.
    const out: OutgoingAttachment[] = [];
    for (const x of facts['files'] as Array<{ sha256?: unknown }>) {
      const f = await getPartnerFile(ctx.store.db, row.entity_id, String(x.sha256));
      if (f && Number(f.size_bytes) <= ctx.partnerChannel!.section.attach_max_bytes)
        out.push({ filename: f.name, contentType: f.content_type, content: Buffer.from(f.content) });
    }
    return { attachments: out, attached: out.length > 0 };
  }
  return { attachments: [], attached: false };
}

async function envelopeFor(ctx: SyncContext, row: MessageRow, facts: Record<string, unknown>): Promise<Envelope> {
  const { link, expires } = await pageLinkFor(ctx, row, facts);
  return {
    partnerName: partnerName(ctx, row.partner_id),
    recipientName: String(facts['recipientName'] ?? row.recipient),
    recipient: row.recipient,
    language: row.language,
    senderName: ctx.partnerChannel!.senderName,
    link,
    linkExpires: expires ? new Date(expires).toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : '',
  };
}

/**
 * Mark a message as handed to the SMTP server before the hand-over (committed at once). A run that finds
 * it `sending` knows the previous run may have been accepted by the server without us recording it.
 */
async function markSending(ctx: SyncContext, keys: string[], subject: string | null): Promise<void> {
  await markPartnerMessagesSending(ctx.store.db, keys, subject);
}

async function markFailed(ctx: SyncContext, keys: string[], retryable: boolean, answer: string): Promise<void> {
  await markPartnerMessagesFailed(ctx.store.db, keys, retryable, answer);
}

/**
 * Mail to an address a delivery report said bounced is not sent again by itself: the message fails at once
 * (no retry, no dead letter: sending again would bounce again), audited on its item, until the contact's
 * address is corrected.
 */
async function withheldFromBouncedAddress(
  ctx: SyncContext,
  keys: string[],
  items: MessageRow[],
  to: string,
): Promise<JobOutcome | null> {
  const dead = await findBouncedAddress(ctx.store.db, to);
  if (!dead) return null;
  const answer = `not sent: mail to ${to} bounced before (${dead.smtp_response ?? 'bounced'}); correct the contact's address`;
  return {
    status: 'done',
    commit: async (trx) => {
      await markPartnerMessagesFailed(trx, keys, false, answer);
      for (const m of items)
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: m.entity,
            entityId: m.entity_id,
            action: 'email_withheld_address_bounced',
            after: { channel: 'email', kind: m.kind, to, bouncedMessage: dead.key, bounce: dead.smtp_response },
          },
          ctx.now(),
        );
    },
  };
}

/**
 * `partner.email`: send one message to one contact, once. Its row is the idempotency record:
 * - `sent` (or `digested`): a re-run of the job does nothing;
 * - `sending` on entry: the previous run handed it to the server and did not record the answer (crash,
 *   lost lease). We cannot ask an SMTP server whether it accepted a message, so we send it again with
 *   the same Message-ID (the receiving system and mail clients can recognise it) and audit the resend:
 *   a rare duplicate is better than a partner never told (documented in docs/SECURITY.md).
 * A 4xx answer is retried with backoff; a 5xx answer dead-letters the job with the server's answer.
 */
export function partnerEmailHandler(ctx: SyncContext): TypedJobHandler<PartnerEmailPayload<'partner.email'>> {
  return async ({ payload }) => {
    const rt = ctx.partnerChannel;
    if (!rt?.mailer) return { status: 'fail', error: 'partner_channel.smtp is not configured: no e-mail can be sent' };
    const { key } = payload;
    const row = await getPartnerMessage(ctx.store.db, key);
    if (!row) return { status: 'fail', error: `no partner message ${key}` };
    // Bounced: it went out and a delivery report said it never arrived; a re-run does not send it again.
    if (row.state === 'sent' || row.state === 'digested' || row.state === 'bounced') return { status: 'done' };
    const withheld = await withheldFromBouncedAddress(ctx, [key], [row], row.recipient);
    if (withheld) return withheld;
    const uncertain = row.state === 'sending';
    const facts = JSON.parse(row.data) as Record<string, unknown>;
    const { attachments, attached } = await attachmentsFor(ctx, row, facts);
    const env = await envelopeFor(ctx, row, facts);
    let mail;
    try {
      mail = rt.templates.render(row.kind as MessageKind, { ...facts, ...env, attached }, row.language);
    } catch (e) {
      return { status: 'fail', error: `rendering the ${row.kind} e-mail to ${row.recipient}: ${(e as Error).message}` };
    }
    await markSending(ctx, [key], mail.subject);
    const sent = await rt.mailer.send({
      from: rt.from,
      replyTo: rt.replyTo,
      returnPath: rt.returnPath,
      to: row.recipient,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: row.message_id,
      attachments,
      headers: {
        'X-Gridbridge-Partner': row.partner_id,
        'X-Gridbridge-Message': row.kind,
        'Auto-Submitted': 'auto-generated',
      },
    });
    if (!sent.ok) {
      await markFailed(ctx, [key], sent.error.retryable, sent.error.detail);
      return outcomeFromRemote(sent.error, `e-mailing ${row.kind} to ${row.recipient} (partner ${row.partner_id})`);
    }
    return {
      status: 'done',
      commit: async (trx) => {
        const now = ctx.now();
        await markPartnerMessagesSent(trx, [key], 'sent', sent.value.response.slice(0, 2000), now);
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: row.entity,
            entityId: row.entity_id,
            action: uncertain ? 'email_resent_after_uncertain_outcome' : 'email_sent',
            after: {
              channel: 'email',
              kind: row.kind,
              to: row.recipient,
              messageId: row.message_id,
              subject: mail.subject,
              attached,
              response: sent.value.response,
            },
          },
          now,
        );
      },
    };
  };
}

/** `partner.digest`: every message held for one contact in one window, as one e-mail. */
export function partnerDigestHandler(ctx: SyncContext): TypedJobHandler<PartnerEmailPayload<'partner.digest'>> {
  return async ({ payload }): Promise<JobOutcome> => {
    const rt = ctx.partnerChannel;
    if (!rt?.mailer) return { status: 'fail', error: 'partner_channel.smtp is not configured: no e-mail can be sent' };
    const { key } = payload;
    const db = ctx.store.db;
    const digest = await getPartnerMessage(db, key);
    if (!digest) return { status: 'fail', error: `no digest ${key}` };
    if (digest.state === 'sent' || digest.state === 'bounced') return { status: 'done' };
    const members = await listDigestMembers(db, key);
    if (members.length === 0) {
      return {
        status: 'done',
        commit: (trx) => markPartnerMessagesSent(trx, [key], 'sent', 'nothing to send', ctx.now()),
      };
    }
    const items: Array<{ subject: string; text: string; html: string }> = [];
    const attachments: OutgoingAttachment[] = [];
    let expires = '';
    for (const m of members) {
      const facts = JSON.parse(m.data) as Record<string, unknown>;
      const a = await attachmentsFor(ctx, m, facts);
      attachments.push(...a.attachments);
      const env = await envelopeFor(ctx, m, facts);
      expires = env.linkExpires;
      items.push(
        rt.templates.renderBody(m.kind as MessageKind, { ...facts, ...env, attached: a.attached }, m.language),
      );
    }
    const envelope = {
      partnerName: partnerName(ctx, digest.partner_id),
      recipientName: String(JSON.parse(digest.data).recipientName ?? digest.recipient),
      recipient: digest.recipient,
      senderName: rt.senderName,
      linkExpires: expires,
      link: '',
    };
    let mail;
    try {
      mail = rt.templates.render('digest', { ...envelope, items, count: items.length }, digest.language);
    } catch (e) {
      return { status: 'fail', error: `rendering the digest to ${digest.recipient}: ${(e as Error).message}` };
    }
    const keys = [key, ...members.map((m) => m.key)];
    const withheld = await withheldFromBouncedAddress(ctx, keys, members, digest.recipient);
    if (withheld) return withheld;
    const uncertain = digest.state === 'sending';
    await markSending(ctx, [key], mail.subject);
    const sent = await rt.mailer.send({
      from: rt.from,
      replyTo: rt.replyTo,
      returnPath: rt.returnPath,
      to: digest.recipient,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: digest.message_id,
      attachments,
      headers: {
        'X-Gridbridge-Partner': digest.partner_id,
        'X-Gridbridge-Message': 'digest',
        'Auto-Submitted': 'auto-generated',
      },
    });
    if (!sent.ok) {
      await markFailed(ctx, keys, sent.error.retryable, sent.error.detail);
      return outcomeFromRemote(
        sent.error,
        `e-mailing the digest to ${digest.recipient} (partner ${digest.partner_id})`,
      );
    }
    return {
      status: 'done',
      commit: async (trx) => {
        const now = ctx.now();
        const response = sent.value.response.slice(0, 2000);
        await markPartnerMessagesSent(trx, [key], 'sent', response, now);
        await markPartnerMessagesSent(
          trx,
          members.map((m) => m.key),
          'digested',
          response,
          now,
        );
        for (const m of members) {
          await appendAudit(
            trx,
            {
              actor: 'gridbridge',
              entity: m.entity,
              entityId: m.entity_id,
              action: uncertain ? 'email_resent_after_uncertain_outcome' : 'email_sent',
              after: {
                channel: 'email',
                kind: m.kind,
                to: m.recipient,
                messageId: digest.message_id,
                digest: true,
                subject: mail.subject,
                response,
              },
            },
            now,
          );
        }
      },
    };
  };
}
