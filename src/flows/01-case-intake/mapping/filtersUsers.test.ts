import { describe, expect, it } from 'vitest';
import { caseFilterVerdict, taskFilterVerdict, type CaseFacts } from './filters.ts';
import { assigneesFor, resolveUser, resolveUsers } from './users.ts';

const acme: CaseFacts = { partnerId: 'P-ACME', tier: 'strategic', kind: 'dispute', value: 48_000 };

describe('case filter', () => {
  it.each([
    [{}, acme, true],
    [{ partners: ['P-ACME'] }, acme, true],
    [{ partners: ['P-GLOBEX'] }, acme, false],
    [{ exclude_partners: ['P-ACME'] }, acme, false],
    [{ tiers: ['strategic' as const] }, acme, true],
    [{ tiers: ['standard' as const] }, acme, false],
    [{ tiers: ['standard' as const] }, { ...acme, tier: null }, false],
    [{ kinds: ['edi_exception' as const] }, acme, false],
    [{ value_min: 50_000 }, acme, false],
    [{ value_max: 10_000 }, acme, false],
    [{ value_min: 1_000, value_max: 50_000 }, acme, true],
    [{ value_min: 1_000 }, { ...acme, value: null }, true],
    [{ value_min: 1_000, require_value: true }, { ...acme, value: null }, false],
  ])('%j on %j syncs: %s', (f, c, sync) => {
    const v = caseFilterVerdict(f, c);
    expect(v.sync).toBe(sync);
    if (!v.sync) expect(v.reason).toMatch(/mapping\.filters\.cases|no value/);
  });
});

describe('ClickUp update filter', () => {
  const partnerVisible = {
    id: 'f1',
    name: 'Partner visible',
    type: 'drop_down',
    options: [
      { id: 'y', name: 'Yes' },
      { id: 'n', name: 'No' },
    ],
  };
  it.each([
    [undefined, { listId: 'L1', tags: [] }, true],
    [{ lists: ['L1'] }, { listId: 'L1', tags: [] }, true],
    [{ lists: ['L1'] }, { listId: 'L2', tags: [] }, false],
    [{ tags: ['partner-visible'] }, { listId: 'L1', tags: ['Partner-Visible'] }, true],
    [{ tags: ['partner-visible'] }, { listId: 'L1', tags: ['internal'] }, false],
    [
      { custom_field: { name: 'Partner visible', equals: 'Yes' } },
      { listId: 'L1', tags: [], field: { definition: partnerVisible, stored: 'y' } },
      true,
    ],
    [
      { custom_field: { name: 'Partner visible', equals: 'Yes' } },
      { listId: 'L1', tags: [], field: { definition: partnerVisible, stored: 'n' } },
      false,
    ],
    [{ custom_field: { name: 'Partner visible', equals: 'Yes' } }, { listId: 'L1', tags: [] }, false],
  ])('%j on %j may update the partner: %s', (f, t, sync) => {
    expect(taskFilterVerdict(f, t).sync).toBe(sync);
  });
});

describe('user map', () => {
  const members = [
    { id: 1, email: 'ana.ops@example.com' },
    { id: 2, email: 'Ben.Legal@example.com' },
  ];
  const map = {
    overrides: { 'ops-lead': 'ana.ops@example.com', 'ben@old.example': 2 },
    partner_contacts: { 'buyer@acme.example': 'ben.legal@example.com' },
  };
  it.each([
    ['ana.ops@example.com', { id: 1, via: 'email' }],
    ['BEN.LEGAL@example.com', { id: 2, via: 'email' }],
    ['ops-lead', { id: 1, via: 'override' }],
    ['ben@old.example', { id: 2, via: 'override' }],
    ['2', { id: 2, via: 'id' }],
    ['nobody@example.com', null],
    ['99', null],
  ])('%s → %j', (ref, expected) => {
    expect(resolveUser(ref, map, members)).toEqual(expected);
  });

  it('partner contacts resolve through their own table', () => {
    expect(resolveUser('buyer@acme.example', map, members, 'partner_contacts')).toEqual({ id: 2, via: 'override' });
  });

  it('an unknown user is returned, not dropped', () => {
    expect(resolveUsers(['ops-lead', 'ghost@example.com', 'ana.ops@example.com'], map, members)).toEqual({
      ids: [1],
      unknown: ['ghost@example.com'],
    });
  });

  it.each([
    [{ partnerId: 'P-ACME', tier: 'strategic' as const, kind: 'dispute' as const }, ['dora']],
    [{ partnerId: 'P-GLOBEX', tier: 'standard' as const, kind: 'edi_exception' as const }, ['chen']],
    [{ partnerId: 'P-GLOBEX', tier: 'standard' as const, kind: 'dispute' as const }, ['ana']],
  ])('assign rules: first match wins for %j', (c, users) => {
    const rules = [
      { match: { tiers: ['strategic' as const] }, users: ['dora'] },
      { match: { kinds: ['edi_exception' as const] }, users: ['chen'] },
      { match: {}, users: ['ana'] },
    ];
    expect(assigneesFor(rules, c)).toEqual(users);
  });
});
