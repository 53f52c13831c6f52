import { z } from 'zod';
import { PARTNER_TIERS } from '../core/case.ts';

/**
 * Configuration of the group flows: 4 (onboarding), 6 (approvals), 8 (rollouts). Every section is
 * optional and off unless it names its ClickUp list, so configs written before these flows stay valid.
 */

const REQUEST_KINDS = ['pricing_exception', 'shipment_change', 'document_correction'] as const;
const ONBOARDING_PARTNER_STATUSES = ['registering', 'testing', 'active'] as const;

/** ClickUp member ids (numbers, as `GET /v2/team` lists them). */
const Assignees = z.array(z.number().int().positive()).default([]);

const ApprovalRoute = z.strictObject({
  kinds: z.array(z.enum(REQUEST_KINDS)).optional().describe('request kinds this rule applies to (default: all)'),
  min_value: z.number().nonnegative().optional().describe('applies when the request value is at least this amount'),
  max_value: z.number().nonnegative().optional().describe('applies when the request value is below this amount'),
  tiers: z.array(z.enum(PARTNER_TIERS)).optional().describe('partner tiers this rule applies to (default: all)'),
  assignees: Assignees,
  priority: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).optional(),
  label: z.string().optional().describe('name of the rule, shown on the task'),
});

const ApprovalsConfig = z.strictObject({
  list_id: z.string().min(1).describe('ClickUp list approval tasks are created in'),
  decision: z
    .strictObject({
      /** Where the approver records the decision: the task status, or a drop-down custom field. */
      source: z.enum(['status', 'field']).default('status'),
      field: z.string().default('Decision').describe('drop-down field name when source is field'),
      approved: z.string().default('approved').describe('status name (or option label) meaning approved'),
      rejected: z.string().default('rejected').describe('status name (or option label) meaning rejected'),
    })
    .prefault({}),
  /** Status a task is moved to when the partner withdraws its request (null: comment only). */
  withdrawn_status: z.string().nullable().default(null),
  fields: z
    .strictObject({
      partner: z.string().default('Partner'),
      request_id: z.string().default('TG request id'),
      request_type: z.string().optional().describe('drop-down with the request kinds (labels: "pricing exception", …)'),
      value: z.string().optional(),
    })
    .prefault({}),
  routes: z.array(ApprovalRoute).default([]).describe('first matching rule picks the approver'),
  default_assignees: Assignees,
  due_hours: z.number().positive().default(48),
  /** How often open requests are re-read to notice a withdrawal (the contract has no event for it). */
  sweep_cron: z.string().default('*/2 * * * *'),
});

const GroupStep = z.strictObject({
  key: z.string().regex(/^[a-z0-9_]+$/, 'step keys are lower_snake_case'),
  name: z.string().min(1),
  workstream: z
    .string()
    .optional()
    .describe("option of the list's Workstream drop-down (legal, it, procurement, ops, testing)"),
  assignees: Assignees,
  checklist: z.array(z.string().min(1)).default([]),
  due_days: z.number().nonnegative().default(5).describe('due this many days after the group is created'),
  depends_on: z.array(z.string()).default([]).describe('keys of steps this one waits for'),
  /** Onboarding: partner status once this step is closed (only ever moves forward). */
  partner_status: z.enum(ONBOARDING_PARTNER_STATUSES).optional(),
});
export type GroupStepConfig = z.infer<typeof GroupStep>;

const checkSteps = (steps: Array<{ key: string; depends_on: string[] }>, ctx: z.RefinementCtx) => {
  const keys = new Set<string>();
  steps.forEach((s, i) => {
    if (keys.has(s.key))
      ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `step key "${s.key}" is used twice` });
    keys.add(s.key);
  });
  steps.forEach((s, i) =>
    s.depends_on.forEach((d, j) => {
      if (!keys.has(d))
        ctx.addIssue({
          code: 'custom',
          path: [i, 'depends_on', j],
          message: `"${d}" is not the key of a step in this group`,
        });
    }),
  );
};

const OnboardingGroup = z.strictObject({
  /** Name of a ClickUp task template the parent task is made from (its subtasks with our step names are reused). */
  clickup_template: z.string().optional(),
  parent_name: z.string().default('Onboarding: {partner}').describe('{partner} and {title} are replaced'),
  steps: z.array(GroupStep).min(1).superRefine(checkSteps),
});

const DEFAULT_ONBOARDING_STEPS = [
  {
    key: 'contract_review',
    name: 'Contract review',
    workstream: 'legal',
    checklist: ['NDA signed', 'Trading agreement signed'],
    due_days: 5,
  },
  {
    key: 'edi_setup',
    name: 'EDI setup',
    workstream: 'it',
    checklist: ['AS2/SFTP connection', 'Map 850/856/810', 'Partner profile in Trading Grid'],
    due_days: 10,
    depends_on: ['contract_review'],
    partner_status: 'testing',
  },
  {
    key: 'master_data',
    name: 'Master data validation',
    workstream: 'procurement',
    checklist: ['Vendor master', 'Ship-to locations', 'Item catalogue'],
    due_days: 10,
  },
  {
    key: 'test_file_exchanged',
    name: 'Testing: test file exchanged',
    workstream: 'testing',
    due_days: 12,
    depends_on: ['edi_setup'],
  },
  {
    key: 'ack_997_received',
    name: 'Testing: 997 received',
    workstream: 'testing',
    due_days: 13,
    depends_on: ['test_file_exchanged'],
  },
  {
    key: 'production_cutover',
    name: 'Testing: production cut-over',
    workstream: 'testing',
    due_days: 15,
    depends_on: ['ack_997_received', 'master_data'],
    partner_status: 'active',
  },
];

