import { describe, expect, it } from 'vitest';
import { selectSlaPolicy, slaConfigSchema, type SlaSubject } from './slaPolicy.ts';

const config = slaConfigSchema.parse({
  default: { response_hours: 8, resolution_hours: 40 },
  policies: [
    { kind: 'dispute', tier: 'strategic', response_hours: 2, resolution_hours: 16 },
    { kind: 'dispute', resolution_hours: 24 },
    { tier: 'strategic', response_hours: 4 },
    { kind: 'fa_overdue', resolution_hours: 4, reminder_at: [0.5] },
    { kind: 'edi_exception', tier: 'standard', resolution_hours: 60 },
  ],
});

describe('selectSlaPolicy: exception+tier → exception → kind+tier → kind → tier → default', () => {
  it.each<[string, SlaSubject, string, number, number]>([
    ['kind and tier', { kind: 'dispute', tier: 'strategic' }, 'policies[0] (kind=dispute, tier=strategic)', 2, 16],
    [
      'kind only (tier has no kind policy)',
      { kind: 'dispute', tier: 'standard' },
      'policies[1] (kind=dispute, tier=any)',
      8,
      24,
    ],
    [
      'tier only, inheriting the rest from default',
      { kind: 'shipment_exception', tier: 'strategic' },
      'policies[2] (kind=any, tier=strategic)',
      4,
      40,
    ],
    ['nothing specific', { kind: 'shipment_exception', tier: 'standard' }, 'default', 8, 40],
    ['no tier known', { kind: 'compliance_issue', tier: null }, 'default', 8, 40],
    [
      'an EDI exception beats its kind+tier',
      { kind: 'edi_exception', exception: 'fa_overdue', tier: 'standard' },
      'policies[3] (kind=fa_overdue, tier=any)',
      8,
      4,
    ],
    [
      'another EDI exception falls back to kind+tier',
      { kind: 'edi_exception', exception: 'asn_missing', tier: 'standard' },
      'policies[4] (kind=edi_exception, tier=standard)',
      8,
      60,
    ],
  ])('%s', (_name, subject, source, response, resolution) => {
    const choice = selectSlaPolicy(subject, config);
    expect(choice.source).toBe(source);
    expect(choice.policy.response_hours).toBe(response);
    expect(choice.policy.resolution_hours).toBe(resolution);
  });

  it('fills policy defaults: a 75 % reminder, at risk from 75 %, one escalation at breach', () => {
    expect(config.default).toEqual({
      response_hours: 8,
      resolution_hours: 40,
      reminder_at: [0.75],
      at_risk_at: 0.75,
      escalation_levels: [{ after: 1, set_partner_status: false, priority: 2 }],
    });
    expect(config.pause_statuses).toEqual(['awaiting_documents']);
  });
});

describe('slaConfigSchema', () => {
  const dflt = { response_hours: 8, resolution_hours: 40 };
  it.each<[string, unknown, string, string]>([
    ['a missing default', { policies: [] }, 'default', 'expected object, received undefined'],
    [
      'a non-positive target',
      { default: { ...dflt, resolution_hours: 0 } },
      'default.resolution_hours',
      'expected number to be >0',
    ],
    [
      'a reminder past the breach',
      { default: { ...dflt, reminder_at: [1.2] } },
      'default.reminder_at.0',
      '0 < share ≤ 1',
    ],
    ['a reminder listed twice', { default: { ...dflt, reminder_at: [0.5, 0.5] } }, 'default.reminder_at', 'twice'],
    [
      'a level with both after and after_hours',
      { default: { ...dflt, escalation_levels: [{ after: 1, after_hours: 8 }] } },
      'default.escalation_levels.0',
      'exactly one of',
    ],
    [
      'a ladder that does not climb',
      { default: { ...dflt, escalation_levels: [{ after: 1 }, { after_hours: 20 }] } },
      'default.escalation_levels.1',
      'must climb',
    ],
    [
      'an override that breaks the ladder of the default',
      {
        default: { ...dflt, escalation_levels: [{ after: 1 }, { after_hours: 60 }] },
        policies: [{ kind: 'dispute', resolution_hours: 80 }],
      },
      'policies.0.escalation_levels.1',
      'must climb',
    ],
    [
      'an override without kind or tier',
      { default: dflt, policies: [{ resolution_hours: 4 }] },
      'policies.0',
      'needs `kind` and/or `tier`',
    ],
    [
      'an unknown kind',
      { default: dflt, policies: [{ kind: 'complaint', resolution_hours: 4 }] },
      'policies.0.kind',
      'unknown kind',
    ],
    [
      'an unknown tier',
      { default: dflt, policies: [{ tier: 'gold', resolution_hours: 4 }] },
      'policies.0.tier',
      'unknown tier',
    ],
    [
      'a duplicate override',
      {
        default: dflt,
        policies: [
          { kind: 'dispute', resolution_hours: 4 },
          { kind: 'dispute', resolution_hours: 5 },
        ],
      },
      'policies.1',
      'duplicate policy',
    ],
    [
      'resolved as a pause status',
      { default: dflt, pause_statuses: ['resolved'] },
      'pause_statuses',
      'stops the clock',
    ],
    ['a misspelt key', { default: { ...dflt, reminders: [0.5] } }, 'default', 'reminders'],
  ])('rejects %s', (_name, input, path, message) => {
    const r = slaConfigSchema.safeParse(input);
    expect(r.success).toBe(false);
    const issue = r.error!.issues[0]!;
    expect(issue.path.join('.')).toBe(path);
    expect(issue.message).toContain(message);
  });
});
