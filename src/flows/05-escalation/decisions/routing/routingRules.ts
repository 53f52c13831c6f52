import { z } from 'zod';
import { PARTNER_TIERS } from '../../../../core/case.ts';
import { isRuleKind, RULE_KINDS } from './caseKinds.ts';

/** Where an escalation goes: a manager (required), optionally a ClickUp list and extra assignees. */
export const routeToSchema = z.strictObject({
  manager: z.email({ message: 'route_to.manager must be an e-mail address (the ClickUp user to assign)' }),
  list_id: z.string().min(1).optional(),
  assignees: z.array(z.string().min(1)).optional(),
});
export type RouteTo = z.infer<typeof routeToSchema>;

const kindName = z.string().refine(isRuleKind, { message: `unknown kind; expected one of: ${RULE_KINDS.join(', ')}` });
const nonEmpty = <T extends z.ZodType>(item: T, what: string) =>
  z.array(item).min(1, { message: `${what}: list at least one value, or leave the key out to match any` });

export const routingMatchSchema = z
  .strictObject({
    kind: nonEmpty(kindName, 'kind').optional(),
    tier: nonEmpty(
      z.enum(PARTNER_TIERS, { message: `unknown tier; expected one of: ${PARTNER_TIERS.join(', ')}` }),
      'tier',
    ).optional(),
    category: nonEmpty(z.string().min(1), 'category').optional(),
    /** Inclusive lower bound of the transaction value. */
    value_min: z.number().min(0).optional(),
    /** Exclusive upper bound, so adjacent ranges [0, 10000) [10000, …) do not overlap. */
    value_max: z.number().positive().optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, { message: "currency must be an ISO 4217 code in capitals, e.g. 'EUR'" })
      .optional(),
  })
  .superRefine((m, ctx) => {
    if (m.value_min !== undefined && m.value_max !== undefined && m.value_min >= m.value_max) {
      ctx.addIssue({
        code: 'custom',
        path: ['value_max'],
        message: `value_max (${m.value_max}) must be greater than value_min (${m.value_min}); value_max is exclusive`,
      });
    }
    if ((m.value_min !== undefined || m.value_max !== undefined) && m.currency === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['currency'],
        message: 'a value range needs its currency (amounts in different currencies are not comparable)',
      });
    }
  });
export type RoutingMatch = z.infer<typeof routingMatchSchema>;

export const routingRuleSchema = z.strictObject({
  /** Optional label shown in explanations. */
  name: z.string().min(1).optional(),
  /** Empty or absent: matches every case (the default rule, which must be last). */
  match: routingMatchSchema.default({}),
  route_to: routeToSchema,
});
export type RoutingRule = z.infer<typeof routingRuleSchema>;

export function isCatchAll(m: RoutingMatch): boolean {
  return Object.values(m).every((v) => v === undefined);
}

/**
 * Escalation routing table: first match wins; the last rule must match everything (the default).
 * Overlapping rules are allowed (order decides); a catch-all before the end is an error because
 * the rules after it could never match.
 */
export const routingRulesSchema = z
  .array(routingRuleSchema)
  .min(1, { message: 'routing needs at least a default rule (a rule with no match, listed last)' })
  .superRefine((rules, ctx) => {
    const last = rules.length - 1;
    rules.forEach((r, i) => {
      if (i < last && isCatchAll(r.match)) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'match'],
          message: `rule ${i} matches every case, so rules ${i + 1}..${last} can never match; move it to the end as the default`,
        });
      }
    });
    if (rules.length > 0 && !isCatchAll(rules[last]!.match)) {
      ctx.addIssue({
        code: 'custom',
        path: [last],
        message: 'the last routing rule must be the default: no `match` (or `match: {}`), so every case has a manager',
      });
    }
  });
export type RoutingRules = z.infer<typeof routingRulesSchema>;
