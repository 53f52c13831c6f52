import { describe, expect, it } from 'vitest';
import { caseCategoriesSchema, categorizeCase, unknownRuleCategories, type CategoryFacts } from './caseCategories.ts';
import { routeCase } from './routeCase.ts';
import { routingRulesSchema } from './routingRules.ts';

const categories = caseCategoriesSchema.parse([
  { name: 'edi', match: { kind: ['fa_overdue', 'fa_rejected'] } },
  { name: 'billing', match: { kind: ['dispute', 'document_mismatch'], document_type: ['invoice', 'credit_note'] } },
  { name: 'customs', match: { kind: ['compliance_issue'] } },
  { name: 'orders', match: { document_type: ['purchase_order'] } },
]);

describe('categorizeCase (config names categories by kind and document type; first match wins)', () => {
  it.each<[string, CategoryFacts, string | null]>([
    ['an EDI exception by its exception name', { kind: 'edi_exception', exception: 'fa_overdue' }, 'edi'],
    ['an EDI exception no category names', { kind: 'edi_exception', exception: 'asn_missing' }, null],
    ['a dispute over an invoice', { kind: 'dispute', documentType: 'invoice' }, 'billing'],
    ['document type compared without regard to case', { kind: 'dispute', documentType: 'Invoice' }, 'billing'],
    ['a dispute without a document type is not billing', { kind: 'dispute' }, null],
    ['a dispute over a purchase order falls to orders', { kind: 'dispute', documentType: 'purchase_order' }, 'orders'],
    ['a compliance issue', { kind: 'compliance_issue', documentType: 'purchase_order' }, 'customs'],
    ['nothing matches', { kind: 'shipment_exception', documentType: 'asn' }, null],
  ])('%s → %s', (_name, facts, expected) => {
    expect(categorizeCase(facts, categories)).toBe(expected);
  });

  it('no categories configured: every case has none', () => {
    expect(categorizeCase({ kind: 'compliance_issue' }, [])).toBeNull();
  });
});

describe('routing by category', () => {
  const rules = routingRulesSchema.parse([
    { name: 'trade compliance', match: { category: ['customs'] }, route_to: { manager: 'trade@example.com' } },
    { name: 'finance', match: { category: ['billing'] }, route_to: { manager: 'finance@example.com' } },
    { route_to: { manager: 'ops@example.com' } },
  ]);
  it.each<[string, CategoryFacts, string]>([
    ['a compliance issue goes to trade compliance', { kind: 'compliance_issue' }, 'trade@example.com'],
    ['an invoice dispute goes to finance', { kind: 'dispute', documentType: 'invoice' }, 'finance@example.com'],
    ['an uncategorised case goes to the default', { kind: 'shipment_exception' }, 'ops@example.com'],
  ])('%s', (_name, facts, manager) => {
    const d = routeCase({ ...facts, category: categorizeCase(facts, categories) }, rules);
    expect(d.routeTo.manager).toBe(manager);
  });

  it('names the rules whose category is not declared', () => {
    expect(unknownRuleCategories(rules, categories)).toEqual([]);
    expect(unknownRuleCategories(rules, categories.slice(0, 2))).toEqual([{ rule: 0, item: 0, category: 'customs' }]);
  });
});
