import type { SyncContext } from '../../../sync/context.ts';
import type { TypedJobHandler } from '../../../sync/flowModule.ts';
import type { RolloutPayload } from '../jobs.ts';
import { personOf } from '../../shared/partnerGuard.ts';
import type { JobOutcome } from '../../../sync/dispatcher.ts';
import type { RolloutsConfig } from '../../../config/flowsSchema.ts';
import {
  ackFigures,
  buildRolloutPlan,
  decideRecipients,
  decideReminders,
  gateStatus,
  parseAudience,
  recordReminders,
  type RolloutRecord,
} from '../decisions/rollout.ts';
import { BRIDGE_COMMENT_PREFIX } from '../../06-approvals/decisions/approvals.ts';
import { getFlowRecord, listFlowRecords } from '../../../store/ops/flowRecords.ts';
import { getLink, getLinkByTask } from '../../../store/ops/links.ts';
import { appendAudit } from '../../../store/ops/audit.ts';
import { outcomeFromRemote } from '../../../sync/outcome.ts';
import { commentOnce, lookupTag, oneOrNone } from '../../shared/saved.ts';
import { commitFlow, enqueueFlowJobs, flowFields, versionOf } from '../../shared/flowSupport.ts';
import type { ClickUpTask } from '../../../connectors/clickup/types.ts';
import type { Transaction } from 'kysely';
import type { Database } from '../../../store/schema.ts';
import { partnerRoute } from '../../../channels/partner-email/route.ts';
import { communityConfig } from '../../../config/schema.ts';
import { queuePartnerMail } from '../../../channels/partner-email/outbox.ts';
import { cfg, FLOW, planConfigOf } from '../config.ts';
import { holdForMapping, writeDrift } from '../../02-status-sync/mappingHealth.ts';
import type { Drift } from '../../02-status-sync/decisions/mappingDrift.ts';

/** Flow 8 wiring: a marker task (or the API) starts a rollout; notice out, acknowledgements in, go-live gated. */

const DAY = 86_400_000;
const fieldsOf = (ctx: SyncContext, c: RolloutsConfig) =>
  flowFields(ctx, 'rollouts', {
    change_id: c.fields.change_id,
    acknowledged: c.fields.acknowledged,
    affected: c.fields.affected,
    percent: c.fields.percent,
    audience: c.fields.audience,
  });

export interface StartRolloutInput {
  /** An existing ClickUp task to hold the rollout (the marker task); without it one is created. */
  taskId?: string;
  title: string;
  body: string;
  audience: string;
}

/** Start a rollout from code (CLI / admin API): one job, keyed so a repeat is a no-op. */
export async function enqueueRolloutStart(
  ctx: SyncContext,
  trx: Transaction<Database>,
  key: string,
  input: StartRolloutInput,
  actor: string | null = null,
): Promise<void> {
  await enqueueFlowJobs(
    ctx,
    trx,
    [
      {
        kind: 'rollout.start',
        key: `rollout.start:${key}`,
        queueKey: `rollout:${key}`,
        payload: { rolloutId: key, ...input },
      },
    ],
    actor,
  );
}

/** `rollouts.scan` (scheduled): marker tasks in the rollouts list that are not rollouts yet start one. */
export function scanRolloutsHandler(ctx: SyncContext): TypedJobHandler<RolloutPayload<'rollouts.scan'>> {
  return async () => {
    const c = cfg(ctx);
    if (!c) return { status: 'done' };
    const tasks = await ctx.clickup.listTasks(c.list_id, { tags: [c.marker_tag] });
    if (!tasks.ok) return outcomeFromRemote(tasks.error, 'scanning the rollouts list');
    const fresh: ClickUpTask[] = [];
    for (const t of tasks.value) {
      if (t.parent) continue;
      if (await getLinkByTask(ctx.store.db, t.id)) continue;
      fresh.push(t);
    }
    if (fresh.length === 0) return { status: 'done' };
    return {
      status: 'done',
      commit: async (trx) => {
        for (const t of fresh) {
          const audience = c.fields.audience
            ? String((t.custom_fields ?? []).find((f) => f.name === c.fields.audience)?.value ?? '')
            : '';
          // The notice goes to partners: a person tagging many marker tasks at once is held past the bulk limit.
          const creator = (t as { creator?: { id?: unknown; username?: string; email?: string } }).creator;
          await enqueueRolloutStart(
            ctx,
            trx,
            `cu:${t.id}`,
            { taskId: t.id, title: t.name, body: t.text_content ?? t.description ?? '', audience },
            personOf(creator ? [{ user: creator }] : []),
          );
        }
      },
    };
  };
}

