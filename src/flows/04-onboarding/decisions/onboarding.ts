import type { Job } from '../../catalogue.ts';
import type { PartnerTier } from '../../../core/case.ts';
import type { TaskGroupPlan } from '../../shared/taskGroupJobs.ts';

/** Flow 4: a new partner (or compliance requirement) becomes an onboarding task group; milestones move the partner on. Pure. */

export type OnboardingTrigger = 'trading_partner' | 'compliance_requirement';
export type OnboardingPartnerStatus = 'registering' | 'testing' | 'active';

/** The jobs flow 4's decisions queue. */
export type OnboardingJob = Job<'group.build' | 'onboarding.set_partner_status' | 'onboarding.note'>;

/** Partner statuses in onboarding order: the bridge only ever moves a partner forward. */
export const PARTNER_STATUS_ORDER = ['invited', 'registering', 'testing', 'active'] as const;
export const statusRank = (s: string): number => PARTNER_STATUS_ORDER.indexOf(s as never);

export interface OnboardingStepDef {
  key: string;
  name: string;
  workstream?: string;
  assignees: number[];
  checklist: string[];
  dueDays: number;
  dependsOn: string[];
  partnerStatus?: OnboardingPartnerStatus;
}

export interface OnboardingGroupDef {
  templateName?: string;
  parentName: string;
  steps: OnboardingStepDef[];
}

export interface OnboardingFlowConfig {
  listId: string;
  keyField: string;
  fieldNames: Record<string, string | undefined>;
  groups: Record<string, OnboardingGroupDef>;
  select: {
    byTrigger: Partial<Record<OnboardingTrigger, string>>;
    byTier: Partial<Record<PartnerTier, string>>;
    default: string;
  };
  initialPartnerStatus: OnboardingPartnerStatus | null;
}

export interface OnboardingRecord {
  groupId: string;
  trigger: OnboardingTrigger;
  group: string;
  partnerId: string | null;
  partnerName: string;
  title: string;
  /** Step key → the partner status its closing brings (only steps that move the partner). */
  milestones: Record<string, OnboardingPartnerStatus>;
  closed: string[];
  /** Highest partner status the bridge asked for. */
  partnerStatus: string | null;
  /** Set while the partner is inactive on Trading Grid: milestones are recorded but move nothing. */
  pausedFor?: string | null;
}

export interface OnboardingTrigger_ {
  trigger: OnboardingTrigger;
  /** `P-1` for a partner, `CR:<id>` for a compliance requirement: one group per id, ever. */
  groupId: string;
  partnerId: string | null;
  partnerName: string;
  partnerTier: PartnerTier | null;
  partnerStatus: string | null;
  title: string;
}

/** Trigger first (a compliance requirement has its own group), then tier, then the default. */
export function selectGroup(
  t: { trigger: OnboardingTrigger; tier: PartnerTier | null },
  select: OnboardingFlowConfig['select'],
): string {
  return select.byTrigger[t.trigger] ?? (t.tier ? select.byTier[t.tier] : undefined) ?? select.default;
}

const fill = (pattern: string, t: OnboardingTrigger_) =>
  pattern.replace(/\{partner\}/g, t.partnerName).replace(/\{title\}/g, t.title);
const DAY = 86_400_000;

/** A trigger arrives (or repeats, e.g. a CSV re-import): a group once; an existing group is left alone. */
export function decideOnboardingIntake(input: {
  trigger: OnboardingTrigger_;
  existing: OnboardingRecord | null;
  config: OnboardingFlowConfig;
  now: number;
}): { record: OnboardingRecord; jobs: OnboardingJob[] } | null {
  const { trigger: t, existing, config, now } = input;
  if (existing) return null;
  const groupName = selectGroup({ trigger: t.trigger, tier: t.partnerTier }, config.select);
  const g = config.groups[groupName];
  if (!g) throw new Error(`onboarding group "${groupName}" is not configured`);
  const forPartner = t.trigger === 'trading_partner' && t.partnerId !== null;
  const milestones = forPartner
    ? Object.fromEntries(g.steps.filter((s) => s.partnerStatus).map((s) => [s.key, s.partnerStatus!]))
    : {};
  const plan: TaskGroupPlan = {
    entity: 'onboarding',
    groupId: t.groupId,
    listId: config.listId,
    keyField: config.keyField,
    fieldNames: config.fieldNames,
    parent: {
      templateName: g.templateName,
      name: fill(g.parentName, t),
      markdown: [
        `${t.trigger === 'trading_partner' ? 'New trading partner' : 'Compliance requirement'}: **${t.title}**`,
        '',
        `Partner: ${t.partnerName}${t.partnerId ? ` (${t.partnerId})` : ''}`,
        `Group: ${groupName}`,
      ].join('\n'),
      assignees: [],
      dueAt: now + Math.max(0, ...g.steps.map((s) => s.dueDays)) * DAY,
      tags: ['gridbridge', 'onboarding'],
      fields: { partner: t.partnerName, partner_id: t.partnerId },
    },
    steps: g.steps.map((s) => ({
      key: s.key,
      name: s.name,
      markdown: [
        `${s.name} for ${t.partnerName}.`,
        s.dependsOn.length
          ? `Waits for: ${s.dependsOn.map((d) => g.steps.find((x) => x.key === d)?.name ?? d).join(', ')}.`
          : '',
        s.partnerStatus && forPartner
          ? `Closing this moves the partner to **${s.partnerStatus}** on Trading Grid.`
          : '',
      ]
        .filter(Boolean)
        .join('\n\n'),
      assignees: s.assignees,
      dueAt: now + s.dueDays * DAY,
      checklist: s.checklist,
      dependsOn: s.dependsOn,
      fields: { partner: t.partnerName, partner_id: t.partnerId, workstream: s.workstream ?? null },
    })),
  };
  const jobs: OnboardingJob[] = [
    {
      kind: 'group.build',
      key: `group.build:onboarding:${t.groupId}:0`,
      queueKey: `onboarding:${t.groupId}`,
      payload: { plan, index: 0 },
    },
  ];
  let partnerStatus: string | null = t.partnerStatus;
  const initial = config.initialPartnerStatus;
  if (forPartner && initial && t.partnerStatus !== null && statusRank(t.partnerStatus) < statusRank(initial)) {
    jobs.push(setStatusJob(t.partnerId!, initial));
    partnerStatus = initial;
  }
  return {
    record: {
      groupId: t.groupId,
      trigger: t.trigger,
      group: groupName,
      partnerId: t.partnerId,
      partnerName: t.partnerName,
      title: t.title,
      milestones,
      closed: [],
      partnerStatus,
    },
    jobs,
  };
}

