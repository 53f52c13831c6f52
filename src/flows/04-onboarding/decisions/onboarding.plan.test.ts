import { describe, expect, it } from 'vitest';
import {
  decideOnboardingIntake,
  decidePartnerStatusChange,
  decideStepProgress,
  type OnboardingFlowConfig,
  type OnboardingRecord,
} from './onboarding.ts';

// Flow 4's decisions checked whole (the plan a group is built from, every job, every note) rather than by job
// keys: the first mutation run found most of the plan's text, dates and fields unchecked.

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 7);

const config: OnboardingFlowConfig = {
  listId: 'L',
  keyField: 'Gridbridge key',
  fieldNames: { partner: 'Partner' },
  groups: {
    standard: {
      parentName: 'Onboarding: {partner} / {partner}',
      steps: [
        { key: 'contract', name: 'Contract review', assignees: [1], checklist: ['sign'], dueDays: 3, dependsOn: [] },
        {
          key: 'edi',
          name: 'EDI setup',
          workstream: 'EDI',
          assignees: [],
          checklist: [],
          dueDays: 10,
          dependsOn: ['contract', 'legacy'],
          partnerStatus: 'testing',
        },
        { key: 'cutover', name: 'Cut-over', assignees: [], checklist: [], dueDays: 7, dependsOn: ['edi'] },
      ],
    },
    compliance: {
      templateName: 'Compliance',
      parentName: 'Compliance: {title}',
      steps: [
        {
          key: 'evidence',
          name: 'Evidence',
          assignees: [],
          checklist: [],
          dueDays: 2,
          dependsOn: [],
          partnerStatus: 'active',
        },
      ],
    },
  },
  select: { byTrigger: { compliance_requirement: 'compliance' }, byTier: {}, default: 'standard' },
  initialPartnerStatus: 'registering',
};

const partner = {
  trigger: 'trading_partner' as const,
  groupId: 'P-1',
  partnerId: 'P-1',
  partnerName: 'Nova',
  partnerTier: null,
  partnerStatus: 'invited',
  title: 'Nova GmbH',
};

