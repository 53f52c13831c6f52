import { describe, expect, it } from 'vitest';
import { checkStatusMap, decideFirstStatus, toClickUpStatus, toPartnerStatus } from './statusMap.ts';
import type { PartnerStatus } from '../../../core/case.ts';

const map: Record<string, PartnerStatus> = {
  Open: 'received',
  'In Review': 'in_review',
  QA: 'in_review',
  Resolved: 'resolved',
};

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
    expect(r.errors).toEqual([
      'list L1 has no status "QA" (clickup.status_map / status_to_clickup); its statuses: open, in review, resolved, blocked',
    ]);
    expect(r.warnings).toEqual([
      'ClickUp status "blocked" on list L1 is not in clickup.status_map: moving a task there is not sent to the partner',
    ]);
  });

  // The way back (status_to_clickup) is checked against the list too: a task moved there by the bridge
  // would otherwise fail on every write.
  const list = ['Open', 'In Review', 'QA', 'Resolved'];
  it.each<[string, Partial<Record<PartnerStatus, string>>, string[]]>([
    ['a way back the list has', { in_review: 'QA' }, []],
    ['matched without case or spaces', { in_review: ' qa ', resolved: 'RESOLVED' }, []],
    ['a way back the list lacks', { resolved: 'Done' }, ['Done']],
    ['two the list lacks, each named', { resolved: 'Done', escalated: 'Blocked' }, ['Done', 'Blocked']],
    ['an empty way back is not a status', { resolved: '' }, []],
  ])('status_to_clickup: %s', (_what, back, missing) => {
    const r = checkStatusMap('L2', map, back, list);
    expect(r.errors).toEqual(
      missing.map(
        (n) =>
          `list L2 has no status "${n}" (clickup.status_map / status_to_clickup); its statuses: Open, In Review, QA, Resolved`,
      ),
    );
    expect(r.warnings).toEqual([]);
  });

  it('names a missing status once when both the map and the way back use it', () => {
    const r = checkStatusMap('L3', { Done: 'resolved' }, { resolved: 'Done' }, ['Open']);
    expect(r.errors).toEqual([
      'list L3 has no status "Done" (clickup.status_map / status_to_clickup); its statuses: Open',
    ]);
    expect(r.warnings).toEqual([
      'ClickUp status "Open" on list L3 is not in clickup.status_map: moving a task there is not sent to the partner',
    ]);
  });

  it('a list status mapped under another case or spacing is no warning', () => {
    expect(checkStatusMap('L4', { ' in review ': 'in_review' }, {}, ['In Review'])).toEqual({
      errors: [],
      warnings: [],
    });
  });
});

describe('decideFirstStatus (a task created for a case that may be old)', () => {
  const statusMap = {
    open: 'received',
    received: 'received',
    'in review': 'in_review',
    'awaiting documents': 'awaiting_documents',
    escalated: 'escalated',
    resolved: 'resolved',
  } as const;
  it.each([
    ['open', 'received', null, 'received'],
    ['received', 'received', 'open', null],
    ['in_review', 'received', 'in review', null],
    ['resolved', 'received', 'resolved', null],
    ['escalated', 'received', 'escalated', null],
    ['open', null, null, null],
    ['received', 'in_review', 'open', 'in_review'],
    ['resolved', 'in_review', 'resolved', null],
    // Step-forward rule: only a higher rank is sent; the same status or the same rank is not.
    ['open', 'open', null, null],
    ['in_review', 'in_review', 'in review', null],
    ['in_review', 'awaiting_documents', 'in review', null],
    ['awaiting_documents', 'in_review', 'awaiting documents', null],
    ['in_review', 'escalated', 'in review', 'escalated'],
    ['received', 'escalated', 'open', 'escalated'],
    ['escalated', 'resolved', 'escalated', 'resolved'],
    ['escalated', 'in_review', 'escalated', null],
    ['open', 'resolved', null, 'resolved'],
  ] as const)(
    'the partner sees %s, status_on_task_created %s: task in %j, partner gets %j',
    (partnerSees, onCreated, taskStatus, toPartner) => {
      expect(decideFirstStatus({ partnerSees, onCreated, statusMap, back: {}, direction: 'both' })).toEqual({
        taskStatus,
        toPartner,
      });
    },
  );

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
  ] as const)(
    'status mapping %s, the partner sees %s, status_on_task_created %s: task in %j, partner gets %j',
    (direction, partnerSees, onCreated, taskStatus, toPartner) => {
      expect(decideFirstStatus({ partnerSees, onCreated, statusMap, back: {}, direction })).toEqual({
        taskStatus,
        toPartner,
      });
    },
  );

  it.each<[PartnerStatus, Partial<Record<PartnerStatus, string>>, string | null]>([
    // An open case keeps the task in the list's first status even when a way back for `open` exists.
    ['open', { open: 'open' }, null],
    ['in_review', { in_review: 'in review 2' }, 'in review 2'],
    ['received', {}, 'open'],
  ])('the partner sees %s, status_to_clickup %j: task in %j', (partnerSees, back, taskStatus) => {
    expect(decideFirstStatus({ partnerSees, onCreated: null, statusMap, back, direction: 'both' })).toEqual({
      taskStatus,
      toPartner: null,
    });
  });
});