/** `rollout.start`: remember the rollout, then publish its notice. */
export function startRolloutHandler(ctx: SyncContext): TypedJobHandler<RolloutPayload<'rollout.start'>> {
  return async ({ payload, attempt }) => {
    const c = cfg(ctx);
    if (!c) return { status: 'fail', error: 'flows.rollouts is not configured' };
    const p = payload;
    const existing = await getFlowRecord<RolloutRecord>(ctx.store.db, FLOW, p.rolloutId);
    if (existing) return { status: 'done' };
    let taskId = p.taskId;
    if (!taskId) {
      // A tag of its own finds the task again when the create's answer was lost (or the process died).
      const tag = lookupTag('gb-ro', p.rolloutId);
      if (attempt > 1) {
        const listed = await ctx.clickup.listTasks(c.list_id, { tags: [tag], include_closed: true });
        if (!listed.ok) return outcomeFromRemote(listed.error, `looking for the rollout task ${p.title}`);
        const one = oneOrNone(listed.value, `tagged ${tag} (rollout ${p.rolloutId})`);
        if (!one.ok) return one.outcome;
        taskId = one.value?.id;
      }
      if (!taskId) {
        const t = await ctx.clickup.createTask(c.list_id, {
          name: p.title,
          markdown_content: p.body,
          tags: ['gridbridge', c.marker_tag, tag],
        });
        if (!t.ok) return outcomeFromRemote(t.error, `creating the rollout task ${p.title}`);
        taskId = t.value.id;
      }
    }
    const record: RolloutRecord = {
      rolloutId: p.rolloutId,
      taskId,
      title: p.title,
      body: p.body,
      audience: parseAudience(p.audience, c.default_audience),
      noticeId: null,
      recipients: [],
      partnerNames: {},
      acks: {},
      reminders: {},
      stepsDone: [],
      gateOpen: false,
    };
    return {
      status: 'done',
      commit: async (trx) => {
        await commitFlow(ctx, trx, { flow: FLOW, id: p.rolloutId, state: 'publishing', data: record }, 0, [
          {
            kind: 'rollout.publish',
            key: `rollout.publish:${p.rolloutId}`,
            queueKey: `rollout:${p.rolloutId}`,
            payload: { rolloutId: p.rolloutId },
          },
        ]);
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: FLOW,
            entityId: p.rolloutId,
            action: 'rollout_started',
            after: { taskId, audience: record.audience },
          },
          ctx.now(),
        );
      },
    };
  };
}