describe('decideOnboardingIntake builds the whole plan', () => {
  it('a new trading partner', () => {
    const d = decideOnboardingIntake({ trigger: partner, existing: null, config, now: NOW })!;
    expect(d).toStrictEqual({
      record: {
        groupId: 'P-1',
        trigger: 'trading_partner',
        group: 'standard',
        partnerId: 'P-1',
        partnerName: 'Nova',
        title: 'Nova GmbH',
        milestones: { edi: 'testing' },
        closed: [],
        partnerStatus: 'registering',
      },
      jobs: [
        {
          kind: 'group.build',
          key: 'group.build:onboarding:P-1:0',
          queueKey: 'onboarding:P-1',
          payload: {
            index: 0,
            plan: {
              entity: 'onboarding',
              groupId: 'P-1',
              listId: 'L',
              keyField: 'Gridbridge key',
              fieldNames: { partner: 'Partner' },
              parent: {
                templateName: undefined,
                name: 'Onboarding: Nova / Nova',
                markdown: 'New trading partner: **Nova GmbH**\n\nPartner: Nova (P-1)\nGroup: standard',
                assignees: [],
                dueAt: NOW + 10 * DAY,
                tags: ['gridbridge', 'onboarding'],
                fields: { partner: 'Nova', partner_id: 'P-1' },
              },
              steps: [
                {
                  key: 'contract',
                  name: 'Contract review',
                  markdown: 'Contract review for Nova.',
                  assignees: [1],
                  dueAt: NOW + 3 * DAY,
                  checklist: ['sign'],
                  dependsOn: [],
                  fields: { partner: 'Nova', partner_id: 'P-1', workstream: null },
                },
                {
                  key: 'edi',
                  name: 'EDI setup',
                  markdown:
                    'EDI setup for Nova.\n\nWaits for: Contract review, legacy.\n\nClosing this moves the partner to **testing** on Trading Grid.',
                  assignees: [],
                  dueAt: NOW + 10 * DAY,
                  checklist: [],
                  dependsOn: ['contract', 'legacy'],
                  fields: { partner: 'Nova', partner_id: 'P-1', workstream: 'EDI' },
                },
                {
                  key: 'cutover',
                  name: 'Cut-over',
                  markdown: 'Cut-over for Nova.\n\nWaits for: EDI setup.',
                  assignees: [],
                  dueAt: NOW + 7 * DAY,
                  checklist: [],
                  dependsOn: ['edi'],
                  fields: { partner: 'Nova', partner_id: 'P-1', workstream: null },
                },
              ],
            },
          },
        },
        {
          kind: 'onboarding.set_partner_status',
          key: 'onboarding.set_partner_status:P-1:registering',
          queueKey: 'partner:P-1',
          payload: { partnerId: 'P-1', status: 'registering' },
        },
      ],
    });
  });

  it('a compliance requirement: its own group, no milestones, no partner moves, no partner id shown', () => {
    const d = decideOnboardingIntake({
      trigger: { ...partner, trigger: 'compliance_requirement', groupId: 'CR:9', partnerId: null, title: 'ISO 9001' },
      existing: null,
      config,
      now: NOW,
    })!;
    expect(d.record.milestones).toStrictEqual({});
    expect(d.record.group).toBe('compliance');
    expect(d.jobs).toHaveLength(1);
    const plan = (d.jobs[0]!.payload as { plan: { parent: Record<string, unknown>; steps: { markdown: string }[] } })
      .plan;
    expect(plan.parent).toMatchObject({
      templateName: 'Compliance',
      name: 'Compliance: ISO 9001',
      markdown: 'Compliance requirement: **ISO 9001**\n\nPartner: Nova\nGroup: compliance',
      dueAt: NOW + 2 * DAY,
      fields: { partner: 'Nova', partner_id: null },
    });
    // A milestone step outside a partner's onboarding says nothing about moving the partner.
    expect(plan.steps[0]!.markdown).toBe('Evidence for Nova.');
  });

  it('a trading partner without a partner id gets no milestones and no status move', () => {
    const d = decideOnboardingIntake({ trigger: { ...partner, partnerId: null }, existing: null, config, now: NOW })!;
    expect(d.record.milestones).toStrictEqual({});
    expect(d.jobs.map((j) => j.kind)).toEqual(['group.build']);
  });

  it('a group with no steps is due now', () => {
    const d = decideOnboardingIntake({
      trigger: partner,
      existing: null,
      config: { ...config, groups: { standard: { parentName: 'x', steps: [] } } },
      now: NOW,
    })!;
    expect((d.jobs[0]!.payload as { plan: { parent: { dueAt: number } } }).plan.parent.dueAt).toBe(NOW);
  });

  it.each([
    ['a partner whose status is unknown is not moved', null, null],
    ['a partner already at the initial status is not moved again', 'registering', 'registering'],
  ])('%s', (_n, status, recorded) => {
    const d = decideOnboardingIntake({
      trigger: { ...partner, partnerStatus: status },
      existing: null,
      config,
      now: NOW,
    })!;
    expect(d.jobs.map((j) => j.kind)).toEqual(['group.build']);
    expect(d.record.partnerStatus).toBe(recorded);
  });

  it('a group the config does not have is an error naming it', () => {
    expect(() =>
      decideOnboardingIntake({
        trigger: partner,
        existing: null,
        config: { ...config, select: { ...config.select, default: 'missing' } },
        now: NOW,
      }),
    ).toThrow('onboarding group "missing" is not configured');
  });
});

