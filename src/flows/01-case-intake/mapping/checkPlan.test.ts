import { describe, expect, it } from 'vitest';
import { checkMappings, checkUpdateFilter, checkUsers } from './check.ts';
import { planTaskFields } from './plan.ts';
import type { FieldDefinition, FieldMapping } from './types.ts';
import type { CaseRecord } from '../../../core/case.ts';

const fields: FieldDefinition[] = [
  {
    id: 'f-sev',
    name: 'Severity',
    type: 'drop_down',
    options: [
      { id: 'o1', name: 'Low' },
      { id: 'o2', name: 'High' },
    ],
  },
  { id: 'f-val', name: 'Amount', type: 'currency' },
  { id: 'f-due', name: 'Partner SLA', type: 'date' },
  { id: 'f-str', name: 'Strategic', type: 'checkbox' },
];
const base = {
  direction: 'to_clickup',
  owner: 'tradinggrid',
  unmapped_to_clickup: 'skip',
  unmapped_to_tradinggrid: 'skip',
} as const;
const severity: FieldMapping = {
  ...base,
  name: 'severity',
  tradinggrid: 'tier',
  clickup: { custom_field: 'Severity' },
  values: [
    { tradinggrid: ['strategic', 'preferred'], clickup: 'High' },
    { tradinggrid: 'standard', clickup: 'Low' },
  ],
};
const list = { listId: 'L1', fields, statuses: ['open', 'In review', 'QA', 'resolved'] };

describe('mapping checks against the list', () => {
  it.each<[string, FieldMapping, string | null]>([
    ['a fitting drop-down map', severity, null],
    [
      'an option the list lacks',
      { ...severity, values: [{ tradinggrid: 'strategic', clickup: 'Critical' }] },
      '"Critical" is not an option of drop_down field "Severity"',
    ],
    ['a missing field', { ...severity, clickup: { custom_field: 'Sevrity' } }, 'has no custom field named "Sevrity"'],
    [
      'a number into a drop-down without a map',
      { ...base, name: 'amount', tradinggrid: 'value', clickup: { custom_field: 'Severity' } },
      'type mismatch',
    ],
    [
      'a value into currency',
      { ...base, name: 'amount', tradinggrid: 'value', clickup: { custom_field: 'Amount' } },
      null,
    ],
    [
      'text into a date',
      { ...base, name: 'due', tradinggrid: 'partner', clickup: { custom_field: 'Partner SLA' } },
      'type mismatch',
    ],
    [
      'a checkbox through a map',
      {
        ...base,
        name: 'strategic',
        tradinggrid: 'tier',
        clickup: { custom_field: 'Strategic' },
        values: [{ tradinggrid: 'strategic', clickup: true }],
        unmapped_to_clickup: { value: false },
      },
      null,
    ],
    [
      'a checkbox map with a non-boolean',
      {
        ...base,
        name: 'strategic',
        tradinggrid: 'tier',
        clickup: { custom_field: 'Strategic' },
        values: [{ tradinggrid: 'strategic', clickup: 'yes' }],
      },
      'type mismatch',
    ],
    [
      'a status the list lacks',
      {
        ...base,
        name: 'status',
        tradinggrid: 'status',
        clickup: 'status',
        direction: 'both',
        values: [{ tradinggrid: 'in_review', clickup: ['QA', 'Review'] }],
      },
      'has no status "Review"',
    ],
    [
      'a partner status that does not exist',
      {
        ...base,
        name: 'status',
        tradinggrid: 'status',
        clickup: 'status',
        direction: 'both',
        values: [{ tradinggrid: 'investigating', clickup: 'QA' }],
      },
      '"investigating" is not a partner status',
    ],
    [
      'a priority map',
      {
        ...base,
        name: 'prio',
        tradinggrid: 'tier',
        clickup: 'priority',
        values: [{ tradinggrid: 'strategic', clickup: 'urgent' }],
      },
      null,
    ],
    [
      'a bad priority',
      {
        ...base,
        name: 'prio',
        tradinggrid: 'tier',
        clickup: 'priority',
        values: [{ tradinggrid: 'strategic', clickup: 'asap' }],
      },
      'not a ClickUp priority',
    ],
  ])('%s', (_what, m, problem) => {
    const r = checkMappings([m], list);
    if (problem === null) expect(r.errors).toEqual([]);
    else {
      expect(r.errors.join('\n')).toContain(problem);
      expect(r.errors[0]).toContain(`mapping "${m.name}"`);
    }
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]!.ok).toBe(problem === null);
  });

  it.each([
    [{ name: 'Strategic', equals: true }, []],
    [{ name: 'Severity', equals: ['High', 'Low'] }, []],
    [
      { name: 'Severity', equals: 'Urgent' },
      [
        'mapping.filters.clickup_updates.custom_field: "Urgent" is not an option of drop_down field "Severity" (options now: Low, High)',
      ],
    ],
    [
      { name: 'Visible', equals: true },
      ['mapping.filters.clickup_updates.custom_field: list L1 has no custom field named "Visible"'],
    ],
  ])('update filter %j: %j', (f, problems) => {
    expect(checkUpdateFilter(f, 'L1', fields)).toEqual(problems);
  });

  it('users the config names must be members', () => {
    const r = checkUsers(
      { overrides: { lead: 'ghost@example.com' }, partner_contacts: {} },
      [{ match: {}, users: ['ana@example.com'] }],
      [{ id: 1, email: 'ana@example.com' }],
    );
    expect(r.errors).toEqual([
      'mapping.users.overrides["lead"]: "ghost@example.com" is not a member of the ClickUp workspace (matched by e-mail, or a user id)',
    ]);
  });
});