/** `rollout.publish`: the notice to the audience (idempotency key per rollout), then the internal plan under the task. */
export function publishRolloutHandler(ctx: SyncContext): TypedJobHandler<RolloutPayload<'rollout.publish'>> {
  return async ({ payload }) => {
    const c = cfg(ctx);
    if (!c) return { status: 'fail', error: 'flows.rollouts is not configured' };
    const { rolloutId } = payload;
    const rec = await getFlowRecord<RolloutRecord>(ctx.store.db, FLOW, rolloutId);
    if (!rec || rec.data.noticeId) return { status: 'done' };
    const r = rec.data;
    const effective = new Date(ctx.now() + c.effective_in_days * DAY).toISOString();
    let noticeId: string;
    let recipients: string[];
    let unreachable: string[] = [];
    if (communityConfig(ctx.config)) {
      const n = await ctx.tg.publishNotice(
        { title: r.title, body: r.body || r.title, effective_at: effective, audience: r.audience },
        `gridbridge:rollout:${rolloutId}:notice`,
      );
      if (!n.ok) return outcomeFromRemote(n.error, `publishing the notice of rollout ${rolloutId}`);
      noticeId = n.value.id;
      // The contract does not promise `recipients`: without them the audience is resolved against the partner directory.
      const fromNotice = (n.value as { recipients?: string[] }).recipients;
      const directory: Array<{ id: string; tier: string }> = [];
      if (!fromNotice) for await (const p of ctx.tg.iteratePartners()) directory.push({ id: p.id, tier: p.tier });
      recipients = decideRecipients(r.audience, fromNotice, directory, (id) =>
        Boolean(partnerRoute(ctx, id, 'notices').email),
      ).recipients;
    } else {
      // No community endpoint: the notice is ours alone. The audience is resolved over the partners we know
      // (partners.map, partner_channel), and only those the e-mail channel reaches can receive and acknowledge it;
      // the others are audited, never counted (a partner who cannot acknowledge would hold the gate for ever).
      const local = await localAudience(ctx, r.audience);
      if ('status' in local) return local;
      recipients = local.reachable;
      unreachable = local.unreachable;
      noticeId = `gb-notice:${rolloutId}`;
    }
    const byMail = recipients.filter((id) => partnerRoute(ctx, id, 'notices').email);
    const partnerNames: Record<string, string> = {};
    for (const id of recipients) {
      const p = await ctx.partners.get(id);
      partnerNames[id] = ctx.config.partners.map[id]?.name ?? (p.ok ? p.value.name : id);
    }
    const plan = buildRolloutPlan(r, noticeId, planConfigOf(c), ctx.now());
    const data: RolloutRecord = { ...r, noticeId, recipients, partnerNames };
    return {
      status: 'done',
      commit: async (trx) => {
        await commitFlow(
          ctx,
          trx,
          { flow: FLOW, id: rolloutId, state: 'active', lookup: noticeId, data },
          rec.version,
          [
            {
              kind: 'group.build',
              key: `group.build:${FLOW}:${rolloutId}:0`,
              queueKey: `${FLOW}:${rolloutId}`,
              payload: { plan, index: 0 },
            },
          ],
        );
        for (const partnerId of byMail) {
          await queuePartnerMail(ctx, trx, {
            partnerId,
            kind: 'notice',
            entity: FLOW,
            entityId: rolloutId,
            key: `notice:${rolloutId}:${partnerId}`,
            facts: { rolloutId, title: r.title, body: r.body || r.title, effectiveAt: effective.slice(0, 10) },
          });
        }
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: FLOW,
            entityId: rolloutId,
            action: 'notice_published',
            after: {
              noticeId,
              recipients: recipients.length,
              ...(ctx.partnerChannel ? { byEmail: byMail } : {}),
              ...(unreachable.length ? { unreachable } : {}),
            },
          },
          ctx.now(),
        );
      },
    };
  };
}

/**
 * The audience of a notice in a deployment without the community API: every partner we know of
 * (`partners.map`, `partner_channel.partners`) that the audience names, by id, tier (the partner's
 * tier as `ctx.partners` reads it) or all; split into those the e-mail channel reaches and the rest.
 */
export async function localAudience(
  ctx: SyncContext,
  a: { all?: boolean; tiers?: string[]; partner_ids?: string[] },
): Promise<{ reachable: string[]; unreachable: string[] } | JobOutcome> {
  const known = [
    ...new Set([
      ...Object.keys(ctx.config.partners.map),
      ...Object.keys(ctx.config.partner_channel.partners),
      ...(a.partner_ids ?? []),
    ]),
  ];
  const reachable: string[] = [];
  const unreachable: string[] = [];
  for (const id of known) {
    let inAudience = Boolean(a.all) || Boolean(a.partner_ids?.includes(id));
    if (!inAudience && a.tiers?.length) {
      const p = await ctx.partners.get(id);
      if (!p.ok && p.error.retryable) return outcomeFromRemote(p.error, `reading partner ${id}`);
      inAudience = p.ok && a.tiers.includes(p.value.tier);
    }
    if (!inAudience) continue;
    (partnerRoute(ctx, id, 'notices').email ? reachable : unreachable).push(id);
  }
  return { reachable, unreachable };
}

const ACK_CHECKLIST = 'Partner acknowledgements';

