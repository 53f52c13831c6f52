/** Field mappings between a Trading Grid case and a ClickUp task. Pure types and constants. */

/** Case fields a mapping can name on the Trading Grid side. */
export const TG_FIELDS = [
  'status',
  'partner',
  'partner_id',
  'tier',
  'kind',
  'title',
  'transaction_ref',
  'case_id',
  'value',
  'currency',
  'sla_due',
  'opened_at',
] as const;
export type TgField = (typeof TG_FIELDS)[number];

/** What the bridge can write on the Trading Grid side. */
export const TG_WRITABLE_FIELDS = ['status'] as const satisfies readonly TgField[];

/** Value kind of each Trading Grid field: decides which ClickUp field types it fits without a value map. */
export const TG_FIELD_KIND: Record<TgField, 'text' | 'number' | 'date'> = {
  status: 'text',
  partner: 'text',
  partner_id: 'text',
  tier: 'text',
  kind: 'text',
  title: 'text',
  transaction_ref: 'text',
  case_id: 'text',
  value: 'number',
  currency: 'text',
  sla_due: 'date',
  opened_at: 'date',
};

/** Standard ClickUp task fields a mapping can target (set when the task is created; status both ways). */
export const CLICKUP_STANDARD_FIELDS = ['status', 'priority', 'due_date'] as const;
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