const record: CaseRecord = {
  id: 'C-1',
  source: 'community',
  partnerId: 'P-ACME',
  partnerName: 'Acme',
  partnerTier: 'preferred',
  kind: 'dispute',
  title: 't',
  description: '',
  transactionRef: null,
  value: { amount: 48_250.5, currency: 'USD' },
  partnerStatus: 'received',
  state: 'active',
  holdReason: null,
  slaDueAt: 1_764_000_000_000,
  openedAt: 1,
  resolvedAt: null,
  updatedAt: 1,
};

describe('fields written on a new task', () => {
  it('grouped tier → drop-down option id, amount → currency, SLA → date, priority from the tier', () => {
    const plan = planTaskFields(
      [
        severity,
        { ...base, name: 'amount', tradinggrid: 'value', clickup: { custom_field: 'Amount' } },
        { ...base, name: 'due', tradinggrid: 'sla_due', clickup: { custom_field: 'Partner SLA' } },
        {
          ...base,
          name: 'prio',
          tradinggrid: 'tier',
          clickup: 'priority',
          values: [{ tradinggrid: 'preferred', clickup: 'urgent' }],
        },
      ],
      record,
      fields,
    );
    expect(plan).toEqual({
      customFields: [
        { id: 'f-sev', value: 'o2', field: 'Severity', mapping: 'severity' },
        { id: 'f-val', value: 48_250.5, field: 'Amount', mapping: 'amount' },
        { id: 'f-due', value: 1_764_000_000_000, field: 'Partner SLA', mapping: 'due' },
      ],
      priority: 1,
      skipped: [],
      errors: [],
    });
  });

  it('an option renamed in ClickUp since the check is an error naming field and option, and nothing is written for it', () => {
    const renamed = fields.map((f) =>
      f.id === 'f-sev'
        ? {
            ...f,
            options: [
              { id: 'o1', name: 'Low' },
              { id: 'o2', name: 'Critical' },
            ],
          }
        : f,
    );
    const plan = planTaskFields([severity], record, renamed);
    expect(plan.customFields).toEqual([]);
    expect(plan.errors).toEqual([
      'severity: "High" is not an option of drop_down field "Severity" (options now: Low, Critical)',
    ]);
  });

  it('an unmapped value with rule skip is reported, not written', () => {
    const plan = planTaskFields(
      [{ ...severity, values: [{ tradinggrid: 'strategic', clickup: 'High' }] }],
      record,
      fields,
    );
    expect(plan.customFields).toEqual([]);
    expect(plan.skipped[0]).toContain('"preferred" has no entry');
  });
});
