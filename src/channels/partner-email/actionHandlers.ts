import type { SyncContext } from '../../sync/context.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import type { TypedJobHandler } from '../../sync/flowModule.ts';
import type { PartnerEmailPayload } from './jobs.ts';
import { getLink } from '../../store/ops/links.ts';
import { getPartnerAction } from '../../store/ops/partnerActions.ts';
import { getPartnerFile } from '../../store/ops/partnerFiles.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { getDocument, recordDocument } from '../../store/ops/documents.ts';
import { outcomeFromRemote } from '../../sync/outcome.ts';
import { acknowledgeRollout } from '../../flows/08-rollouts/acknowledge.ts';
import { intakePageRequest, type PageRequest } from '../../flows/06-approvals/handlers/approvals.ts';

/** The text a partner's page comment has on the task (the same on every attempt, so a retry can find it). */
export function pageCommentText(partnerName: string, contact: string | null, body: string): string {
  return `Partner comment from ${partnerName}${contact ? ` (${contact})` : ''} via the partner page:\n${body}`;
}

/**
 * `partner.action`: what a partner did on a page, already stored (partner_actions), applied once:
 * a comment or a document onto the case's ClickUp task (looked for before a second try creates it again),
 * an acknowledgement counted on the rollout like one from the community API, a new request taken in like
 * a community `request.created`.
 */
export function partnerActionHandler(ctx: SyncContext): TypedJobHandler<PartnerEmailPayload<'partner.action'>> {
  return async ({ payload, attempt }): Promise<JobOutcome> => {
    const { id } = payload;
    const a = await getPartnerAction(ctx.store.db, id);
    if (!a) return { status: 'fail', error: `no partner action ${id}` };
    const data = JSON.parse(a.data) as Record<string, unknown>;
    const partnerName = ctx.config.partners.map[a.partner_id]?.name ?? a.partner_id;
    if (a.action === 'request')
      return intakePageRequest(ctx, a.entity_id, a.partner_id, data as unknown as PageRequest);
    if (a.action === 'acknowledge') {
      return acknowledgeRollout(ctx, a.entity_id, a.partner_id, new Date(Number(a.at)).toISOString(), 'partner_page');
    }
    const link = await getLink(ctx.store.db, 'case', a.entity_id);
    if (!link?.cuTaskId)
      return { status: 'retry', error: `case ${a.entity_id} has no ClickUp task yet`, retryAfterMs: 2000 };
    if (a.action === 'comment') {
      const text = pageCommentText(partnerName, (data['contact'] as string | null) ?? null, String(data['body']));
      if (attempt > 1) {
        const list = await ctx.clickup.listComments(link.cuTaskId);
        if (!list.ok) return outcomeFromRemote(list.error, `reading comments of ${link.cuTaskId}`);
        if (list.value.some((x) => x.comment_text.trim() === text.trim()))
          return {
            status: 'done',
            commit: (trx) =>
              appendAudit(
                trx,
                {
                  actor: a.partner_id,
                  entity: 'case',
                  entityId: a.entity_id,
                  action: 'comment_to_clickup',
                  after: { via: 'partner_page', action: a.id, found: true },
                },
                ctx.now(),
              ),
          };
      }
      const r = await ctx.clickup.createComment(link.cuTaskId, { comment_text: text, notify_all: true });
      if (!r.ok) return outcomeFromRemote(r.error, `adding the partner's page comment to task ${link.cuTaskId}`);
      return {
        status: 'done',
        commit: (trx) =>
          appendAudit(
            trx,
            {
              actor: a.partner_id,
              entity: 'case',
              entityId: a.entity_id,
              action: 'comment_to_clickup',
              after: { via: 'partner_page', action: a.id, clickUpCommentId: r.value.id },
            },
            ctx.now(),
          ),
      };
    }
    if (a.action === 'upload') {
      const sha256 = String(data['sha256']);
      const known = await getDocument(ctx.store.db, a.entity_id, sha256);
      if (known?.cu_attachment_id) return { status: 'done' };
      const f = await getPartnerFile(ctx.store.db, a.entity_id, sha256);
      if (!f) return { status: 'fail', error: `the file of partner action ${a.id} is missing` };
      const filename = `Partner - ${f.name}`;
      let attachmentId: string | null = null;
      if (attempt > 1) {
        const t = await ctx.clickup.getTask(link.cuTaskId);
        if (!t.ok) return outcomeFromRemote(t.error, `reading task ${link.cuTaskId}`);
        attachmentId =
          ((t.value as { attachments?: Array<{ id?: string; title?: string }> }).attachments ?? []).find(
            (x) => x.title === filename,
          )?.id ?? null;
      }
      if (!attachmentId) {
        const up = await ctx.clickup.uploadAttachment(link.cuTaskId, {
          filename,
          contentType: f.content_type,
          data: Buffer.from(f.content),
        });
        if (!up.ok) return outcomeFromRemote(up.error, `attaching the partner's ${f.name} to ${link.cuTaskId}`);
        attachmentId = up.value.id;
      }
      return {
        status: 'done',
        commit: async (trx) => {
          // Recorded with its attachment id: the ClickUp webhook for it is recognised and not sent back to the partner.
          await recordDocument(
            trx,
            {
              case_id: a.entity_id,
              sha256,
              name: f.name,
              kind: 'partner_upload',
              origin: 'partner_page',
              tg_document_id: null,
              cu_attachment_id: attachmentId,
              size_bytes: Number(f.size_bytes),
            },
            ctx.now(),
          );
          await appendAudit(
            trx,
            {
              actor: a.partner_id,
              entity: 'case',
              entityId: a.entity_id,
              action: 'document_to_clickup',
              after: { via: 'partner_page', action: a.id, name: f.name, sha256, cuAttachmentId: attachmentId },
            },
            ctx.now(),
          );
        },
      };
    }
    return { status: 'fail', error: `unknown partner action ${a.action}` };
  };
}
