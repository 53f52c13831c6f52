import { z } from 'zod';
import { CASE_KINDS, PARTNER_STATUSES, PARTNER_TIERS } from '../core/case.ts';
import {
  CLICKUP_STANDARD_FIELDS,
  MAPPING_DIRECTIONS,
  TG_FIELDS,
  TG_READ_ONLY_REASON,
  TG_WRITABLE_FIELDS,
  type ClickUpTarget,
  type FieldMapping,
} from '../flows/01-case-intake/mapping/types.ts';

/**
 * What syncs, in which direction and how values translate — configuration, checked before it
 * runs. `clickup.status_map` / `status_to_clickup` / `sync.status` stay valid: they are the shorthand of
 * the status mapping and expand into it (`effectiveFieldMappings`).
 */

const OneOrMany = z.union([z.string().min(1), z.number(), z.boolean()]);
const Values = z.union([OneOrMany, z.array(OneOrMany).min(1)]);

/** One value-map entry: the values on each side that stand for each other. The first value on a side is the way back to it. */
const ValueMapEntry = z.strictObject({
  tradinggrid: Values.describe('Trading Grid value(s); several group into one ClickUp value'),
  clickup: Values.describe(
    'ClickUp value(s) — option or status names; several ("QA", "Review") group into one partner value',
  ),
});

const ClickUpTargetSchema = z.union(
  [
    z.enum(CLICKUP_STANDARD_FIELDS).describe('a standard ClickUp task field'),
    z.strictObject({ custom_field: z.string().min(1).describe('custom field name, as on the list') }),
  ],
  { error: `clickup must be one of ${CLICKUP_STANDARD_FIELDS.join(', ')} or {custom_field: NAME}` },
);

const Unmapped = z
  .union([z.literal('skip'), z.literal('error'), z.strictObject({ value: OneOrMany })])
  .describe('what an unmapped value becomes: skip (not written, audited), error (dead letter), or {value: X}');

export const FieldMappingSchema = z
  .strictObject({
    name: z.string().min(1).optional().describe('label shown in tables and errors (default: the field names)'),
    tradinggrid: z.enum(TG_FIELDS),
    clickup: ClickUpTargetSchema,
    direction: z.enum(MAPPING_DIRECTIONS).default('to_clickup'),
    /** Which side wins when both changed since they last agreed (two-way mappings). */
    owner: z.enum(['clickup', 'tradinggrid']).default('clickup'),
    values: z
      .array(ValueMapEntry)
      .optional()
      .describe('value map; absent: values are copied as they are (coerced to the field type)'),
    unmapped_to_clickup: Unmapped.default('skip'),
    unmapped_to_tradinggrid: Unmapped.default('skip'),
  })
  .superRefine((m, ctx) => {
    const toTg = m.direction === 'both' || m.direction === 'to_tradinggrid';
    if (toTg && !(TG_WRITABLE_FIELDS as readonly string[]).includes(m.tradinggrid)) {
      const why = TG_READ_ONLY_REASON[m.tradinggrid];
      ctx.addIssue({
        code: 'custom',
        path: ['direction'],
        message: `Trading Grid field "${m.tradinggrid}" cannot be written by the bridge${why ? ` (${why})` : ''}: the contract writes only ${TG_WRITABLE_FIELDS.join(', ')}; use direction to_clickup or none`,
      });
    } else if (toTg && (m.clickup === 'priority' || m.clickup === 'due_date')) {
      ctx.addIssue({
        code: 'custom',
        path: ['direction'],
        message: `the task's ${m.clickup} is set by the bridge (the SLA and priority decisions) and not read back: map a custom field to send edits to Trading Grid, or use direction to_clickup`,
      });
    }
    if (m.clickup === 'name' && m.tradinggrid !== 'title')
      ctx.addIssue({
        code: 'custom',
        path: ['clickup'],
        message: `the task's name carries the case title (tradinggrid: title ↔ clickup: name), not "${m.tradinggrid}"`,
      });
    if (m.clickup === 'description' && m.tradinggrid !== 'description')
      ctx.addIssue({
        code: 'custom',
        path: ['clickup'],
        message: `the task's description carries the case description (tradinggrid: description ↔ clickup: description), not "${m.tradinggrid}"`,
      });
    if ((m.tradinggrid === 'status') !== (m.clickup === 'status')) {
      ctx.addIssue({
        code: 'custom',
        path: ['clickup'],
        message:
          'the partner status maps to the ClickUp status (tradinggrid: status ↔ clickup: status); other pairings are not supported yet',
      });
    }
    if (m.tradinggrid === 'status') {
      (m.values ?? []).forEach((e, i) => {
        for (const v of [e.tradinggrid].flat()) {
          if (!(PARTNER_STATUSES as readonly unknown[]).includes(v))
            ctx.addIssue({
              code: 'custom',
              path: ['values', i, 'tradinggrid'],
              message: `"${String(v)}" is not a partner status (${PARTNER_STATUSES.join(', ')})`,
            });
        }
      });
    }
  });

