import { describe, expect, it } from 'vitest';
import { checkFieldTypeFits, fromClickUpFieldValue, toClickUpFieldValue } from './customFieldValue.ts';
import type { FieldDefinition, LogicalValue } from './types.ts';

const opts = [
  { id: 'o-low', name: 'Low', orderindex: 0 },
  { id: 'o-high', name: 'High', orderindex: 1 },
  { id: 'o-ship', name: 'Shipment exception', orderindex: 2 },
];
const def = (type: string, name = `F ${type}`): FieldDefinition => ({
  id: `f-${type}`,
  name,
  type,
  ...(type === 'drop_down' || type === 'labels' ? { options: opts } : {}),
});

describe('custom field values both ways', () => {
  it.each<[string, LogicalValue, unknown, LogicalValue]>([
    ['drop_down', 'High', 'o-high', 'High'],
    ['drop_down', 'shipment_exception', 'o-ship', 'Shipment exception'],
    ['labels', ['Low', 'High'], ['o-low', 'o-high'], ['Low', 'High']],
    ['labels', 'Low', ['o-low'], ['Low']],
    ['number', '12.5', 12.5, 12.5],
    ['currency', 48_250.75, 48_250.75, 48_250.75],
    ['date', '2026-11-26T10:00:00Z', Date.parse('2026-11-26T10:00:00Z'), Date.parse('2026-11-26T10:00:00Z')],
    ['date', 1_764_000_000_000, 1_764_000_000_000, 1_764_000_000_000],
    ['checkbox', true, true, true],
    ['checkbox', 'false', false, false],
    ['url', 'https://tg.example/cases/C-1', 'https://tg.example/cases/C-1', 'https://tg.example/cases/C-1'],
    ['email', 'ops@acme.example', 'ops@acme.example', 'ops@acme.example'],
    ['short_text', 'PO 4711', 'PO 4711', 'PO 4711'],
    ['text', 42, '42', '42'],
  ])('%s: %j is written as %j and read back as %j', (type, input, stored, back) => {
    const f = def(type);
    const w = toClickUpFieldValue(f, input);
    expect(w).toEqual({ ok: true, value: stored });
    expect(fromClickUpFieldValue(f, stored)).toEqual({ ok: true, value: back });
  });

  it.each<[string, LogicalValue, string]>([
    ['drop_down', 'Critical', 'unknown_option'],
    ['labels', ['Low', 'Medium'], 'unknown_option'],
    ['number', 'abc', 'type_mismatch'],
    ['date', 'next week', 'type_mismatch'],
    ['checkbox', 'maybe', 'type_mismatch'],
    ['url', 'not a url', 'type_mismatch'],
    ['url', 'ftp://x.example/a', 'type_mismatch'],
    ['email', 'nobody', 'type_mismatch'],
    ['users', 'x', 'unsupported_type'],
  ])('%s refuses %j (%s) with a sentence naming the field', (type, input, code) => {
    const r = toClickUpFieldValue(def(type), input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.reason).toContain(`F ${type}`);
    }
  });

  it('a drop-down holding an option the list no longer defines is an error, not a guess', () => {
    const r = fromClickUpFieldValue(def('drop_down'), 'o-gone');
    expect(r).toMatchObject({ ok: false, code: 'unknown_option' });
  });

  it('a drop-down stored by its index reads as the option name', () => {
    expect(fromClickUpFieldValue(def('drop_down'), 1)).toEqual({ ok: true, value: 'High' });
  });

  it.each([
    ['value', 'currency', null],
    ['value', 'number', null],
    ['sla_due', 'date', null],
    ['partner', 'drop_down', null],
    ['value', 'drop_down', 'type mismatch'],
    ['sla_due', 'checkbox', 'type mismatch'],
    ['partner', 'users', 'do not support'],
  ] as const)('Trading Grid %s into a %s field: %s', (tg, type, problem) => {
    const r = checkFieldTypeFits(tg, def(type, 'My field'));
    if (problem === null) expect(r).toBeNull();
    else {
      expect(r).toContain(problem);
      expect(r).toContain('"My field"');
    }
  });
});
