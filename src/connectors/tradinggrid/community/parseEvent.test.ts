import { describe, expect, it } from 'vitest';
import { TRADING_GRID_EVENT_TYPES, parseTradingGridEvent } from '../events.ts';

const at = '2025-06-15T15:06:40.123456Z';

describe('parseTradingGridEvent', () => {
  const valid: Array<[string, unknown]> = [
    [
      'case.opened',
      { id: 'e1', type: 'case.opened', occurred_at: at, data: { id: 'CASE-1', partner_id: 'P-ACME', kind: 'dispute' } },
    ],
    [
      'case.updated',
      {
        id: 'e2',
        type: 'case.updated',
        occurred_at: '2025-06-15T17:06:40+02:00',
        data: { id: 'CASE-1', status: 'in_review' },
      },
    ],
    [
      'case.comment_added',
      { id: 'e3', type: 'case.comment_added', occurred_at: at, data: { id: 'CMT-1', case_id: 'CASE-1' } },
    ],
    [
      'document.added',
      { id: 'e4', type: 'document.added', occurred_at: at, data: { id: 'DOC-1', case_id: 'CASE-1', request_id: null } },
    ],
    ['trading_partner.created', { id: 'e5', type: 'trading_partner.created', occurred_at: at, data: { id: 'P-NEW' } }],
    [
      'trading_partner.status_changed',
      { id: 'e6', type: 'trading_partner.status_changed', occurred_at: at, data: { id: 'P-NEW', status: 'testing' } },
    ],
    [
      'compliance_requirement.created',
      { id: 'e7', type: 'compliance_requirement.created', occurred_at: at, data: { id: 'CR-1', partner_id: null } },
    ],
    ['request.created', { id: 'e8', type: 'request.created', occurred_at: at, data: { id: 'REQ-1' } }],
    [
      'notice.acknowledged',
      { id: 'e9', type: 'notice.acknowledged', occurred_at: at, data: { id: 'NTC-1', partner_id: 'P-ACME' } },
    ],
  ];

  it('covers all nine event types', () => {
    expect(valid.map(([t]) => t).sort()).toEqual([...TRADING_GRID_EVENT_TYPES].sort());
  });

  it.each(valid)('accepts a well-formed %s event', (_type, body) => {
    const r = parseTradingGridEvent(body);
    expect(r.ok).toBe(true);
  });

  it('keeps fields the contract adds later', () => {
    const r = parseTradingGridEvent({
      id: 'e1',
      type: 'request.created',
      occurred_at: at,
      data: { id: 'REQ-1', priority: 'high' },
      tenant: 't',
    });
    expect(r.ok && (r.value.data as Record<string, unknown>).priority).toBe('high');
  });

  const invalid: Array<[string, unknown, string]> = [
    ['a string body', 'case.opened', '(root): expected an event object'],
    ['null', null, 'received null'],
    ['an array', [], 'received array'],
    ['no type', { id: 'e', occurred_at: at, data: { id: 'x' } }, 'type: expected one of case.opened'],
    [
      'an unknown type',
      { id: 'e', type: 'case.deleted', occurred_at: at, data: { id: 'x' } },
      'type: unknown event type "case.deleted"',
    ],
    ['a numeric type', { id: 'e', type: 7, occurred_at: at, data: { id: 'x' } }, 'received number'],
    ['no data.id', { id: 'e', type: 'case.opened', occurred_at: at, data: {} }, 'case.opened event: data.id'],
    ['no data', { id: 'e', type: 'case.opened', occurred_at: at }, 'data:'],
    ['an empty event id', { id: '', type: 'case.opened', occurred_at: at, data: { id: 'x' } }, 'id:'],
    ['a bad timestamp', { id: 'e', type: 'case.opened', occurred_at: 'yesterday', data: { id: 'x' } }, 'occurred_at:'],
    [
      'a comment without its case',
      { id: 'e', type: 'case.comment_added', occurred_at: at, data: { id: 'CMT-1' } },
      'data.case_id',
    ],
    [
      'an unknown case status',
      { id: 'e', type: 'case.updated', occurred_at: at, data: { id: 'C', status: 'closed' } },
      'data.status',
    ],
    [
      'an acknowledgement without partner',
      { id: 'e', type: 'notice.acknowledged', occurred_at: at, data: { id: 'N' } },
      'data.partner_id',
    ],
  ];

  it.each(invalid)('rejects %s with a reason naming the path', (_name, body, reason) => {
    const r = parseTradingGridEvent(body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.reason).toContain(reason);
  });
});