const CaseFilter = z.strictObject({
  partners: z.array(z.string().min(1)).min(1).optional().describe('only these partner ids'),
  exclude_partners: z.array(z.string().min(1)).optional(),
  tiers: z.array(z.enum(PARTNER_TIERS)).min(1).optional(),
  kinds: z.array(z.enum(CASE_KINDS)).min(1).optional(),
  /** Inclusive bounds on the transaction value (any currency); a case without a value passes unless `require_value`. */
  value_min: z.number().min(0).optional(),
  value_max: z.number().positive().optional(),
  require_value: z.boolean().default(false),
});

const ClickUpUpdateFilter = z.strictObject({
  lists: z.array(z.string().min(1)).min(1).optional().describe('task must be in one of these list ids'),
  tags: z.array(z.string().min(1)).min(1).optional().describe('task must carry at least one of these tags'),
  custom_field: z
    .strictObject({ name: z.string().min(1), equals: Values })
    .optional()
    .describe('task custom field must hold one of these values (option names for drop-downs)'),
});

const UserRef = z.union([z.email(), z.number().int().positive(), z.string().regex(/^\d+$/)]);

const UsersConfig = z.strictObject({
  /** Explicit overrides: a name or e-mail used in the config or by a partner → ClickUp member e-mail or user id. */
  overrides: z.record(z.string().min(1), UserRef).default({}),
  /** Partner contact e-mail (Trading Grid) → ClickUp member (e-mail or id) who speaks for them internally. */
  partner_contacts: z.record(z.string().min(1), UserRef).default({}),
});

const AssignRule = z.strictObject({
  match: z
    .strictObject({
      partners: z.array(z.string().min(1)).min(1).optional(),
      tiers: z.array(z.enum(PARTNER_TIERS)).min(1).optional(),
      kinds: z.array(z.enum(CASE_KINDS)).min(1).optional(),
    })
    .default({}),
  users: z.array(z.string().min(1)).min(1).describe('e-mails, override names or ClickUp user ids'),
});

export const MappingSection = z.strictObject({
  fields: z.array(FieldMappingSchema).default([]),
  users: UsersConfig.prefault({}),
  /** Assignees of new case tasks: first matching rule wins; names resolve through `users`. */
  assign: z.array(AssignRule).default([]),
  filters: z
    .strictObject({
      cases: CaseFilter.optional().describe('which Trading Grid cases sync at all'),
      clickup_updates: ClickUpUpdateFilter.optional().describe(
        'which ClickUp tasks may create partner-visible updates',
      ),
    })
    .prefault({}),
  integration_user: z
    .strictObject({
      /** Skip webhook history items made by the token's own user (read at start-up with GET /v2/user). */
      ignore_own_changes: z.boolean().default(true),
      /**
       * E-mail of the dedicated ClickUp user whose token clickup.token is. Every change the token's user makes
       * is skipped as the bridge's own: declaring the user lets doctor and start-up check it is not a person.
       */
      email: z.email().optional(),
    })
    .prefault({}),
  /** How long ClickUp field definitions are trusted before a write re-reads them (an option renamed meanwhile is caught). */
  field_definitions_ttl_seconds: z.number().int().min(0).default(300),
});
export type MappingSection = z.infer<typeof MappingSection>;