/** `rollout.sync_acks`: figures on the rollout task and a checklist item per partner, resolved when it acknowledged. */
export function syncAcksHandler(ctx: SyncContext): TypedJobHandler<RolloutPayload<'rollout.sync_acks'>> {
  return async ({ payload }) => {
    const c = cfg(ctx);
    if (!c) return { status: 'done' };
    const { rolloutId } = payload;
    const rec = await getFlowRecord<RolloutRecord>(ctx.store.db, FLOW, rolloutId);
    if (!rec || !rec.data.noticeId)
      return { status: 'retry', error: `rollout ${rolloutId} is not published yet`, retryAfterMs: 1000 };
    const r = rec.data;
    const f = ackFigures(r);
    const fields = fieldsOf(ctx, c);
    await fields.ensure(c.list_id);
    for (const [logical, value] of [
      ['change_id', r.noticeId],
      ['acknowledged', f.count],
      ['affected', f.total],
      ['percent', f.pct],
    ] as const) {
      const field = fields.field(c.list_id, logical);
      if (!field) continue;
      const s = await ctx.clickup.setCustomFieldValue(r.taskId, field.id, value as never);
      if (!s.ok) return outcomeFromRemote(s.error, `setting ${logical} on rollout task ${r.taskId}`);
    }
    const t = await ctx.clickup.getTask(r.taskId);
    if (!t.ok) return outcomeFromRemote(t.error, `reading rollout task ${r.taskId}`);
    const lists =
      (
        t.value as {
          checklists?: Array<{
            id: string;
            name: string;
            items?: Array<{ id: string; name: string; resolved?: boolean }>;
          }>;
        }
      ).checklists ?? [];
    let cl = lists.find((x) => x.name === ACK_CHECKLIST);
    if (!cl) {
      const made = await ctx.clickup.createChecklist(r.taskId, { name: ACK_CHECKLIST });
      if (!made.ok) return outcomeFromRemote(made.error, 'creating the acknowledgement checklist');
      cl = { id: made.value.id, name: ACK_CHECKLIST, items: [] };
    }
    for (const p of r.recipients) {
      const label = `${r.partnerNames[p] ?? p} (${p})`;
      const item = (cl.items ?? []).find((i) => i.name === label);
      const acked = Boolean(r.acks[p]);
      if (!item) {
        const added = await ctx.clickup.createChecklistItem(cl.id, { name: label });
        if (!added.ok) return outcomeFromRemote(added.error, `adding ${label}`);
        const newItem = (added.value.items ?? []).find((i) => i.name === label);
        if (acked && newItem) {
          const e = await ctx.clickup.editChecklistItem(cl.id, newItem.id, { resolved: true });
          if (!e.ok) return outcomeFromRemote(e.error, `resolving ${label}`);
        }
      } else if (Boolean(item.resolved) !== acked) {
        const e = await ctx.clickup.editChecklistItem(cl.id, item.id, { resolved: acked });
        if (!e.ok) return outcomeFromRemote(e.error, `resolving ${label}`);
      }
    }
    return { status: 'done' };
  };
}

/** A note of ours on the task, once per job (marked with its key: a lost answer is found, not posted twice). */
async function note(
  ctx: SyncContext,
  taskId: string,
  text: string,
  job: { key: string; attempt: number },
): Promise<JobOutcome | null> {
  const r = await commentOnce(
    ctx,
    taskId,
    { comment_text: `${BRIDGE_COMMENT_PREFIX} ${text}`, notify_all: false },
    job.key,
    job.attempt,
  );
  return r.ok ? null : r.outcome;
}

/** `rollout.open_gate`: the rollout task moves to the ready status, with a note. */
export function openGateHandler(ctx: SyncContext): TypedJobHandler<RolloutPayload<'rollout.open_gate'>> {
  return async ({ payload, job, attempt }) => {
    const c = cfg(ctx);
    const rec = await getFlowRecord<RolloutRecord>(ctx.store.db, FLOW, payload.rolloutId);
    if (!c || !rec) return { status: 'done' };
    if (c.ready_status) {
      // The ready status renamed or deleted in ClickUp: opening the gate waits for the mapping to fit.
      const drift = (known: boolean) => writeDrift(ctx, c.list_id, { status: c.ready_status }, known);
      const hold = (d: Drift) =>
        holdForMapping(
          ctx,
          { kind: job.kind, key: job.key, queueKey: job.queue_key, payload },
          { entity: FLOW, id: payload.rolloutId },
          d,
        );
      const known = await drift(true);
      if (known) return hold(known);
      const u = await ctx.clickup.updateTask(rec.data.taskId, { status: c.ready_status });
      if (!u.ok && u.error.status === 400) {
        const d = await drift(false);
        if (d) return hold(d);
      }
      if (!u.ok) return outcomeFromRemote(u.error, `moving ${rec.data.taskId} to ${c.ready_status}`);
    }
    const f = ackFigures(rec.data);
    return (
      (await note(
        ctx,
        rec.data.taskId,
        `go-live readiness unblocked: ${f.count}/${f.total} partners acknowledged (${f.pct}%) and the internal tasks are done.`,
        { key: job.key, attempt },
      )) ?? { status: 'done' }
    );
  };
}

