import { describe, expect, it } from 'vitest';
import { decideBulkHold, heldEntityOf, PARTNER_VISIBLE_JOB_KINDS } from './bulkGuard.ts';

describe('bulk-change guard decisions', () => {
  it.each([
    ['tradinggrid.set_status', { caseId: 'C-1', status: 'resolved' }, { entity: 'case', id: 'C-1' }],
    ['approval.post_decision', { requestId: 'R-1', outcome: 'approved' }, { entity: 'approval', id: 'R-1' }],
    ['approval.post_comment', { requestId: 'R-2', text: 'x' }, { entity: 'approval', id: 'R-2' }],
    ['onboarding.set_partner_status', { partnerId: 'P-1', status: 'testing' }, { entity: 'onboarding', id: 'P-1' }],
    ['rollout.start', { rolloutId: 'cu:9', title: 'New labels' }, { entity: 'rollout', id: 'cu:9' }],
  ])('%s is partner-visible and held on its own record', (kind, payload, on) => {
    expect(PARTNER_VISIBLE_JOB_KINDS.has(kind)).toBe(true);
    expect(heldEntityOf(kind, payload)).toEqual(on);
  });

  it('internal kinds (task creation, ClickUp comments) are never counted', () => {
    for (const k of [
      'approval.create_task',
      'clickup.add_comment',
      'group.build',
      'rollout.sync_acks',
      'approval.close_task',
    ])
      expect(PARTNER_VISIBLE_JOB_KINDS.has(k)).toBe(false);
  });

  it('holds from the change past the limit; 0 turns the guard off', () => {
    const g = { max: 2, windowMs: 300_000 };
    expect(decideBulkHold(1, g, 'ana').hold).toBe(false);
    expect(decideBulkHold(2, g, 'ana')).toEqual({
      hold: true,
      reason: 'ana made more than 2 partner-visible changes in 5 minute(s): held until an admin releases or drops them',
    });
    expect(decideBulkHold(500, { max: 0, windowMs: 1 }, 'ana').hold).toBe(false);
  });

  it.each([
    ['tradinggrid.set_case_fields', { caseId: 'C-2', fields: {} }, { entity: 'case', id: 'C-2' }],
    ['tradinggrid.add_comment', { caseId: 'C-3', text: 'x' }, { entity: 'case', id: 'C-3' }],
    ['tradinggrid.upload_document', { caseId: 'C-4', documentId: 'D-1' }, { entity: 'case', id: 'C-4' }],
  ])('%s is partner-visible too', (kind, payload, on) => {
    expect(PARTNER_VISIBLE_JOB_KINDS.has(kind)).toBe(true);
    expect(heldEntityOf(kind, payload)).toEqual(on);
  });

  it.each([
    ['no payload', 'tradinggrid.set_status', null, { entity: 'case', id: '' }],
    ['an id that is not a string', 'approval.post_decision', { requestId: 7 }, { entity: 'approval', id: '' }],
    [
      'a group job: its plan',
      'group.create_task',
      { plan: { entity: 'onboarding', groupId: 'G-1' } },
      { entity: 'onboarding', id: 'G-1' },
    ],
    ['a group job without plan', 'group.create_task', {}, { entity: '', id: '' }],
    [
      'a ClickUp change held for the mapping',
      'cu.event',
      { task_id: 't1', held_for: { entity: 'case', id: 'C-9' } },
      { entity: 'case', id: 'C-9' },
    ],
    [
      'a ClickUp change held for nothing named',
      'cu.event',
      { task_id: 't1', held_for: { id: 'C-9' } },
      { entity: 'clickup_task', id: 't1' },
    ],
    ['a ClickUp change without held_for', 'cu.event', { task_id: 't2' }, { entity: 'clickup_task', id: 't2' }],
    ['a kind ending like another', 'x.approval.', { caseId: 'C-5', requestId: 'R' }, { entity: 'case', id: 'C-5' }],
  ])('heldEntityOf: %s', (_n, kind, payload, on) => {
    expect(heldEntityOf(kind, payload)).toStrictEqual(on);
  });

  it.each([
    ['under the limit', 0, { max: 1, windowMs: 60_000 }, { hold: false }],
    [
      'at the limit',
      1,
      { max: 1, windowMs: 60_000 },
      {
        hold: true,
        reason:
          'bo made more than 1 partner-visible changes in 1 minute(s): held until an admin releases or drops them',
      },
    ],
    [
      'a window rounded to minutes',
      3,
      { max: 3, windowMs: 90_000 },
      {
        hold: true,
        reason:
          'bo made more than 3 partner-visible changes in 2 minute(s): held until an admin releases or drops them',
      },
    ],
    ['off (0), nothing counted yet', 0, { max: 0, windowMs: 60_000 }, { hold: false }],
    ['off (negative)', 5, { max: -1, windowMs: 60_000 }, { hold: false }],
  ])('decideBulkHold: %s', (_n, recent, g, want) => {
    expect(decideBulkHold(recent, g, 'bo')).toStrictEqual(want);
  });
});
