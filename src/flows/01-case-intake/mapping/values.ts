import type { FieldMapping, LogicalValue, Scalar, Unmapped } from './types.ts';

/**
 * Value maps, both ways. An entry lists the values on each side that stand for each other; several on
 * one side group into one on the other ("QA" and "Review" → in_review). The way back takes the first
 * value listed on the target side. A value no entry names follows the mapping's `unmapped_*` rule.
 */
export type Translation =
  | { kind: 'value'; value: LogicalValue; via: 'map' | 'default' | 'copy' }
  | { kind: 'skip'; reason: string }
  | { kind: 'error'; reason: string };

const norm = (v: Scalar): string =>
  String(v)
    .trim()
    .toLowerCase()
    .replace(/[_\s]+/g, ' ');
const list = (v: Scalar | Scalar[]): Scalar[] => (Array.isArray(v) ? v : [v]);

function unmapped(rule: Unmapped, value: LogicalValue, where: string, label: string): Translation {
  if (typeof rule === 'object') return { kind: 'value', value: rule.value, via: 'default' };
  const reason = `${label}: "${String(value)}" has no entry in the value map ${where}`;
  return rule === 'error' ? { kind: 'error', reason } : { kind: 'skip', reason };
}

function translate(m: FieldMapping, value: LogicalValue, from: 'tradinggrid' | 'clickup'): Translation {
  const to = from === 'tradinggrid' ? 'clickup' : 'tradinggrid';
  const label = m.name ?? m.tradinggrid;
  if (!m.values) return { kind: 'value', value, via: 'copy' };
  if (value === null || value === undefined) return { kind: 'skip', reason: `${label}: no value` };
  if (Array.isArray(value)) {
    // Labels: each option translates on its own; one unmapped label follows the rule for the whole value.
    const out: string[] = [];
    for (const v of value) {
      const t = translate(m, v, from);
      if (t.kind !== 'value') return t;
      out.push(...[t.value].flat().map(String));
    }
    return { kind: 'value', value: [...new Set(out)], via: 'map' };
  }
  const key = norm(value);
  const hit = m.values.find((e) => list(e[from]).some((x) => norm(x) === key));
  if (hit) return { kind: 'value', value: list(hit[to])[0]!, via: 'map' };
  return unmapped(
    from === 'tradinggrid' ? m.unmapped_to_clickup : m.unmapped_to_tradinggrid,
    value,
    `to ${to === 'clickup' ? 'ClickUp' : 'Trading Grid'}`,
    label,
  );
}

/** A Trading Grid value → the ClickUp value (option or status name, number…) the mapping asks for. */
export function toClickUpValue(m: FieldMapping, value: LogicalValue): Translation {
  return translate(m, value, 'tradinggrid');
}

/** A ClickUp value (already read back as names) → the Trading Grid value. */
export function toTradingGridValue(m: FieldMapping, value: LogicalValue): Translation {
  return translate(m, value, 'clickup');
}

/** Every value the map can write to ClickUp (checked against the list's options and statuses at start-up). */
export function clickUpValuesOf(m: FieldMapping): Scalar[] {
  const out: Scalar[] = (m.values ?? []).flatMap((e) => list(e.clickup));
  if (typeof m.unmapped_to_clickup === 'object') out.push(m.unmapped_to_clickup.value);
  return out;
}

export function tradingGridValuesOf(m: FieldMapping): Scalar[] {
  const out: Scalar[] = (m.values ?? []).flatMap((e) => list(e.tradinggrid));
  if (typeof m.unmapped_to_tradinggrid === 'object') out.push(m.unmapped_to_tradinggrid.value);
  return out;
}
