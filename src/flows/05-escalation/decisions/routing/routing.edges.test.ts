import { describe, expect, it } from 'vitest';
import { caseCategoriesSchema, unknownRuleCategories } from './caseCategories.ts';
import { routeCase, type RoutingFacts } from './routeCase.ts';
import { routingRulesSchema } from './routingRules.ts';

// The explanations word for word, value bounds at their edges, and the schemas' own refusals: the cases the
// first mutation run of the routing decisions found unchecked.

const to = { manager: 'ops@example.com' };

describe('routeCase explains each match exactly', () => {
  const rules = routingRulesSchema.parse([
    { name: 'two lists', match: { kind: ['dispute', 'fa_overdue'], tier: ['strategic', 'preferred'] }, route_to: to },
    { match: { category: ['customs', 'sanctions'] }, route_to: to },
    { match: { currency: 'USD' }, route_to: to },
    { match: { value_max: 100, currency: 'EUR' }, route_to: to },
    { match: { value_min: 1_000, currency: 'EUR' }, route_to: to },
    { route_to: to },
  ]);
  it.each<[string, RoutingFacts, string]>([
    [
      'kind and tier, each list in full',
      { kind: 'dispute', tier: 'preferred' },
      'rules[0] "two lists": kind dispute in [dispute, fa_overdue]; tier preferred in [strategic, preferred]',
    ],
    [
      'a category',
      { kind: 'shipment_exception', category: 'sanctions' },
      'rules[1]: category sanctions in [customs, sanctions]',
    ],
    ['a currency alone: no range', { kind: 'dispute', value: { amount: 5, currency: 'usd' } }, 'rules[2]: value 5 USD'],
    [
      'an upper bound alone',
      { kind: 'dispute', value: { amount: 50, currency: 'EUR' } },
      'rules[3]: value 50 EUR in [0, 100)',
    ],
    [
      'between the bounds of two rules: the default',
      { kind: 'dispute', value: { amount: 500, currency: 'EUR' } },
      'rules[5]: default, no earlier rule matched (5 checked)',
    ],
    [
      'the upper bound is exclusive',
      { kind: 'dispute', value: { amount: 100, currency: 'EUR' } },
      'rules[5]: default, no earlier rule matched (5 checked)',
    ],
    [
      'a lower bound alone, inclusive',
      { kind: 'dispute', value: { amount: 1_000, currency: 'EUR' } },
      'rules[4]: value 1000 EUR in [1000, ∞)',
    ],
  ])('%s', (_n, facts, explanation) => expect(routeCase(facts, rules).explanation).toBe(explanation));
});

describe('routingRulesSchema refusals', () => {
  const issues = (rules: unknown) => {
    const r = routingRulesSchema.safeParse(rules);
    return r.success ? [] : r.error.issues.map((i) => ({ code: i.code, path: i.path, message: i.message }));
  };
  it('a catch-all before the end, with the rules it hides', () =>
    expect(issues([{ route_to: to }, { route_to: to }, { route_to: to }])).toEqual([
      {
        code: 'custom',
        path: [0, 'match'],
        message: 'rule 0 matches every case, so rules 1..2 can never match; move it to the end as the default',
      },
      {
        code: 'custom',
        path: [1, 'match'],
        message: 'rule 1 matches every case, so rules 2..2 can never match; move it to the end as the default',
      },
    ]));
  it('a last rule that is not the default', () =>
    expect(issues([{ match: { kind: ['dispute'] }, route_to: to }])).toEqual([
      {
        code: 'custom',
        path: [0],
        message: 'the last routing rule must be the default: no `match` (or `match: {}`), so every case has a manager',
      },
    ]));
  it('an upper bound without its currency', () =>
    expect(issues([{ match: { value_max: 10 }, route_to: to }, { route_to: to }])).toEqual([
      {
        code: 'custom',
        path: [0, 'match', 'currency'],
        message: 'a value range needs its currency (amounts in different currencies are not comparable)',
      },
    ]));
  it('bounds the wrong way round', () =>
    expect(
      issues([{ match: { value_min: 10, value_max: 10, currency: 'EUR' }, route_to: to }, { route_to: to }]),
    ).toEqual([
      {
        code: 'custom',
        path: [0, 'match', 'value_max'],
        message: 'value_max (10) must be greater than value_min (10); value_max is exclusive',
      },
    ]));
  it('known kinds, EDI exceptions included, are accepted; others are not', () => {
    expect(issues([{ match: { kind: ['dispute', 'fa_overdue'] }, route_to: to }, { route_to: to }])).toEqual([]);
    expect(issues([{ match: { kind: ['nope'] }, route_to: to }, { route_to: to }])).toHaveLength(1);
  });
  it('a match whose keys are all left undefined is a catch-all', () =>
    expect(issues([{ match: { kind: undefined }, route_to: to }])).toEqual([]));
});

describe('caseCategoriesSchema and unknownRuleCategories', () => {
  it('a category declared twice is refused at its second place', () => {
    const r = caseCategoriesSchema.safeParse([
      { name: 'customs', match: { kind: ['dispute'] } },
      { name: 'customs', match: { kind: ['edi_exception'] } },
    ]);
    expect(r.success).toBe(false);
    if (!r.success)
      expect(r.error.issues.map((i) => ({ code: i.code, path: i.path, message: i.message }))).toEqual([
        {
          code: 'custom',
          path: [1, 'name'],
          message: 'category "customs" is declared twice; the first would always win',
        },
      ]);
  });
  it('a category that says neither kind nor document type is refused (it would hold every case or none)', () => {
    const r = caseCategoriesSchema.safeParse([{ name: 'everything', match: {} }]);
    expect(r.success).toBe(false);
    if (!r.success)
      expect(r.error.issues.map((i) => ({ path: i.path, message: i.message }))).toEqual([
        { path: [0, 'match'], message: 'a category needs `kind` and/or `document_type` to say which cases are in it' },
      ]);
  });
  it('a category by document type alone, or by kind alone, is accepted', () =>
    expect(
      caseCategoriesSchema.safeParse([
        { name: 'orders', match: { document_type: ['purchase_order'] } },
        { name: 'edi', match: { kind: ['fa_overdue'] } },
      ]).success,
    ).toBe(true));
  it('rules without a match, or without categories, name none', () =>
    expect(unknownRuleCategories([{}, { match: {} }, { match: { category: ['x'] } }], [])).toEqual([
      { rule: 2, item: 0, category: 'x' },
    ]));
});
