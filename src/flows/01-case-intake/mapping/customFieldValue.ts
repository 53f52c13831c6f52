import type { FieldDefinition, LogicalValue, TgField } from './types.ts';
import { TG_FIELD_KIND } from './types.ts';

/**
 * Custom field values both ways, by the field's type on the list. To ClickUp: drop-down → option id (by
 * option name), labels → option ids, number/currency → number, date → ms epoch, checkbox → boolean,
 * url/email/text → string. From ClickUp: the stored form back to names and plain values. A value that
 * does not fit, or an option the list no longer has, is an error naming the field, never a guess.
 */
export type Converted<T> =
  { ok: true; value: T } | { ok: false; code: 'unknown_option' | 'type_mismatch' | 'unsupported_type'; reason: string };

export const SUPPORTED_FIELD_TYPES = [
  'drop_down',
  'labels',
  'number',
  'currency',
  'date',
  'checkbox',
  'url',
  'email',
  'short_text',
  'text',
] as const;

const optName = (o: NonNullable<FieldDefinition['options']>[number]): string => (o.name ?? o.label ?? '').trim();
/** Names compare case-, space- and underscore-insensitively ("shipment_exception" finds "Shipment exception"). */
const norm = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[_\s]+/g, ' ');
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function mismatch(f: FieldDefinition, value: unknown, wants: string): Converted<never> {
  return {
    ok: false,
    code: 'type_mismatch',
    reason: `"${String(value)}" is not ${wants} for ${f.type} field "${f.name}"`,
  };
}

function optionIdByName(f: FieldDefinition, name: unknown): Converted<string> {
  const key = norm(String(name));
  const o = (f.options ?? []).find((x) => norm(optName(x)) === key);
  if (o) return { ok: true, value: o.id };
  return {
    ok: false,
    code: 'unknown_option',
    reason: `"${String(name)}" is not an option of ${f.type} field "${f.name}" (options now: ${(f.options ?? []).map(optName).join(', ') || 'none'})`,
  };
}

/** A logical value → what ClickUp stores for this field. */
export function toClickUpFieldValue(
  f: FieldDefinition,
  value: LogicalValue,
): Converted<string | number | boolean | string[]> {
  if (value === null) return mismatch(f, value, 'a value');
  switch (f.type) {
    case 'drop_down':
      return Array.isArray(value) ? mismatch(f, value, 'one option') : optionIdByName(f, value);
    case 'labels': {
      const ids: string[] = [];
      for (const v of [value].flat()) {
        const id = optionIdByName(f, v);
        if (!id.ok) return id;
        ids.push(id.value);
      }
      return { ok: true, value: ids };
    }
    case 'number':
    case 'currency': {
      const n =
        typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      return Number.isFinite(n) ? { ok: true, value: n } : mismatch(f, value, 'a number');
    }
    case 'date': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string'
            ? /^\d+$/.test(value)
              ? Number(value)
              : Date.parse(value)
            : NaN;
      return Number.isFinite(n) ? { ok: true, value: n } : mismatch(f, value, 'a date (ms epoch or ISO 8601)');
    }
    case 'checkbox': {
      if (typeof value === 'boolean') return { ok: true, value };
      const s = norm(String(value));
      return s === 'true' || s === 'false' ? { ok: true, value: s === 'true' } : mismatch(f, value, 'true or false');
    }
    case 'url': {
      if (typeof value !== 'string') return mismatch(f, value, 'a URL');
      try {
        const u = new URL(value);
        return u.protocol === 'http:' || u.protocol === 'https:'
          ? { ok: true, value }
          : mismatch(f, value, 'an http(s) URL');
      } catch {
        return mismatch(f, value, 'a URL');
      }
    }
    case 'email':
      return typeof value === 'string' && EMAIL.test(value)
        ? { ok: true, value }
        : mismatch(f, value, 'an e-mail address');
    case 'short_text':
    case 'text':
      return typeof value === 'string' || typeof value === 'number'
        ? { ok: true, value: String(value) }
        : mismatch(f, value, 'text');
    default:
      return {
        ok: false,
        code: 'unsupported_type',
        reason: `field "${f.name}" has type ${f.type}, which mappings do not write (supported: ${SUPPORTED_FIELD_TYPES.join(', ')})`,
      };
  }
}

/** What ClickUp stores (a task's custom field value, or a webhook history item's) → the logical value. */
export function fromClickUpFieldValue(f: FieldDefinition, stored: unknown): Converted<LogicalValue> {
  if (stored === null || stored === undefined || stored === '') return { ok: true, value: null };
  const byId = (v: unknown): Converted<string> => {
    const opts = f.options ?? [];
    const id = typeof v === 'object' && v !== null ? (v as { id?: unknown }).id : v;
    const o = typeof id === 'number' ? opts.find((x) => Number(x.orderindex) === id) : opts.find((x) => x.id === id);
    return o
      ? { ok: true, value: optName(o) }
      : {
          ok: false,
          code: 'unknown_option',
          reason: `${f.type} field "${f.name}" holds option ${String(id)}, which the list no longer defines`,
        };
  };
  switch (f.type) {
    case 'drop_down':
      return byId(stored);
    case 'labels': {
      const names: string[] = [];
      for (const v of Array.isArray(stored) ? stored : [stored]) {
        const n = byId(v);
        if (!n.ok) return n;
        names.push(n.value);
      }
      return { ok: true, value: names };
    }
    case 'number':
    case 'currency':
    case 'date': {
      const n = typeof stored === 'number' ? stored : Number(stored);
      return Number.isFinite(n) ? { ok: true, value: n } : mismatch(f, stored, 'a number');
    }
    case 'checkbox':
      return { ok: true, value: stored === true || stored === 'true' };
    case 'url':
    case 'email':
    case 'short_text':
    case 'text':
      return typeof stored === 'string' || typeof stored === 'number'
        ? { ok: true, value: String(stored) }
        : mismatch(f, stored, 'text');
    default:
      return {
        ok: false,
        code: 'unsupported_type',
        reason: `field "${f.name}" has type ${f.type}, which mappings do not read`,
      };
  }
}

/** ClickUp field types a Trading Grid field fits when copied without a value map. */
const FITS: Record<'text' | 'number' | 'date', readonly string[]> = {
  text: ['short_text', 'text', 'drop_down', 'labels'],
  number: ['number', 'currency', 'short_text', 'text'],
  date: ['date', 'short_text', 'text'],
};

/** Whether a Trading Grid field copied as is fits a custom field; a sentence naming both when not. */
export function checkFieldTypeFits(tg: TgField, f: FieldDefinition): string | null {
  const kind = TG_FIELD_KIND[tg];
  if (!(SUPPORTED_FIELD_TYPES as readonly string[]).includes(f.type))
    return `custom field "${f.name}" has type ${f.type}, which mappings do not support (supported: ${SUPPORTED_FIELD_TYPES.join(', ')})`;
  if (FITS[kind].includes(f.type)) return null;
  return `type mismatch: Trading Grid field "${tg}" (${kind}) cannot be written to ${f.type} field "${f.name}" without a value map (it fits: ${FITS[kind].join(', ')})`;
}
