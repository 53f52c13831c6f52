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
});
