import { ok, type Result } from '../../core/result.ts';
import { parseResponse } from './parse.ts';
import { seg, taskAddress, type TaskRef } from './taskRef.ts';
import type { ResourceContext } from './tasks.ts';
import { invalidInput } from './transport.ts';
import { fieldsSchema, type ClickUpField, type CustomFieldValue } from './types.ts';

/** GET /v2/list/{list_id}/field: the custom fields a list can use (ids, types, drop-down options). */
export async function getListFields(c: ResourceContext, listId: string): Promise<Result<ClickUpField[]>> {
  const r = parseResponse(
    fieldsSchema,
    `getListFields(${listId})`,
    await c.t.request({ method: 'GET', path: `/v2/list/${seg(listId)}/field` }),
  );
  return r.ok ? ok(r.value.fields) : r;
}

/** POST /v2/task/{task_id}/field/{field_id} {value} — value already in ClickUp's form (see coerceFieldValue). */
export async function setCustomFieldValue(
  c: ResourceContext,
  ref: TaskRef,
  fieldId: string,
  value: CustomFieldValue,
  valueOptions?: { time: boolean },
): Promise<Result<void>> {
  const a = taskAddress(ref, c.teamId);
  if (typeof a === 'string') return invalidInput('setCustomFieldValue', a);
  const json = valueOptions ? { value, value_options: valueOptions } : { value };
  // Setting a value twice leaves the same value: safe to repeat after a lost answer, although a POST.
  const r = await c.t.request<unknown>({
    method: 'POST',
    path: `${a.path}/field/${seg(fieldId)}`,
    query: a.query,
    json,
    idempotent: true,
  });
  return r.ok ? ok(undefined) : r;
}

/** DELETE /v2/task/{task_id}/field/{field_id} */
export async function removeCustomFieldValue(c: ResourceContext, ref: TaskRef, fieldId: string): Promise<Result<void>> {
  const a = taskAddress(ref, c.teamId);
  if (typeof a === 'string') return invalidInput('removeCustomFieldValue', a);
  const r = await c.t.request<unknown>({ method: 'DELETE', path: `${a.path}/field/${seg(fieldId)}`, query: a.query });
  return r.ok ? ok(undefined) : r;
}

/** Finds a field by its name (case- and space-insensitive), as configured by a person. */
export function findFieldByName(fields: readonly ClickUpField[], name: string): ClickUpField | undefined {
  const key = name.trim().toLowerCase();
  return fields.find((f) => f.name.trim().toLowerCase() === key);
}

/**
 * Turns a human value into what ClickUp stores for this field type: drop-down → option UUID (by label
 * or name), labels → array of UUIDs, currency/number → number, date → ms epoch, text → string.
 * Returns a sentence when the value does not fit (e.g. an unknown drop-down label).
 */
export function coerceFieldValue(
  field: ClickUpField,
  input: unknown,
): { ok: true; value: CustomFieldValue } | { ok: false; reason: string } {
  const options = field.type_config?.options ?? [];
  const optionId = (v: unknown): string | undefined => {
    const s = String(v).trim().toLowerCase();
    return options.find((o) => o.id === v || (o.name ?? o.label ?? '').trim().toLowerCase() === s)?.id;
  };
  switch (field.type) {
    case 'drop_down': {
      const id = optionId(input);
      return id
        ? { ok: true, value: id }
        : {
            ok: false,
            reason: `"${String(input)}" is not an option of drop-down field "${field.name}" (options: ${options.map((o) => o.name ?? o.label).join(', ')})`,
          };
    }
    case 'labels': {
      const values = Array.isArray(input) ? input : [input];
      const ids = values.map(optionId);
      const missing = values.filter((_, i) => !ids[i]);
      return missing.length === 0
        ? { ok: true, value: ids as string[] }
        : { ok: false, reason: `${missing.map(String).join(', ')} not among the labels of "${field.name}"` };
    }
    case 'currency':
    case 'number':
    case 'emoji': {
      const n = typeof input === 'number' ? input : Number(input);
      return Number.isFinite(n)
        ? { ok: true, value: n }
        : { ok: false, reason: `"${String(input)}" is not a number for field "${field.name}"` };
    }
    case 'date': {
      const n = input instanceof Date ? input.getTime() : typeof input === 'number' ? input : Date.parse(String(input));
      return Number.isFinite(n)
        ? { ok: true, value: n }
        : { ok: false, reason: `"${String(input)}" is not a date for field "${field.name}"` };
    }
    case 'checkbox':
      return { ok: true, value: (input === true || input === 'true') as unknown as CustomFieldValue };
    default:
      return typeof input === 'string' || typeof input === 'number'
        ? { ok: true, value: String(input) }
        : { ok: false, reason: `field "${field.name}" of type ${field.type} needs a string` };
  }
}