describe('decideStepProgress edges', () => {
  const rec: OnboardingRecord = {
    groupId: 'P-1',
    trigger: 'trading_partner',
    group: 'standard',
    partnerId: 'P-1',
    partnerName: 'Nova',
    title: 'Nova',
    milestones: { edi: 'testing', parent: 'active' },
    closed: [],
    partnerStatus: 'registering',
  };
  it('the parent task closing is not a step', () =>
    expect(decideStepProgress({ record: rec, step: 'parent', finished: true })).toBeNull());
  it('a milestone at the status the partner already has moves nothing', () =>
    expect(
      decideStepProgress({ record: { ...rec, partnerStatus: 'testing' }, step: 'edi', finished: true })!.jobs,
    ).toEqual([]));
  it('a partner with no status known counts as invited', () =>
    expect(decideStepProgress({ record: { ...rec, partnerStatus: null }, step: 'edi', finished: true })).toStrictEqual({
      record: { ...rec, partnerStatus: 'testing', closed: ['edi'] },
      jobs: [
        {
          kind: 'onboarding.set_partner_status',
          key: 'onboarding.set_partner_status:P-1:testing',
          queueKey: 'partner:P-1',
          payload: { partnerId: 'P-1', status: 'testing' },
        },
      ],
    }));
});

describe('decidePartnerStatusChange edges', () => {
  const rec: OnboardingRecord = {
    groupId: 'P-9',
    trigger: 'trading_partner',
    group: 'standard',
    partnerId: 'P-9',
    partnerName: 'Nova',
    title: 'Nova',
    milestones: { a: 'registering', b: 'active', c: 'testing' },
    closed: [],
    partnerStatus: 'registering',
  };

  it('pausing: the note says who and why, keyed by the event', () => {
    expect(decidePartnerStatusChange({ record: rec, status: 'inactive', seq: 7 })).toStrictEqual({
      record: { ...rec, pausedFor: 'inactive' },
      jobs: [
        {
          kind: 'onboarding.note',
          key: 'onboarding.note:P-9:7',
          queueKey: 'onboarding:P-9',
          payload: {
            groupId: 'P-9',
            text: 'gridbridge: Nova is inactive on Trading Grid: onboarding paused. Closing steps now moves nothing on Trading Grid until the partner is reactivated.',
          },
        },
      ],
    });
  });

  it.each<[string, Partial<OnboardingRecord>, string, string | null]>([
    ['resumed with nothing closed: no move', { closed: [] }, 'registering', null],
    [
      'the furthest milestone closed meanwhile wins, whatever the order',
      { closed: ['a', 'b', 'c'] },
      'registering',
      'active',
    ],
    ['the furthest milestone, listed first', { closed: ['b', 'a'] }, 'registering', 'active'],
    ['not past the status it comes back with', { closed: ['c'] }, 'testing', null],
    ['not past the status the bridge set', { closed: ['c'], partnerStatus: 'testing' }, 'registering', null],
    ['no status known counts as invited', { closed: ['a'], partnerStatus: null }, 'invited', 'registering'],
    ['a partner without id is not moved', { closed: ['b'], partnerId: null }, 'registering', null],
    ['closed steps that are no milestones move nothing', { closed: ['x'] }, 'registering', null],
  ])('%s', (_n, o, status, moved) => {
    const d = decidePartnerStatusChange({ record: { ...rec, pausedFor: 'inactive', ...o }, status, seq: 3 })!;
    expect(d.jobs[0]).toStrictEqual({
      kind: 'onboarding.note',
      key: 'onboarding.note:P-9:3',
      queueKey: 'onboarding:P-9',
      payload: { groupId: 'P-9', text: `gridbridge: Nova is ${status} again on Trading Grid: onboarding resumed.` },
    });
    expect(d.jobs.slice(1).map((j) => (j.payload as { status: string }).status)).toEqual(moved ? [moved] : []);
    expect(d.record.pausedFor).toBeNull();
    expect(d.record.partnerStatus).toBe(moved ?? o.partnerStatus ?? rec.partnerStatus);
  });
});
