import type { CaseKind, PartnerTier } from '../../../core/case.ts';
import type { FieldDefinition } from './types.ts';
import { fromClickUpFieldValue } from './customFieldValue.ts';

/** Which cases sync at all: partner, tier, kind, value. Absent keys match anything. */
export interface CaseFilter {
  partners?: readonly string[];
  exclude_partners?: readonly string[];
  tiers?: readonly PartnerTier[];
  kinds?: readonly CaseKind[];
  value_min?: number;
  value_max?: number;
  require_value?: boolean;
}

export interface CaseFacts {
  partnerId: string;
  tier: PartnerTier | null;
  kind: CaseKind;
  value: number | null;
}

/** Whether a case syncs, and why not (for the audit log). */
export function caseFilterVerdict(
  f: CaseFilter | undefined,
  c: CaseFacts,
): { sync: true } | { sync: false; reason: string } {
  if (!f) return { sync: true };
  if (f.partners && !f.partners.includes(c.partnerId))
    return { sync: false, reason: `partner ${c.partnerId} is not in mapping.filters.cases.partners` };
  if (f.exclude_partners?.includes(c.partnerId))
    return { sync: false, reason: `partner ${c.partnerId} is in mapping.filters.cases.exclude_partners` };
  if (f.tiers && (c.tier === null || !f.tiers.includes(c.tier)))
    return { sync: false, reason: `partner tier ${c.tier ?? 'unknown'} is not in mapping.filters.cases.tiers` };
  if (f.kinds && !f.kinds.includes(c.kind))
    return { sync: false, reason: `kind ${c.kind} is not in mapping.filters.cases.kinds` };
  if (c.value === null)
    return f.require_value
      ? { sync: false, reason: 'the case has no value and mapping.filters.cases.require_value is set' }
      : { sync: true };
  if (f.value_min !== undefined && c.value < f.value_min)
    return { sync: false, reason: `value ${c.value} is below mapping.filters.cases.value_min ${f.value_min}` };
  if (f.value_max !== undefined && c.value > f.value_max)
    return { sync: false, reason: `value ${c.value} is above mapping.filters.cases.value_max ${f.value_max}` };
  return { sync: true };
}

/** Which ClickUp tasks may create partner-visible updates: list, tag, custom field value. */
export interface ClickUpUpdateFilter {
  lists?: readonly string[];
  tags?: readonly string[];
  custom_field?: { name: string; equals: unknown };
}

export interface TaskFacts {
  listId: string;
  tags: readonly string[];
  /** The filter field's definition and stored value, when the task has the field. */
  field?: { definition: FieldDefinition; stored: unknown };
}

/**
 * Whether a task's changes may reach the partner. A task that stops matching is only no longer synced:
 * the caller must not read "does not match" as closed or deleted.
 */
export function taskFilterVerdict(
  f: ClickUpUpdateFilter | undefined,
  t: TaskFacts,
): { sync: true } | { sync: false; reason: string } {
  if (!f) return { sync: true };
  if (f.lists && !f.lists.includes(t.listId))
    return { sync: false, reason: `task is in list ${t.listId}, not in mapping.filters.clickup_updates.lists` };
  const norm = (s: string) => s.trim().toLowerCase();
  if (f.tags && !t.tags.some((x) => f.tags!.map(norm).includes(norm(x))))
    return { sync: false, reason: `task has none of the tags ${f.tags.join(', ')}` };
  if (f.custom_field) {
    if (!t.field) return { sync: false, reason: `task has no custom field "${f.custom_field.name}"` };
    const v = fromClickUpFieldValue(t.field.definition, t.field.stored);
    if (!v.ok) return { sync: false, reason: v.reason };
    const want = [f.custom_field.equals].flat().map((x) => norm(String(x)));
    const have = [v.value]
      .flat()
      .filter((x) => x !== null)
      .map((x) => norm(String(x)));
    if (!have.some((x) => want.includes(x)))
      return {
        sync: false,
        reason: `custom field "${f.custom_field.name}" is ${have.join(', ') || 'empty'}, not ${want.join(' or ')}`,
      };
  }
  return { sync: true };
}
