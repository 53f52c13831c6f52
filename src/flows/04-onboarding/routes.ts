import type { SyncContext } from '../../sync/context.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import type { TgEventRoute } from '../../sync/tgEventRoute.ts';
import type { CuEntityRoute } from '../../sync/cuEntityRoute.ts';
import type { OnboardingConfig } from '../../config/flowsSchema.ts';
import {
  decideOnboardingIntake,
  decidePartnerStatusChange,
  decideStepProgress,
  type OnboardingFlowConfig,
  type OnboardingRecord,
  type OnboardingTrigger_,
} from './decisions/onboarding.ts';
import { splitGroupEntityId } from '../../core/taskGroup.ts';
import { getFlowRecord } from '../../store/ops/flowRecords.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { outcomeFromRemote } from '../../sync/outcome.ts';
import { commitFlow, isTaskFinished, versionOf } from '../shared/flowSupport.ts';
import { personOf } from '../shared/partnerGuard.ts';

/** Flow 4's routes: partner / compliance events from Trading Grid start or pause a group; a finished step task moves the partner on. */

const FLOW = 'onboarding';
const cfg = (ctx: SyncContext): OnboardingConfig | undefined => ctx.config.flows?.onboarding;

function flowConfig(c: OnboardingConfig): OnboardingFlowConfig {
  return {
    listId: c.list_id,
    keyField: c.fields.key,
    fieldNames: { partner: c.fields.partner, partner_id: c.fields.partner_id, workstream: c.fields.workstream },
    groups: Object.fromEntries(
      Object.entries(c.groups).map(([name, g]) => [
        name,
        {
          templateName: g.clickup_template,
          parentName: g.parent_name,
          steps: g.steps.map((s) => ({
            key: s.key,
            name: s.name,
            workstream: s.workstream,
            assignees: s.assignees,
            checklist: s.checklist,
            dueDays: s.due_days,
            dependsOn: s.depends_on,
            partnerStatus: s.partner_status,
          })),
        },
      ]),
    ),
    select: { byTrigger: c.select.by_trigger, byTier: c.select.by_tier, default: c.select.default },
    initialPartnerStatus: c.initial_partner_status,
  };
}

async function intake(
  ctx: SyncContext,
  c: OnboardingConfig,
  load: () => Promise<OnboardingTrigger_ | JobOutcome>,
): Promise<JobOutcome> {
  const t = await load();
  if ('status' in t && !('groupId' in t)) return t;
  const trigger = t as OnboardingTrigger_;
  const existing = await getFlowRecord<OnboardingRecord>(ctx.store.db, FLOW, trigger.groupId);
  const d = decideOnboardingIntake({
    trigger,
    existing: existing?.data ?? null,
    config: flowConfig(c),
    now: ctx.now(),
  });
  if (!d) return { status: 'done' };
  return {
    status: 'done',
    commit: async (trx) => {
      await commitFlow(
        ctx,
        trx,
        { flow: FLOW, id: trigger.groupId, state: 'open', data: d.record },
        versionOf(existing),
        d.jobs,
      );
      await appendAudit(
        trx,
        {
          actor: 'gridbridge',
          entity: FLOW,
          entityId: trigger.groupId,
          action: 'onboarding_started',
          after: { group: d.record.group, trigger: trigger.trigger },
        },
        ctx.now(),
      );
    },
  };
}

const ev_id = (data: Record<string, unknown>) => data.id ?? '';

async function partnerTrigger(
  ctx: SyncContext,
  partnerId: string,
  carried?: Record<string, unknown>,
): Promise<OnboardingTrigger_ | JobOutcome> {
  // Active Community CSV events carry the whole partner (the community API may not know it): use it as is.
  if (
    carried &&
    typeof carried.name === 'string' &&
    typeof carried.tier === 'string' &&
    String(ev_id(carried)).length > 0
  ) {
    return {
      trigger: 'trading_partner',
      groupId: partnerId,
      partnerId,
      partnerName: carried.name,
      partnerTier: carried.tier as never,
      partnerStatus: (carried.status as never) ?? null,
      title: carried.name,
    };
  }
  const p = await ctx.tg.getPartner(partnerId);
  if (!p.ok) return outcomeFromRemote(p.error, `reading partner ${partnerId}`);
  return {
    trigger: 'trading_partner',
    groupId: p.value.id,
    partnerId: p.value.id,
    partnerName: p.value.name,
    partnerTier: p.value.tier,
    partnerStatus: p.value.status,
    title: p.value.name,
  };
}