/** `rollout.reblock`: go-live readiness was closed too early: reopen it and say why. */
export function reblockHandler(ctx: SyncContext): TypedJobHandler<RolloutPayload<'rollout.reblock'>> {
  return async ({ payload, job, attempt }) => {
    const c = cfg(ctx);
    const { rolloutId, reasons } = payload;
    const link = c ? await getLink(ctx.store.db, FLOW, `${rolloutId}:${c.gate_step}`) : null;
    if (!c || !link) return { status: 'done' };
    const list = await ctx.clickup.getList(c.list_id);
    if (!list.ok) return outcomeFromRemote(list.error, 'reading the rollouts list');
    const reopen =
      list.value.statuses.find((s) => s.type === 'custom') ?? list.value.statuses.find((s) => s.type === 'open');
    if (reopen) {
      const u = await ctx.clickup.updateTask(link.cuTaskId, { status: reopen.status });
      if (!u.ok) return outcomeFromRemote(u.error, `reopening ${link.cuTaskId}`);
    }
    return (
      (await note(ctx, link.cuTaskId, `go-live readiness is blocked: ${reasons.join('; ')}.`, {
        key: job.key,
        attempt,
      })) ?? { status: 'done' }
    );
  };
}

/** `rollouts.remind` (scheduled): one reminder notice per rollout to partners that have not acknowledged. */
export function remindRolloutsHandler(ctx: SyncContext): TypedJobHandler<RolloutPayload<'rollouts.remind'>> {
  return async ({ payload, attempt }) => {
    const c = cfg(ctx);
    if (!c) return { status: 'done' };
    const slot = payload.slot ?? ctx.now();
    const active = await listFlowRecords<RolloutRecord>(ctx.store.db, FLOW, ['active']);
    const updates: Array<{ rec: (typeof active)[number]; data: RolloutRecord; partners: string[] }> = [];
    for (const rec of active) {
      const partners = decideReminders(rec.data, ctx.now(), { minHours: c.reminder_min_hours, max: c.max_reminders });
      if (partners.length === 0) continue;
      const viaCommunity = communityConfig(ctx.config)
        ? partners.filter((id) => partnerRoute(ctx, id, 'notices').community)
        : [];
      if (viaCommunity.length > 0) {
        const n = await ctx.tg.publishNotice(
          {
            title: `Reminder: please acknowledge "${rec.data.title}"`,
            body: `Notice ${rec.data.noticeId} still needs your acknowledgement.\n\n${rec.data.body}`,
            effective_at: new Date(ctx.now()).toISOString(),
            audience: { partner_ids: viaCommunity },
          },
          `gridbridge:rollout:${rec.id}:reminder:${slot}`,
        );
        if (!n.ok) return outcomeFromRemote(n.error, `reminding partners of rollout ${rec.id}`);
      }
      const failed = await note(
        ctx,
        rec.data.taskId,
        `reminder sent to ${partners.map((p) => rec.data.partnerNames[p] ?? p).join(', ')}.`,
        { key: `rollout.remind:${rec.id}:${slot}`, attempt },
      );
      if (failed) return failed;
      const reminders = recordReminders(rec.data.reminders, partners, ctx.now());
      updates.push({ rec, data: { ...rec.data, reminders }, partners });
    }
    if (updates.length === 0) return { status: 'done' };
    return {
      status: 'done',
      commit: async (trx) => {
        for (const u of updates) {
          const now = await getFlowRecord<RolloutRecord>(trx, FLOW, u.rec.id);
          if (!now) continue;
          await commitFlow(
            ctx,
            trx,
            {
              flow: FLOW,
              id: u.rec.id,
              state: 'active',
              lookup: now.lookup,
              data: { ...now.data, reminders: u.data.reminders },
            },
            now.version,
            [],
          );
          for (const partnerId of u.partners.filter((id) => partnerRoute(ctx, id, 'notices').email)) {
            await queuePartnerMail(ctx, trx, {
              partnerId,
              kind: 'notice_reminder',
              entity: FLOW,
              entityId: u.rec.id,
              key: `notice_reminder:${u.rec.id}:${partnerId}:${u.data.reminders[partnerId]?.count ?? 1}`,
              facts: { rolloutId: u.rec.id, title: u.rec.data.title, body: u.rec.data.body, effectiveAt: '' },
            });
          }
          await appendAudit(
            trx,
            {
              actor: 'gridbridge',
              entity: FLOW,
              entityId: u.rec.id,
              action: 'reminder_sent',
              after: { partners: u.partners },
            },
            ctx.now(),
          );
        }
      },
    };
  };
}

export { gateStatus, versionOf };