const OnboardingConfig = z
  .strictObject({
    list_id: z.string().min(1).describe('ClickUp list onboarding groups are created in'),
    fields: z
      .strictObject({
        partner: z.string().default('Partner'),
        partner_id: z.string().default('TG partner id'),
        workstream: z.string().optional().default('Workstream'),
        key: z
          .string()
          .default('Gridbridge key')
          .describe('short text field holding our key, to find a task after a crash'),
      })
      .prefault({}),
    groups: z.record(z.string(), OnboardingGroup).default({ standard: { steps: DEFAULT_ONBOARDING_STEPS } as never }),
    select: z
      .strictObject({
        by_trigger: z.partialRecord(z.enum(['trading_partner', 'compliance_requirement']), z.string()).default({}),
        by_tier: z.partialRecord(z.enum(PARTNER_TIERS), z.string()).default({}),
        default: z.string().default('standard'),
      })
      .prefault({}),
    /** Partner status set when the group is created (partners still `invited`). */
    initial_partner_status: z.enum(ONBOARDING_PARTNER_STATUSES).nullable().default('registering'),
  })
  .superRefine((o, ctx) => {
    const names = [o.select.default, ...Object.values(o.select.by_trigger), ...Object.values(o.select.by_tier)];
    for (const n of names)
      if (n && !o.groups[n])
        ctx.addIssue({
          code: 'custom',
          path: ['select'],
          message: `group "${n}" is not defined under groups (defined: ${Object.keys(o.groups).join(', ')})`,
        });
  });

const DEFAULT_ROLLOUT_PLAN = [
  { key: 'training', name: 'Training', checklist: ['Training material', 'Sessions held'], due_days: 10 },
  {
    key: 'documentation',
    name: 'Documentation updates',
    checklist: ['Partner guide', 'Internal runbook'],
    due_days: 10,
  },
  { key: 'testing', name: 'Testing', checklist: ['Test plan', 'Partner test window'], due_days: 15 },
  { key: 'go_live', name: 'Go-live readiness', due_days: 20, depends_on: ['training', 'documentation', 'testing'] },
];

const RolloutsConfig = z
  .strictObject({
    list_id: z.string().min(1).describe('ClickUp list of rollout tasks'),
    /** A task in the list carrying this tag starts a rollout. */
    marker_tag: z.string().default('rollout'),
    fields: z
      .strictObject({
        key: z.string().default('Gridbridge key'),
        change_id: z.string().default('TG change id').describe('holds the Trading Grid notice id'),
        acknowledged: z.string().default('Acknowledgements').describe('number: partners that acknowledged'),
        affected: z.string().default('Partners affected').describe('number: partners the notice reached'),
        percent: z.string().optional().describe('number: percent acknowledged'),
        audience: z
          .string()
          .optional()
          .describe('short text on the marker task: all | tier:strategic,preferred | P-1,P-2'),
      })
      .prefault({}),
    default_audience: z.string().default('all'),
    plan: z
      .array(GroupStep)
      .min(1)
      .superRefine(checkSteps)
      .default(DEFAULT_ROLLOUT_PLAN as never),
    /** The step that stays blocked until the acknowledgement threshold and the other steps are done. */
    gate_step: z.string().default('go_live'),
    ack_threshold_pct: z.number().min(0).max(100).default(80),
    effective_in_days: z.number().nonnegative().default(30),
    /** Status the rollout task moves to when the gate opens. */
    ready_status: z.string().nullable().default('go-live ready'),
    scan_cron: z.string().default('* * * * *').describe('how often the list is scanned for new marker tasks'),
    reminder_cron: z
      .string()
      .default('0 9 * * 1-5')
      .describe('when reminders go to partners that have not acknowledged'),
    reminder_min_hours: z
      .number()
      .nonnegative()
      .default(20)
      .describe('no second reminder to a partner within this many hours'),
    max_reminders: z.number().int().min(0).default(5),
  })
  .superRefine((o, ctx) => {
    if (!o.plan.some((s) => s.key === o.gate_step))
      ctx.addIssue({ code: 'custom', path: ['gate_step'], message: `"${o.gate_step}" is not the key of a plan step` });
  });

export const FlowsConfig = z.strictObject({
  approvals: ApprovalsConfig.optional(),
  onboarding: OnboardingConfig.optional(),
  rollouts: RolloutsConfig.optional(),
});

export type FlowsConfig = z.infer<typeof FlowsConfig>;
export type ApprovalsConfig = z.infer<typeof ApprovalsConfig>;
export type OnboardingConfig = z.infer<typeof OnboardingConfig>;
export type RolloutsConfig = z.infer<typeof RolloutsConfig>;