async function complianceTrigger(ctx: SyncContext, id: string): Promise<OnboardingTrigger_ | JobOutcome> {
  const r = await ctx.tg.getComplianceRequirement(id);
  if (!r.ok) return outcomeFromRemote(r.error, `reading compliance requirement ${id}`);
  let name = 'all partners';
  let tier = null;
  if (r.value.partner_id) {
    const p = await ctx.partners.get(r.value.partner_id);
    if (!p.ok && p.error.retryable) return outcomeFromRemote(p.error, `reading partner ${r.value.partner_id}`);
    name = p.ok ? p.value.name : r.value.partner_id;
    tier = p.ok ? p.value.tier : null;
  }
  return {
    trigger: 'compliance_requirement',
    groupId: `CR:${r.value.id}`,
    partnerId: r.value.partner_id ?? null,
    partnerName: name,
    partnerTier: tier,
    partnerStatus: null,
    title: `${r.value.title} (${r.value.category}, due ${r.value.due_at.slice(0, 10)})`,
  };
}

export const onboardingTgRoute: TgEventRoute = (ctx, ev) => {
  const c = cfg(ctx);
  if (!c) return null;
  if (ev.type === 'trading_partner.created')
    return intake(ctx, c, () => partnerTrigger(ctx, ev.data.id, ev.id.startsWith('ac_csv:') ? ev.data : undefined));
  if (ev.type === 'compliance_requirement.created') return intake(ctx, c, () => complianceTrigger(ctx, ev.data.id));
  if (ev.type === 'trading_partner.status_changed')
    return partnerStatusChanged(ctx, ev.data.id, ev.data.status ?? null);
  return null;
};

/** An inactive partner pauses its open onboarding group; reactivated, it resumes (flows/onboarding.ts). */
async function partnerStatusChanged(ctx: SyncContext, partnerId: string, carried: string | null): Promise<JobOutcome> {
  const rec = await getFlowRecord<OnboardingRecord>(ctx.store.db, FLOW, partnerId);
  if (!rec || rec.state !== 'open') return { status: 'done' };
  let status = carried;
  if (!status) {
    const p = await ctx.tg.getPartner(partnerId);
    if (!p.ok) return outcomeFromRemote(p.error, `reading partner ${partnerId}`);
    status = p.value.status;
  }
  const d = decidePartnerStatusChange({ record: rec.data, status, seq: rec.version });
  if (!d) return { status: 'done' };
  ctx.partners.forget(partnerId);
  return {
    status: 'done',
    commit: async (trx) => {
      await commitFlow(ctx, trx, { flow: FLOW, id: partnerId, state: 'open', data: d.record }, rec.version, d.jobs);
      await appendAudit(
        trx,
        {
          actor: 'tradinggrid',
          entity: FLOW,
          entityId: partnerId,
          action: d.record.pausedFor ? 'onboarding_paused' : 'onboarding_resumed',
          after: { partnerStatus: status },
        },
        ctx.now(),
      );
    },
  };
}

/** A step task changed: if it is now finished, record it and move the partner on (once). */
export const onboardingCuRoute: CuEntityRoute = async (ctx, ev, link) => {
  const { groupId, step } = splitGroupEntityId(link.entityId);
  if (step === 'parent') return { status: 'done' };
  const rec = await getFlowRecord<OnboardingRecord>(ctx.store.db, FLOW, groupId);
  if (!rec || rec.data.closed.includes(step)) return { status: 'done' };
  const t = await ctx.clickup.getTask(link.cuTaskId);
  if (!t.ok) return outcomeFromRemote(t.error, `reading onboarding task ${link.cuTaskId}`);
  const finished = isTaskFinished(t.value);
  if (!finished) return { status: 'done' };
  return {
    status: 'done',
    // Steps of one group change concurrently: decide again on the record as it is inside the commit.
    commit: async (trx) => {
      const now = await getFlowRecord<OnboardingRecord>(trx, FLOW, groupId);
      if (!now) return;
      const d = decideStepProgress({ record: now.data, step, finished });
      if (!d) return;
      const state = d.record.partnerStatus === 'active' ? 'done' : 'open';
      // The partner status a milestone moves is partner-visible: counted against the person who closed it.
      await commitFlow(
        ctx,
        trx,
        { flow: FLOW, id: groupId, state, data: d.record },
        now.version,
        d.jobs,
        personOf(ev.history_items),
      );
      await appendAudit(
        trx,
        {
          actor: 'clickup',
          entity: FLOW,
          entityId: groupId,
          action: 'milestone_closed',
          after: { step, partnerStatus: d.record.partnerStatus },
        },
        ctx.now(),
      );
    },
  };
};
