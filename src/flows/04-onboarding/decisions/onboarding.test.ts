import { describe, expect, it } from 'vitest';
import {
  decideOnboardingIntake,
  decidePartnerStatusChange,
  decideStepProgress,
  selectGroup,
  type OnboardingFlowConfig,
  type OnboardingRecord,
} from './onboarding.ts';

const step = (key: string, o: Partial<OnboardingFlowConfig['groups'][string]['steps'][number]> = {}) => ({
  key,
  name: key,
  assignees: [],
  checklist: [],
  dueDays: 5,
  dependsOn: [],
  ...o,
});
const config: OnboardingFlowConfig = {
  listId: 'L',
  keyField: 'Gridbridge key',
  fieldNames: {},
  groups: {
    standard: {
      parentName: 'Onboarding: {partner}',
      steps: [
        step('contract_review'),
        step('edi_setup', { dependsOn: ['contract_review'], partnerStatus: 'testing' }),
        step('cutover', { dependsOn: ['edi_setup'], partnerStatus: 'active' }),
      ],
    },
    strategic: { templateName: 'Partner onboarding', parentName: 'VIP: {partner}', steps: [step('contract_review')] },
    compliance: { parentName: 'Compliance: {title}', steps: [step('evidence')] },
  },
  select: {
    byTrigger: { compliance_requirement: 'compliance' },
    byTier: { strategic: 'strategic' },
    default: 'standard',
  },
  initialPartnerStatus: 'registering',
};
const trigger = (o: Record<string, unknown> = {}) => ({
  trigger: 'trading_partner' as const,
  groupId: 'P-1',
  partnerId: 'P-1',
  partnerName: 'Nova',
  partnerTier: 'standard' as const,
  partnerStatus: 'invited',
  title: 'Nova',
  ...o,
});

describe('selectGroup', () => {
  it.each<[string, 'trading_partner' | 'compliance_requirement', any, string]>([
    ['a standard partner gets the default group', 'trading_partner', 'standard', 'standard'],
    ['a strategic partner gets its tier group', 'trading_partner', 'strategic', 'strategic'],
    [
      'a compliance requirement gets its trigger group whatever the tier',
      'compliance_requirement',
      'strategic',
      'compliance',
    ],
    ['an unknown tier falls to the default', 'trading_partner', null, 'standard'],
  ])('%s', (_n, t, tier, group) => expect(selectGroup({ trigger: t, tier }, config.select)).toBe(group));
});

describe('decideOnboardingIntake', () => {
  it('a new partner gets one group build and moves to registering', () => {
    const d = decideOnboardingIntake({ trigger: trigger(), existing: null, config, now: 0 })!;
    expect(d.jobs.map((j) => j.key)).toEqual([
      'group.build:onboarding:P-1:0',
      'onboarding.set_partner_status:P-1:registering',
    ]);
    const plan = (d.jobs[0]!.payload as any).plan;
    expect(plan.parent.name).toBe('Onboarding: Nova');
    expect(plan.steps.map((s: any) => s.dependsOn)).toEqual([[], ['contract_review'], ['edi_setup']]);
    expect(d.record.milestones).toEqual({ edi_setup: 'testing', cutover: 'active' });
  });
  it.each<[string, Record<string, unknown>, OnboardingRecord | null, string[] | null]>([
    [
      'a partner created twice (CSV re-import) gets nothing the second time',
      {},
      { groupId: 'P-1' } as OnboardingRecord,
      null,
    ],
    [
      'a partner already past registering is not moved back',
      { partnerStatus: 'testing' },
      null,
      ['group.build:onboarding:P-1:0'],
    ],
    [
      'a compliance requirement never changes the partner status',
      { trigger: 'compliance_requirement', groupId: 'CR:9' },
      null,
      ['group.build:onboarding:CR:9:0'],
    ],
  ])('%s', (_n, o, existing, keys) => {
    const d = decideOnboardingIntake({ trigger: trigger(o), existing, config, now: 0 });
    expect(d ? d.jobs.map((j) => j.key) : null).toEqual(keys);
  });
});

describe('decideStepProgress', () => {
  const rec: OnboardingRecord = {
    groupId: 'P-1',
    trigger: 'trading_partner',
    group: 'standard',
    partnerId: 'P-1',
    partnerName: 'Nova',
    title: 'Nova',
    milestones: { edi_setup: 'testing', cutover: 'active' },
    closed: [],
    partnerStatus: 'registering',
  };
  it.each<[string, Partial<OnboardingRecord>, string, boolean, string[] | null]>([
    ['closing a plain step records it and moves nothing', {}, 'contract_review', true, []],
    [
      'closing EDI setup moves the partner to testing',
      {},
      'edi_setup',
      true,
      ['onboarding.set_partner_status:P-1:testing'],
    ],
    [
      'closing the cut-over moves it to active',
      { partnerStatus: 'testing' },
      'cutover',
      true,
      ['onboarding.set_partner_status:P-1:active'],
    ],
    ["a milestone behind the partner's status moves nothing", { partnerStatus: 'active' }, 'edi_setup', true, []],
    ['a step closed before (a repeat or an echo) is nothing', { closed: ['edi_setup'] }, 'edi_setup', true, null],
    ['an open step is nothing', {}, 'edi_setup', false, null],
  ])('%s', (_n, o, stepKey, finished, keys) => {
    const d = decideStepProgress({ record: { ...rec, ...o }, step: stepKey, finished });
    expect(d ? d.jobs.map((j) => j.key) : null).toEqual(keys);
  });
});

describe('an inactive partner pauses its onboarding', () => {
  const rec: OnboardingRecord = {
    groupId: 'P-9',
    trigger: 'trading_partner',
    group: 'standard',
    partnerId: 'P-9',
    partnerName: 'Nova',
    title: 'Nova',
    milestones: { edi_setup: 'testing', cutover: 'active' },
    closed: [],
    partnerStatus: 'registering',
  };
  it('inactive pauses once, with a note; milestones closed meanwhile move nothing', () => {
    const p = decidePartnerStatusChange({ record: rec, status: 'inactive', seq: 1 })!;
    expect(p.record.pausedFor).toBe('inactive');
    expect(p.jobs.map((j) => j.kind)).toEqual(['onboarding.note']);
    expect(decidePartnerStatusChange({ record: p.record, status: 'inactive', seq: 2 })).toBeNull();
    const step = decideStepProgress({ record: p.record, step: 'edi_setup', finished: true })!;
    expect(step.jobs).toEqual([]);
    expect(step.record.closed).toEqual(['edi_setup']);
    const r = decidePartnerStatusChange({ record: step.record, status: 'registering', seq: 3 })!;
    expect(r.record.pausedFor).toBeNull();
    expect(r.jobs.map((j) => [j.kind, 'status' in j.payload ? j.payload.status : null])).toEqual([
      ['onboarding.note', null],
      ['onboarding.set_partner_status', 'testing'],
    ]);
  });
  it('a status change on a group that is not paused (our own echo) changes nothing', () => {
    expect(decidePartnerStatusChange({ record: rec, status: 'testing', seq: 1 })).toBeNull();
  });
});