type Cfg = {
  clickup: {
    status_map: Record<string, string>;
    status_to_clickup: Partial<Record<string, string>>;
    fields: Record<string, string | undefined>;
  };
  sync: { status: { owner: 'clickup' | 'tradinggrid'; direction: FieldMapping['direction'] } };
  mapping: MappingSection;
};

/** The status mapping the old keys stand for: ClickUp statuses grouped per partner status, the way back first. */
export function statusMappingFromShorthand(c: Cfg): FieldMapping {
  const groups = new Map<string, string[]>();
  for (const [cu, tg] of Object.entries(c.clickup.status_map)) groups.set(tg, [...(groups.get(tg) ?? []), cu]);
  for (const [tg, back] of Object.entries(c.clickup.status_to_clickup)) {
    if (!back) continue;
    const rest = (groups.get(tg) ?? []).filter((x) => x.trim().toLowerCase() !== back.trim().toLowerCase());
    groups.set(tg, [back, ...rest]);
  }
  return {
    name: 'status',
    tradinggrid: 'status',
    clickup: 'status',
    direction: c.sync.status.direction,
    owner: c.sync.status.owner,
    values: [...groups].map(([tg, cus]) => ({ tradinggrid: tg, clickup: cus })),
    unmapped_to_clickup: 'skip',
    unmapped_to_tradinggrid: 'skip',
    origin: 'shorthand',
  };
}

const LOGICAL_TG: Record<string, FieldMapping['tradinggrid']> = {
  partner: 'partner',
  issue_type: 'kind',
  transaction_ref: 'transaction_ref',
  tg_case_id: 'case_id',
  value: 'value',
};

/**
 * Every mapping in force: the explicit `mapping.fields`, the status shorthand when no explicit status
 * mapping is given, and the logical fields of `clickup.fields` that no explicit mapping replaces.
 */
export function effectiveFieldMappings(c: Cfg): FieldMapping[] {
  const explicit: FieldMapping[] = c.mapping.fields.map((m) => ({ ...m, origin: 'mapping' as const }));
  const out = [...explicit];
  if (!explicit.some((m) => m.tradinggrid === 'status')) out.unshift(statusMappingFromShorthand(c));
  const targeted = new Set(explicit.map((m) => targetKey(m.clickup)));
  for (const [logical, name] of Object.entries(c.clickup.fields)) {
    if (!name || targeted.has(targetKey({ custom_field: name }))) continue;
    out.push({
      name: `clickup.fields.${logical}`,
      tradinggrid: LOGICAL_TG[logical] ?? 'case_id',
      clickup: { custom_field: name },
      direction: 'to_clickup',
      owner: 'tradinggrid',
      unmapped_to_clickup: 'skip',
      unmapped_to_tradinggrid: 'skip',
      origin: 'fields',
    });
  }
  return out;
}

export function targetKey(t: ClickUpTarget): string {
  return typeof t === 'string' ? `std:${t}` : `cf:${t.custom_field.trim().toLowerCase()}`;
}

/**
 * The old status keys follow an explicit status mapping, so the code that reads them (flows 2 and 3)
 * applies it unchanged. Called once after the config is parsed.
 */
export function applyStatusMapping<T extends Cfg>(c: T): T {
  const m = c.mapping.fields.find((x) => x.tradinggrid === 'status');
  if (!m) return c;
  const statusMap: Record<string, string> = {};
  const back: Record<string, string> = {};
  for (const e of m.values ?? []) {
    const tgs = [e.tradinggrid].flat().map(String);
    const cus = [e.clickup].flat().map(String);
    for (const cu of cus) if (!(cu in statusMap)) statusMap[cu] = tgs[0]!;
    for (const tg of tgs) if (!(tg in back)) back[tg] = cus[0]!;
  }
  return {
    ...c,
    clickup: { ...c.clickup, status_map: statusMap, status_to_clickup: back },
    sync: { ...c.sync, status: { owner: m.owner, direction: m.direction } },
  };
}
