import { describe, expect, it } from 'vitest';
import { toClickUpValue, toTradingGridValue } from './values.ts';
import type { FieldMapping } from './types.ts';

const status: FieldMapping = {
  name: 'status',
  tradinggrid: 'status',
  clickup: 'status',
  direction: 'both',
  owner: 'clickup',
  values: [
    { tradinggrid: 'received', clickup: ['open', 'received'] },
    { tradinggrid: 'in_review', clickup: ['In review', 'QA', 'Review'] },
    { tradinggrid: 'resolved', clickup: 'resolved' },
  ],
  unmapped_to_clickup: 'skip',
  unmapped_to_tradinggrid: 'skip',
};

describe('value maps with grouping', () => {
  it.each([
    ['QA', 'in_review'],
    ['review', 'in_review'],
    ['In review', 'in_review'],
    ['open', 'received'],
    ['RESOLVED', 'resolved'],
  ])('ClickUp "%s" → partner %s', (cu, tg) => {
    expect(toTradingGridValue(status, cu)).toMatchObject({ kind: 'value', value: tg });
  });

  it.each([
    ['in_review', 'In review'],
    ['received', 'open'],
    ['resolved', 'resolved'],
  ])('partner %s → ClickUp "%s" (the first listed is the way back)', (tg, cu) => {
    expect(toClickUpValue(status, tg)).toMatchObject({ kind: 'value', value: cu });
  });

  it('grouped values round-trip to the same partner value', () => {
    for (const cu of ['QA', 'Review', 'In review']) {
      const tg = toTradingGridValue(status, cu);
      expect(tg.kind).toBe('value');
      const back = toClickUpValue(status, (tg as { value: string }).value);
      expect(toTradingGridValue(status, (back as { value: string }).value)).toEqual(tg);
    }
  });

  it.each([
    ['skip', { kind: 'skip' }],
    ['error', { kind: 'error' }],
    [{ value: 'received' }, { kind: 'value', value: 'received', via: 'default' }],
  ] as const)('an unmapped ClickUp value with rule %j', (rule, expected) => {
    const r = toTradingGridValue({ ...status, unmapped_to_tradinggrid: rule }, 'blocked');
    expect(r).toMatchObject(expected);
    if (r.kind !== 'value') expect(r.reason).toContain('"blocked"');
  });

  it('without a value map the value is copied', () => {
    const m: FieldMapping = {
      tradinggrid: 'value',
      clickup: { custom_field: 'Value' },
      direction: 'to_clickup',
      owner: 'tradinggrid',
      unmapped_to_clickup: 'skip',
      unmapped_to_tradinggrid: 'skip',
    };
    expect(toClickUpValue(m, 1234.5)).toEqual({ kind: 'value', value: 1234.5, via: 'copy' });
  });

  it('labels translate option by option', () => {
    const m: FieldMapping = {
      tradinggrid: 'kind',
      clickup: { custom_field: 'Tags' },
      direction: 'both',
      owner: 'clickup',
      values: [
        { tradinggrid: 'dispute', clickup: ['Billing', 'Money'] },
        { tradinggrid: 'edi_exception', clickup: 'EDI' },
      ],
      unmapped_to_clickup: 'skip',
      unmapped_to_tradinggrid: 'skip',
    };
    expect(toTradingGridValue(m, ['Money', 'EDI', 'Billing'])).toEqual({
      kind: 'value',
      value: ['dispute', 'edi_exception'],
      via: 'map',
    });
  });
});
