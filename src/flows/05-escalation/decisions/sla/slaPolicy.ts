import { z } from 'zod';
import { PARTNER_STATUSES, PARTNER_TIERS } from '../../../../core/case.ts';
import { isRuleKind, RULE_KINDS } from '../routing/caseKinds.ts';
import { routeToSchema } from '../routing/routingRules.ts';

const share = z.number().positive({ message: 'a share of the resolution SLA must be > 0 (0.75 = 75 %)' });

/** One rung of the escalation ladder: reached at a share of the resolution SLA or after a number of running business hours. */
export const escalationLevelSchema = z
  .strictObject({
    after: share.optional(),
    after_hours: z.number().positive().optional(),
    /** Overrides the routing table for this level (e.g. level 2 goes to the head of operations). */
    route_to: routeToSchema.optional(),
    /** Also set the partner-visible case status to `escalated`. */
    set_partner_status: z.boolean().default(false),
    /** ClickUp priority of the escalation task: 1 urgent, 2 high. */
    priority: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).default(2),
    /** The escalation task's own resolution SLA in business hours (its due date). */
    resolution_hours: z.number().positive().optional(),
  })
  .refine((l) => (l.after === undefined) !== (l.after_hours === undefined), {
    message:
      'an escalation level needs exactly one of `after` (share of the resolution SLA, 1.0 = at breach) or `after_hours` (running business hours)',
  });
export type EscalationLevel = z.infer<typeof escalationLevelSchema>;

const policyFields = {
  response_hours: z.number().positive(),
  resolution_hours: z.number().positive(),
  /** Shares of the resolution SLA at which the assignee is reminded, once each. */
  reminder_at: z.array(z.number().gt(0).lte(1, { message: 'reminders are before or at the breach: 0 < share ≤ 1' })),
  /** Share from which the state is `at_risk`. */
  at_risk_at: z.number().gt(0).lte(1),
  escalation_levels: z.array(escalationLevelSchema),
};

export const slaPolicySchema = z.strictObject({
  response_hours: policyFields.response_hours,
  resolution_hours: policyFields.resolution_hours,
  reminder_at: policyFields.reminder_at.default([0.75]),
  at_risk_at: policyFields.at_risk_at.default(0.75),
  escalation_levels: policyFields.escalation_levels.default([{ after: 1, set_partner_status: false, priority: 2 }]),
});
/** A resolved policy: every field present. */
export type SlaPolicy = z.infer<typeof slaPolicySchema>;

/** An override: `kind` and/or `tier` select it; unset fields inherit from `default`. */
export const slaPolicyOverrideSchema = z
  .strictObject({
    kind: z
      .string()
      .refine(isRuleKind, { message: `unknown kind; expected a case kind or EDI exception: ${RULE_KINDS.join(', ')}` })
      .optional(),
    tier: z.enum(PARTNER_TIERS, { message: `unknown tier; expected one of: ${PARTNER_TIERS.join(', ')}` }).optional(),
    response_hours: policyFields.response_hours.optional(),
    resolution_hours: policyFields.resolution_hours.optional(),
    reminder_at: policyFields.reminder_at.optional(),
    at_risk_at: policyFields.at_risk_at.optional(),
    escalation_levels: policyFields.escalation_levels.optional(),
  })
  .refine((p) => p.kind !== undefined || p.tier !== undefined, {
    message: 'a policy override needs `kind` and/or `tier`; put catch-all values in `default`',
  });
export type SlaPolicyOverride = z.infer<typeof slaPolicyOverrideSchema>;