function setStatusJob(partnerId: string, status: OnboardingPartnerStatus): OnboardingJob {
  return {
    kind: 'onboarding.set_partner_status',
    key: `onboarding.set_partner_status:${partnerId}:${status}`,
    queueKey: `partner:${partnerId}`,
    payload: { partnerId, status },
  };
}

/**
 * A step task changed. A step that is now finished is recorded once; when it is a milestone that takes
 * the partner further than it is, the partner status moves forward. Reopening a step moves nothing back.
 */
export function decideStepProgress(input: {
  record: OnboardingRecord;
  step: string;
  finished: boolean;
}): { record: OnboardingRecord; jobs: OnboardingJob[] } | null {
  const { record, step, finished } = input;
  if (!finished || step === 'parent' || record.closed.includes(step)) return null;
  const closed = [...record.closed, step];
  const target = record.milestones[step];
  const jobs: OnboardingJob[] = [];
  let partnerStatus = record.partnerStatus;
  // Paused (the partner is inactive): the milestone is recorded; the partner moves on when it is resumed.
  if (!record.pausedFor && target && record.partnerId && statusRank(target) > statusRank(partnerStatus ?? 'invited')) {
    jobs.push(setStatusJob(record.partnerId, target));
    partnerStatus = target;
  }
  return { record: { ...record, closed, partnerStatus }, jobs };
}

function noteJob(groupId: string, text: string, n: number): OnboardingJob {
  return {
    kind: 'onboarding.note',
    key: `onboarding.note:${groupId}:${n}`,
    queueKey: `onboarding:${groupId}`,
    payload: { groupId, text },
  };
}

/**
 * `trading_partner.status_changed` on a partner with an open onboarding group: inactive pauses it (said on
 * the group's task; milestones closed meanwhile move nothing on Trading Grid); reactivated, it resumes and
 * the partner gets the furthest status the milestones closed meanwhile earned (forward only). Null: nothing changes.
 */
export function decidePartnerStatusChange(input: {
  record: OnboardingRecord;
  status: string;
  seq: number;
}): { record: OnboardingRecord; jobs: OnboardingJob[] } | null {
  const { record, status, seq } = input;
  if (status === 'inactive') {
    if (record.pausedFor) return null;
    return {
      record: { ...record, pausedFor: status },
      jobs: [
        noteJob(
          record.groupId,
          `gridbridge: ${record.partnerName} is ${status} on Trading Grid: onboarding paused. Closing steps now moves nothing on Trading Grid until the partner is reactivated.`,
          seq,
        ),
      ],
    };
  }
  if (!record.pausedFor) return null;
  const jobs: OnboardingJob[] = [
    noteJob(
      record.groupId,
      `gridbridge: ${record.partnerName} is ${status} again on Trading Grid: onboarding resumed.`,
      seq,
    ),
  ];
  let partnerStatus = record.partnerStatus;
  const earned = record.closed
    .map((k) => record.milestones[k])
    .filter((x): x is OnboardingPartnerStatus => !!x)
    .sort((a, b) => statusRank(b) - statusRank(a))[0];
  if (
    earned &&
    record.partnerId &&
    statusRank(earned) > Math.max(statusRank(status), statusRank(partnerStatus ?? 'invited'))
  ) {
    jobs.push(setStatusJob(record.partnerId, earned));
    partnerStatus = earned;
  }
  return { record: { ...record, pausedFor: null, partnerStatus }, jobs };
}
