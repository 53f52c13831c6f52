import type { CaseRecord } from '../../../core/case.ts';
import type { Priority } from '../../../core/taskDraft.ts';
import { toClickUpFieldValue } from './customFieldValue.ts';
import { tradingGridFieldValue } from './caseValues.ts';
import { toClickUpValue } from './values.ts';
import { mappingLabel, type FieldDefinition, type FieldMapping } from './types.ts';

export const PRIORITY_NAMES: Record<string, Priority> = { urgent: 1, high: 2, normal: 3, low: 4 };

export interface TaskFieldPlan {
  customFields: Array<{ id: string; value: string | number | boolean | string[]; field: string; mapping: string }>;
  priority?: Priority;
  dueAt?: number;
  /** Values not written (unmapped with rule `skip`): reported in the audit log. */
  skipped: string[];
  /** A value that must not be written (unknown option, type mismatch, rule `error`): the whole create stops. */
  errors: string[];
}

const toClickUp = (m: FieldMapping) => m.direction === 'to_clickup' || m.direction === 'both';

/**
 * What the explicit mappings write on a new task, from the case record and the list's current field
 * definitions. Status is not here (ClickUp gives a new task its first status; flow 2 takes it from there).
 */
export function planTaskFields(
  mappings: readonly FieldMapping[],
  c: CaseRecord,
  definitions: readonly FieldDefinition[],
): TaskFieldPlan {
  const plan: TaskFieldPlan = { customFields: [], skipped: [], errors: [] };
  for (const m of mappings) {
    // The task's name and description are written from the case by the intake's task draft.
    if (!toClickUp(m) || m.clickup === 'status' || m.clickup === 'name' || m.clickup === 'description') continue;
    const label = mappingLabel(m);
    const raw = tradingGridFieldValue(c, m.tradinggrid);
    if (raw === null && !m.values) continue;
    const t = toClickUpValue(m, raw);
    if (t.kind === 'skip') {
      if (raw !== null) plan.skipped.push(t.reason);
      continue;
    }
    if (t.kind === 'error') {
      plan.errors.push(t.reason);
      continue;
    }
    if (m.clickup === 'priority') {
      const p = typeof t.value === 'number' ? t.value : PRIORITY_NAMES[String(t.value).trim().toLowerCase()];
      if (p === 1 || p === 2 || p === 3 || p === 4) plan.priority = p;
      else plan.errors.push(`${label}: "${String(t.value)}" is not a ClickUp priority (urgent, high, normal, low)`);
      continue;
    }
    if (m.clickup === 'due_date') {
      if (typeof t.value === 'number') plan.dueAt = t.value;
      else plan.errors.push(`${label}: "${String(t.value)}" is not a date in ms`);
      continue;
    }
    const name = m.clickup.custom_field;
    const def = definitions.find((d) => d.name.trim().toLowerCase() === name.trim().toLowerCase());
    if (!def) {
      plan.errors.push(`${label}: the list has no custom field "${name}" any more`);
      continue;
    }
    const v = toClickUpFieldValue(def, t.value);
    if (!v.ok) plan.errors.push(`${label}: ${v.reason}`);
    else plan.customFields.push({ id: def.id, value: v.value, field: def.name, mapping: label });
  }
  return plan;
}
