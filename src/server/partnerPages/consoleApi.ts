import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { AdminAuth, AdminEnv } from '../admin/auth.ts';
import { appendAudit, listAuditActions } from '../../store/ops/audit.ts';
import { listPartnerMessages } from '../../store/ops/partnerMessages.ts';
import { getPartnerToken, listPartnerTokens, revokePartnerToken } from '../../store/ops/partnerTokens.ts';

/** Audit actions that are a partner-facing send (the channel is in `after.channels`; before the partner channel: community). */
const SENDS: Record<string, string> = {
  status_to_partner: 'status',
  field_to_partner: 'field',
  comment_to_partner: 'comment',
  document_to_partner: 'document',
  decision_posted: 'decision',
  decision_revision_posted: 'decision',
};

/**
 * Console API of the partner channel (under /api/partner-channel, the console's sign-in): what was sent to
 * a partner by which channel and when, the page links handed out, and revoking one.
 */
export function partnerChannelApi(db: Kysely<Database>, auth: AdminAuth, now: () => number): Hono<AdminEnv> {
  const api = new Hono<AdminEnv>();
  api.use('*', auth.authenticate());

  api.get('/deliveries/:entity/:id', async (c) => {
    const entity = c.req.param('entity');
    const id = c.req.param('id');
    const [mails, audits, tokens] = await Promise.all([
      listPartnerMessages(db, entity, id),
      listAuditActions(db, entity, id, Object.keys(SENDS)),
      listPartnerTokens(db, entity, id),
    ]);
    const deliveries = [
      ...audits.flatMap((a) => {
        const after = a.after
          ? (JSON.parse(a.after) as { channels?: string[]; status?: string; name?: string; outcome?: string })
          : {};
        return (after.channels ?? ['community'])
          .filter((ch) => ch !== 'email')
          .map((channel) => ({
            channel,
            what: `${SENDS[a.action]}${after.status ? `: ${after.status}` : after.name ? `: ${after.name}` : after.outcome ? `: ${after.outcome}` : ''}`,
            to: null as string | null,
            state: 'sent',
            at: Number(a.at),
            detail: null as string | null,
          }));
      }),
      ...mails.map((m) => ({
        channel: 'email',
        what: m.subject ?? m.kind,
        to: m.recipient,
        state: m.state,
        at: Number(m.sent_at ?? m.created_at),
        detail: m.smtp_response,
      })),
    ].sort((a, b) => a.at - b.at);
    return c.json({
      entity,
      id,
      deliveries,
      tokens: tokens.map((t) => ({
        jti: t.jti,
        partnerId: t.partner_id,
        recipient: t.recipient,
        createdAt: Number(t.created_at),
        expiresAt: Number(t.expires_at),
        revokedAt: t.revoked_at === null ? null : Number(t.revoked_at),
        revokedBy: t.revoked_by,
        lastUsedAt: t.last_used_at === null ? null : Number(t.last_used_at),
      })),
    });
  });

  api.post('/tokens/:jti/revoke', auth.requireAdmin(), async (c) => {
    const jti = c.req.param('jti');
    const actor = c.get('principal').actor;
    const t = await getPartnerToken(db, jti);
    if (!t) return c.json({ error: `no partner link ${jti}` }, 404);
    if (t.revoked_at) return c.json({ jti, revokedAt: Number(t.revoked_at), revokedBy: t.revoked_by });
    const at = now();
    await db.transaction().execute(async (trx) => {
      await revokePartnerToken(trx, jti, actor, at);
      await appendAudit(
        trx,
        {
          actor,
          entity: t.entity,
          entityId: t.entity_id,
          action: 'partner_link_revoked',
          after: { jti, partnerId: t.partner_id, recipient: t.recipient },
        },
        at,
      );
    });
    return c.json({ jti, revokedAt: at, revokedBy: actor });
  });
  return api;
}
