import { PARTNER_STATUSES } from '../../../core/case.ts';
import { checkFieldTypeFits, toClickUpFieldValue } from './customFieldValue.ts';
import { PRIORITY_NAMES } from './plan.ts';
import { resolveUser, type AssignRule, type Member, type UserMap } from './users.ts';
import { clickUpValuesOf, tradingGridValuesOf } from './values.ts';
import { mappingLabel, targetLabel, type FieldDefinition, type FieldMapping } from './types.ts';

/** One line of "what will sync where". */
export interface MappingRow {
  mapping: string;
  tradinggrid: string;
  clickup: string;
  clickupType: string;
  direction: string;
  values: string;
  origin: string;
  ok: boolean;
}

export interface MappingCheck {
  errors: string[];
  warnings: string[];
  rows: MappingRow[];
}

export interface ListFacts {
  listId: string;
  fields: readonly FieldDefinition[];
  statuses: readonly string[];
}

const norm = (s: string) => s.trim().toLowerCase();

function describeValues(m: FieldMapping): string {
  if (!m.values) return 'copied as is';
  const parts = m.values.map((e) => `${[e.tradinggrid].flat().join('|')} ⇄ ${[e.clickup].flat().join('|')}`);
  const u = m.unmapped_to_clickup;
  if (typeof u === 'object') parts.push(`else → ${String(u.value)}`);
  return parts.join('; ');
}

/**
 * Every mapping against one list's real fields and statuses: a missing field, a type that does not fit,
 * an option or status the list lacks, a Trading Grid value the partner side does not know — each an
 * error naming the mapping and the field. Pure: the caller reads the list.
 */
export function checkMappings(mappings: readonly FieldMapping[], list: ListFacts): MappingCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  const rows: MappingRow[] = [];
  const where = `list ${list.listId}`;
  for (const m of mappings) {
    const label = mappingLabel(m);
    const before = errors.length;
    let clickupType = '';
    if (m.tradinggrid === 'status') {
      for (const v of tradingGridValuesOf(m)) {
        if (!(PARTNER_STATUSES as readonly string[]).includes(String(v)))
          errors.push(`mapping "${label}": "${String(v)}" is not a partner status (${PARTNER_STATUSES.join(', ')})`);
      }
    }
    if (m.clickup === 'status') {
      clickupType = 'status';
      const have = new Set(list.statuses.map(norm));
      for (const v of clickUpValuesOf(m)) {
        if (!have.has(norm(String(v))))
          errors.push(
            `mapping "${label}": ${where} has no status "${String(v)}"; its statuses: ${list.statuses.join(', ')}`,
          );
      }
      const mapped = new Set(clickUpValuesOf(m).map((v) => norm(String(v))));
      for (const s of list.statuses)
        if (!mapped.has(norm(s)) && m.unmapped_to_tradinggrid === 'skip')
          warnings.push(
            `ClickUp status "${s}" on ${where} is not in mapping "${label}": moving a task there is not sent to the partner`,
          );
    } else if (m.clickup === 'priority') {
      clickupType = 'priority';
      for (const v of m.values ? clickUpValuesOf(m) : []) {
        if (!(typeof v === 'number' ? [1, 2, 3, 4].includes(v) : String(v).toLowerCase() in PRIORITY_NAMES))
          errors.push(`mapping "${label}": "${String(v)}" is not a ClickUp priority (urgent, high, normal, low)`);
      }
      if (!m.values)
        errors.push(
          `mapping "${label}": a priority needs a value map (ClickUp priorities are urgent, high, normal, low)`,
        );
    } else if (m.clickup === 'name' || m.clickup === 'description') {
      clickupType = m.clickup;
    } else if (m.clickup === 'due_date') {
      clickupType = 'due_date';
      if (m.tradinggrid !== 'sla_due' && m.tradinggrid !== 'opened_at')
        errors.push(
          `mapping "${label}": type mismatch: the due date takes a date (sla_due, opened_at), not "${m.tradinggrid}"`,
        );
    } else {
      const name = m.clickup.custom_field;
      const def = list.fields.find((f) => norm(f.name) === norm(name));
      if (!def) {
        errors.push(
          `mapping "${label}": ${where} has no custom field named "${name}"; fields there: ${list.fields.map((f) => `${f.name} (${f.type})`).join(', ') || 'none'}`,
        );
      } else {
        clickupType = def.type;
        if (m.values) {
          for (const v of clickUpValuesOf(m)) {
            const c = toClickUpFieldValue(def, v);
            if (!c.ok)
              errors.push(`mapping "${label}": ${c.code === 'unknown_option' ? '' : 'type mismatch: '}${c.reason}`);
          }
        } else if (m.origin !== 'fields' || (def.type !== 'drop_down' && def.type !== 'labels')) {
          const fit = checkFieldTypeFits(m.tradinggrid, def);
          if (fit) errors.push(`mapping "${label}": ${fit}`);
        }
      }
    }
    rows.push({
      mapping: label,
      tradinggrid: m.tradinggrid,
      clickup: targetLabel(m.clickup),
      clickupType,
      direction: m.direction,
      values: describeValues(m),
      origin: m.origin ?? 'mapping',
      ok: errors.length === before,
    });
  }
  return { errors: [...new Set(errors)], warnings, rows };
}

/** `mapping.filters.clickup_updates.custom_field` must name a field of the list, and values it can hold. */
export function checkUpdateFilter(
  f: { name: string; equals: unknown } | undefined,
  listId: string,
  fields: readonly FieldDefinition[],
): string[] {
  if (!f) return [];
  const def = fields.find((d) => norm(d.name) === norm(f.name));
  if (!def)
    return [`mapping.filters.clickup_updates.custom_field: list ${listId} has no custom field named "${f.name}"`];
  return [f.equals].flat().flatMap((v) => {
    const c = toClickUpFieldValue(def, v as string | number | boolean);
    return c.ok ? [] : [`mapping.filters.clickup_updates.custom_field: ${c.reason}`];
  });
}

/** Whether the config names users (so the workspace members must be read). */
export function namesUsers(m: { assign: readonly unknown[]; users: UserMap }): boolean {
  return (
    m.assign.length > 0 || Object.keys(m.users.overrides).length > 0 || Object.keys(m.users.partner_contacts).length > 0
  );
}

/** Every user the config names (overrides, partner contacts, assign rules) must be a member of the workspace. */
export function checkUsers(
  map: UserMap,
  assign: readonly AssignRule[],
  members: readonly Member[],
): { errors: string[]; resolved: Array<{ ref: string; id: number | null; where: string }> } {
  const errors: string[] = [];
  const resolved: Array<{ ref: string; id: number | null; where: string }> = [];
  const check = (ref: string | number, where: string, table: 'overrides' | 'partner_contacts') => {
    const hit = resolveUser(ref, map, members, table);
    resolved.push({ ref: String(ref), id: hit?.id ?? null, where });
    if (!hit)
      errors.push(
        `${where}: "${String(ref)}" is not a member of the ClickUp workspace (matched by e-mail, or a user id)`,
      );
  };
  for (const [k, v] of Object.entries(map.overrides)) check(v, `mapping.users.overrides["${k}"]`, 'overrides');
  for (const [k] of Object.entries(map.partner_contacts))
    check(k, `mapping.users.partner_contacts["${k}"]`, 'partner_contacts');
  assign.forEach((r, i) => r.users.forEach((u) => check(u, `mapping.assign[${i}].users`, 'overrides')));
  return { errors, resolved };
}
