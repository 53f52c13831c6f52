import { describe, expect, it } from 'vitest';
import { checkStatusMap, decideFirstStatus, toClickUpStatus, toPartnerStatus } from './statusMap.ts';
import type { PartnerStatus } from '../../../core/case.ts';

const map: Record<string, PartnerStatus> = { Open: 'received', 'In Review': 'in_review', QA: 'in_review', Resolved: 'resolved' };

describe('status map', () => {
  it.each([
    ['in review', 'in_review'],
    ['QA', 'in_review'],
    ['  resolved ', 'resolved'],
    ['blocked', null],
  ])('ClickUp %j → partner %j', (cu, partner) => expect(toPartnerStatus(cu, map)).toBe(partner));

  it.each<[PartnerStatus, Partial<Record<PartnerStatus, string>>, string | null]>([
    ['in_review', {}, 'In Review'],
    ['in_review', { in_review: 'QA' }, 'QA'],
    ['escalated', {}, null],
  ])('partner %j (back %j) → ClickUp %j', (p, back, cu) => expect(toClickUpStatus(p, map, back)).toBe(cu));

  it('names a mapped status the list lacks, and warns about unmapped list statuses', () => {
    const r = checkStatusMap('L1', map, {}, ['open', 'in review', 'resolved', 'blocked']);
    expect(r.errors).toEqual(['list L1 has no status "QA" (clickup.status_map / status_to_clickup); its statuses: open, in review, resolved, blocked']);
    expect(r.warnings).toEqual(['ClickUp status "blocked" on list L1 is not in clickup.status_map: moving a task there is not sent to the partner']);
  });
});

describe('decideFirstStatus (a task created for a case that may be old)', () => {
  const statusMap = { open: 'received', received: 'received', 'in review': 'in_review', 'awaiting documents': 'awaiting_documents', escalated: 'escalated', resolved: 'resolved' } as const;
  it.each([
    ['open', 'received', null, 'received'],
    ['received', 'received', 'open', null],
    ['in_review', 'received', 'in review', null],
    ['resolved', 'received', 'resolved', null],
    ['escalated', 'received', 'escalated', null],
    ['open', null, null, null],
    ['received', 'in_review', 'open', 'in_review'],
    ['resolved', 'in_review', 'resolved', null],
  ] as const)('the partner sees %s, status_on_task_created %s: task in %j, partner gets %j', (partnerSees, onCreated, taskStatus, toPartner) => {
    expect(decideFirstStatus({ partnerSees, onCreated, statusMap, back: {}, direction: 'both' })).toEqual({ taskStatus, toPartner });
  });

  it.each([
    ['both', 'open', 'received', null, 'received'],
    ['both', 'in_review', 'resolved', 'in review', 'resolved'],
    // Trading Grid → ClickUp only: the task takes the case's state, the partner is never written.
    ['to_clickup', 'open', 'received', null, null],
    ['to_clickup', 'in_review', 'resolved', 'in review', null],
    // ClickUp → Trading Grid only: the new task is not set from Trading Grid; the partner still hears a step forward.
    ['to_tradinggrid', 'in_review', 'resolved', null, 'resolved'],
    ['to_tradinggrid', 'open', 'received', null, 'received'],
    ['none', 'in_review', 'resolved', null, null],
  ] as const)('status mapping %s, the partner sees %s, status_on_task_created %s: task in %j, partner gets %j', (direction, partnerSees, onCreated, taskStatus, toPartner) => {
    expect(decideFirstStatus({ partnerSees, onCreated, statusMap, back: {}, direction })).toEqual({ taskStatus, toPartner });
  });
});