export const slaConfigSchema = z
  .strictObject({
    default: slaPolicySchema,
    policies: z.array(slaPolicyOverrideSchema).default([]),
    /** Partner statuses during which the clock stands still (waiting on the partner). */
    pause_statuses: z.array(z.enum(PARTNER_STATUSES)).default(['awaiting_documents']),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Map<string, number>();
    cfg.policies.forEach((p, i) => {
      const key = `${p.kind ?? '*'}/${p.tier ?? '*'}`;
      const prev = seen.get(key);
      if (prev !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['policies', i],
          message: `duplicate policy for kind=${p.kind ?? 'any'} tier=${p.tier ?? 'any'} (also policies[${prev}])`,
        });
      }
      seen.set(key, i);
    });
    if (cfg.pause_statuses.includes('resolved')) {
      ctx.addIssue({
        code: 'custom',
        path: ['pause_statuses'],
        message: '`resolved` stops the clock already; it cannot be a pause status',
      });
    }
    // Every effective policy (override merged over default) must be consistent on its own.
    const check = (policy: SlaPolicy, path: (string | number)[]) => {
      const sorted = [...policy.reminder_at].sort((a, b) => a - b);
      if (sorted.some((v, i) => i > 0 && v === sorted[i - 1])) {
        ctx.addIssue({ code: 'custom', path: [...path, 'reminder_at'], message: 'reminder_at lists a share twice' });
      }
      let prevShare = 0;
      policy.escalation_levels.forEach((l, i) => {
        const s = levelShare(l, policy);
        if (s <= prevShare) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'escalation_levels', i],
            message: `escalation levels must climb: level ${i + 1} is reached at ${fmtShare(s)} of the resolution SLA, not after level ${i} (${fmtShare(prevShare)})`,
          });
        }
        prevShare = s;
      });
    };
    check(cfg.default, ['default']);
    cfg.policies.forEach((p, i) => check(mergePolicy(cfg.default, p), ['policies', i]));
  });
export type SlaConfigInput = z.input<typeof slaConfigSchema>;
export type SlaConfig = z.output<typeof slaConfigSchema>;

/** The share of the resolution SLA at which a level is reached (after_hours converted). */
export function levelShare(level: EscalationLevel, policy: Pick<SlaPolicy, 'resolution_hours'>): number {
  return level.after ?? level.after_hours! / policy.resolution_hours;
}

function fmtShare(s: number): string {
  return `${Math.round(s * 1000) / 10} %`;
}

function mergePolicy(base: SlaPolicy, o: SlaPolicyOverride): SlaPolicy {
  return {
    response_hours: o.response_hours ?? base.response_hours,
    resolution_hours: o.resolution_hours ?? base.resolution_hours,
    reminder_at: o.reminder_at ?? base.reminder_at,
    at_risk_at: o.at_risk_at ?? base.at_risk_at,
    escalation_levels: o.escalation_levels ?? base.escalation_levels,
  };
}

/** What selects a policy. EDI-derived cases carry their exception (e.g. `fa_overdue`), which is more specific than the kind. */
export interface SlaSubject {
  kind: string;
  exception?: string | null;
  tier?: string | null;
}

export interface PolicyChoice {
  policy: SlaPolicy;
  /** Which entry was used: `policies[3]` or `default`, and why, for the console. */
  source: string;
}

/**
 * Policy lookup, most specific first: exception+tier → exception → kind+tier → kind → tier → default.
 * The chosen override is merged over `default`, so an override only lists what differs.
 */
export function selectSlaPolicy(subject: SlaSubject, config: SlaConfig): PolicyChoice {
  const kinds = [subject.exception, subject.kind].filter((k): k is string => !!k);
  const tier = subject.tier ?? undefined;
  const find = (kind: string | undefined, t: string | undefined) =>
    config.policies.findIndex((p) => p.kind === kind && p.tier === t);
  const attempts: Array<[string | undefined, string | undefined]> = [];
  for (const k of kinds) {
    if (tier) attempts.push([k, tier]);
    attempts.push([k, undefined]);
  }
  if (tier) attempts.push([undefined, tier]);
  for (const [k, t] of attempts) {
    const i = find(k, t);
    if (i >= 0)
      return {
        policy: mergePolicy(config.default, config.policies[i]!),
        source: `policies[${i}] (kind=${k ?? 'any'}, tier=${t ?? 'any'})`,
      };
  }
  return { policy: config.default, source: 'default' };
}
