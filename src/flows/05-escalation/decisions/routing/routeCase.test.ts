import { describe, expect, it } from 'vitest';
import { routeCase, type RoutingFacts } from './routeCase.ts';
import { routingRulesSchema } from './routingRules.ts';

const rules = routingRulesSchema.parse([
  {
    name: 'big strategic disputes',
    match: { kind: ['dispute'], tier: ['strategic'], value_min: 10_000, currency: 'EUR' },
    route_to: { manager: 'key-accounts@example.com', list_id: 'L-KAM' },
  },
  {
    name: 'EDI acknowledgements',
    match: { kind: ['fa_overdue', 'fa_rejected'] },
    route_to: { manager: 'edi-lead@example.com', assignees: ['u-17'] },
  },
  {
    name: 'compliance',
    match: { category: ['customs', 'sanctions'] },
    route_to: { manager: 'compliance@example.com' },
  },
  {
    name: 'mid-size EUR',
    match: { value_min: 1_000, value_max: 10_000, currency: 'EUR' },
    route_to: { manager: 'ops-eur@example.com' },
  },
  {
    name: 'overlapping EUR range (allowed; first wins)',
    match: { value_min: 5_000, currency: 'EUR' },
    route_to: { manager: 'finance@example.com' },
  },
  { route_to: { manager: 'ops@example.com' } },
]);

describe('routeCase (first match wins, default last)', () => {
  it.each<[string, RoutingFacts, number, string]>([
    [
      'strategic dispute over 10k EUR',
      { kind: 'dispute', tier: 'strategic', value: { amount: 25_000, currency: 'EUR' } },
      0,
      'key-accounts@example.com',
    ],
    [
      '10k EUR exactly is in (min is inclusive)',
      { kind: 'dispute', tier: 'strategic', value: { amount: 10_000, currency: 'eur' } },
      0,
      'key-accounts@example.com',
    ],
    [
      'strategic dispute in USD does not take the EUR rule',
      { kind: 'dispute', tier: 'strategic', value: { amount: 25_000, currency: 'USD' } },
      5,
      'ops@example.com',
    ],
    [
      'preferred-tier dispute over 10k falls to the overlapping EUR rule',
      { kind: 'dispute', tier: 'preferred', value: { amount: 25_000, currency: 'EUR' } },
      4,
      'finance@example.com',
    ],
    [
      'FA overdue matches by its EDI exception name',
      { kind: 'edi_exception', exception: 'fa_overdue', tier: 'standard' },
      1,
      'edi-lead@example.com',
    ],
    ['compliance category', { kind: 'compliance_issue', category: 'customs' }, 2, 'compliance@example.com'],
    [
      '9,999.99 EUR is mid-size (max is exclusive)',
      { kind: 'shipment_exception', value: { amount: 9_999.99, currency: 'EUR' } },
      3,
      'ops-eur@example.com',
    ],
    [
      '10,000 EUR is past the mid-size range',
      { kind: 'shipment_exception', value: { amount: 10_000, currency: 'EUR' } },
      4,
      'finance@example.com',
    ],
    ['no value, no tier: the default', { kind: 'document_mismatch' }, 5, 'ops@example.com'],
    [
      'unknown tier (null) skips tier rules',
      { kind: 'dispute', tier: null, value: { amount: 50_000, currency: 'EUR' } },
      4,
      'finance@example.com',
    ],
  ])('%s → rules[%i]', (_name, facts, index, manager) => {
    const d = routeCase(facts, rules);
    expect(d.ruleIndex).toBe(index);
    expect(d.routeTo.manager).toBe(manager);
  });

  it('explains the match', () => {
    expect(
      routeCase({ kind: 'dispute', tier: 'strategic', value: { amount: 25_000, currency: 'EUR' } }, rules).explanation,
    ).toBe(
      'rules[0] "big strategic disputes": kind dispute in [dispute]; tier strategic in [strategic]; value 25000 EUR in [10000, ∞)',
    );
    expect(routeCase({ kind: 'document_mismatch' }, rules).explanation).toBe(
      'rules[5]: default, no earlier rule matched (5 checked)',
    );
  });
});

describe('routingRulesSchema', () => {
  const dflt = { route_to: { manager: 'ops@example.com' } };
  it.each<[string, unknown, string, string]>([
    ['no rules', [], '', 'at least a default rule'],
    [
      'no default at the end',
      [{ match: { tier: ['strategic'] }, route_to: { manager: 'a@example.com' } }],
      '0',
      'last routing rule must be the default',
    ],
    [
      'a catch-all before the end',
      [dflt, { match: { tier: ['strategic'] }, route_to: { manager: 'a@example.com' } }, dflt],
      '0.match',
      'can never match',
    ],
    ['a manager that is not an e-mail', [{ route_to: { manager: 'Bob' } }], '0.route_to.manager', 'e-mail'],
    [
      'an unknown kind',
      [{ match: { kind: ['disput'] }, route_to: { manager: 'a@example.com' } }, dflt],
      '0.match.kind.0',
      'unknown kind',
    ],
    [
      'an unknown tier',
      [{ match: { tier: ['gold'] }, route_to: { manager: 'a@example.com' } }, dflt],
      '0.match.tier.0',
      'unknown tier',
    ],
    [
      'an empty list',
      [{ match: { category: [] }, route_to: { manager: 'a@example.com' } }, dflt],
      '0.match.category',
      'leave the key out',
    ],
    [
      'min not below max',
      [{ match: { value_min: 10, value_max: 10, currency: 'EUR' }, route_to: { manager: 'a@example.com' } }, dflt],
      '0.match.value_max',
      'greater than value_min',
    ],
    [
      'a value range without currency',
      [{ match: { value_min: 10 }, route_to: { manager: 'a@example.com' } }, dflt],
      '0.match.currency',
      'needs its currency',
    ],
    [
      'a typo in a key',
      [{ match: { teir: ['strategic'] }, route_to: { manager: 'a@example.com' } }, dflt],
      '0.match',
      'teir',
    ],
  ])('rejects %s', (_name, input, path, message) => {
    const r = routingRulesSchema.safeParse(input);
    expect(r.success).toBe(false);
    const issue = r.error!.issues[0]!;
    expect(issue.path.join('.')).toBe(path);
    expect(issue.message).toContain(message);
  });

  it('accepts overlapping value ranges (order decides)', () => {
    expect(
      routingRulesSchema.safeParse([
        { match: { value_min: 0, value_max: 100, currency: 'EUR' }, route_to: { manager: 'a@example.com' } },
        { match: { value_min: 50, currency: 'EUR' }, route_to: { manager: 'b@example.com' } },
        dflt,
      ]).success,
    ).toBe(true);
  });
});
