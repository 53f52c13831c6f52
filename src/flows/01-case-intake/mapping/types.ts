/** Field mappings between a Trading Grid case and a ClickUp task. Pure types and constants. */

/** Case fields a mapping can name on the Trading Grid side. */
export const TG_FIELDS = [
  'status',
  'partner',
  'partner_id',
  'tier',
  'kind',
  'title',
  'description',
  'transaction_ref',
  'case_id',
  'value',
  'currency',
  'sla_due',
  'opened_at',
] as const;
export type TgField = (typeof TG_FIELDS)[number];

/**
 * What the bridge can write on the Trading Grid side: the status (`POST /cases/{id}/status`) and the case
 * fields of `POST /cases/{id}/fields` (title, description, kind, value: the amount, in the case's currency).
 */
export const TG_WRITABLE_FIELDS = [
  'status',
  'title',
  'description',
  'kind',
  'value',
] as const satisfies readonly TgField[];
export type TgWritableField = (typeof TG_WRITABLE_FIELDS)[number];

/** Why a Trading Grid field cannot be written by the bridge (the contract has no write for it). */
export const TG_READ_ONLY_REASON: Partial<Record<TgField, string>> = {
  partner: 'the partner is who raised the case, not a field of it',
  partner_id: 'the partner is who raised the case, not a field of it',
  tier: "the tier is the partner's, not the case's",
  transaction_ref: 'the transaction reference points into EDI traffic the partner sent',
  case_id: "the case id is Trading Grid's",
  currency: "the currency goes with the value: map value, whose amount is written in the case's currency",
  sla_due: 'the SLA due date is computed by the bridge, Trading Grid has no such field',
  opened_at: 'the opening instant is when the partner raised the case',
};

/** Value kind of each Trading Grid field: decides which ClickUp field types it fits without a value map. */
export const TG_FIELD_KIND: Record<TgField, 'text' | 'number' | 'date'> = {
  status: 'text',
  partner: 'text',
  partner_id: 'text',
  tier: 'text',
  kind: 'text',
  title: 'text',
  description: 'text',
  transaction_ref: 'text',
  case_id: 'text',
  value: 'number',
  currency: 'text',
  sla_due: 'date',
  opened_at: 'date',
};

/**
 * Standard ClickUp task fields a mapping can target (set when the task is created; status both ways). `name`
 * carries the case's title (after the bridge's "[partner] Kind: " prefix) and `description` the partner's text
 * (the part above the table the bridge writes): mapped `both` / `to_tradinggrid`, a person's edit of them in
 * ClickUp goes to the partner.
 */
export const CLICKUP_STANDARD_FIELDS = ['status', 'priority', 'due_date', 'name', 'description'] as const;
export type ClickUpStandardField = (typeof CLICKUP_STANDARD_FIELDS)[number];

export const MAPPING_DIRECTIONS = ['to_clickup', 'to_tradinggrid', 'both', 'none'] as const;
export type MappingDirection = (typeof MAPPING_DIRECTIONS)[number];

export type ClickUpTarget = ClickUpStandardField | { custom_field: string };
export type Scalar = string | number | boolean;
export type Unmapped = 'skip' | 'error' | { value: Scalar };

export interface ValueMapEntry {
  tradinggrid: Scalar | Scalar[];
  clickup: Scalar | Scalar[];
}

export interface FieldMapping {
  name?: string;
  tradinggrid: TgField;
  clickup: ClickUpTarget;
  direction: MappingDirection;
  owner: 'clickup' | 'tradinggrid';
  values?: ValueMapEntry[];
  unmapped_to_clickup: Unmapped;
  unmapped_to_tradinggrid: Unmapped;
  /** Where it came from: `mapping.fields`, the status shorthand, or `clickup.fields`. */
  origin?: 'mapping' | 'shorthand' | 'fields';
}

/** A ClickUp custom field as the list defines it (the slice the mapping needs). */
export interface FieldDefinition {
  id: string;
  name: string;
  type: string;
  options?: ReadonlyArray<{
    id: string;
    name?: string | null;
    label?: string | null;
    orderindex?: number | string | null;
  }>;
}

/** A value as the mapping sees it: text, number, boolean, ms epoch, or several option names (labels). */
export type LogicalValue = string | number | boolean | string[] | null;

export function mappingLabel(m: FieldMapping): string {
  return m.name ?? `${m.tradinggrid} ↔ ${typeof m.clickup === 'string' ? m.clickup : `"${m.clickup.custom_field}"`}`;
}

export function targetLabel(t: ClickUpTarget): string {
  return typeof t === 'string' ? t : `custom field "${t.custom_field}"`;
}
