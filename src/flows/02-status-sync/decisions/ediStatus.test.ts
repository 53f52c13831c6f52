import { describe, expect, it } from 'vitest';
import { decideEdiStatus, type EdiStatusInput } from './ediStatus.ts';
import type { PartnerStatus } from '../../../core/case.ts';

const x12 = (status: '824' | '864' | 'none', test = false) => ({ standard: 'x12' as const, status, test });
const edifact = (status: 'APERAK' | 'none', test = false) => ({ standard: 'edifact' as const, status, test });
const base: EdiStatusInput = {
  status: 'in_review',
  source: 'mailbox',
  send: x12('824'),
  channelNamesEdi: null,
  earlier: 0,
};

describe('which document and codes a case status goes to the partner as', () => {
  it.each<[PartnerStatus, number, string, string, string]>([
    ['received', 0, 'RECEIVED', '00', '9'],
    ['in_review', 0, 'IN REVIEW', '00', '9'],
    ['in_review', 1, 'IN REVIEW', '05', '5'],
    ['awaiting_documents', 2, 'AWAITING DOCUMENTS', '05', '5'],
    ['escalated', 1, 'ESCALATED', '05', '5'],
    ['resolved', 3, 'RESOLVED', '05', '5'],
    ['resolved', 0, 'RESOLVED', '00', '9'],
  ])(
    '%s after %i earlier advices: "%s", 824 BGN01 %s, APERAK 1225 %s, never a rejection',
    (status, earlier, text, purpose, fn) => {
      const want = { text, purpose, appAck: 'TA', messageFunction: fn, ftxSubject: 'AAI' };
      expect(decideEdiStatus({ ...base, status, earlier })).toEqual({
        send: true,
        document: '824',
        functionalId: 'AG',
        test: false,
        codes: want,
      });
      expect(decideEdiStatus({ ...base, status, earlier, send: x12('864') })).toMatchObject({
        document: '864',
        functionalId: 'TX',
        codes: want,
      });
      expect(decideEdiStatus({ ...base, status, earlier, send: edifact('APERAK') })).toMatchObject({
        document: 'APERAK',
        functionalId: null,
        codes: want,
      });
    },
  );

  it.each<[string, Partial<EdiStatusInput>, boolean]>([
    ['a production case of a partner not onboarding', {}, false],
    ['a partner onboarding (send.test)', { send: x12('824', true) }, true],
    ['a case from a test interchange', { source: 'mailbox_test' }, true],
  ])('%s: written as a test interchange = %s', (_, over, test) => {
    expect(decideEdiStatus({ ...base, ...over })).toMatchObject({ send: true, test });
  });

  it.each<[string, Partial<EdiStatusInput>, RegExp]>([
    ['no send section', { send: null }, /takes no case status over EDI/],
    ['send.status none', { send: x12('none') }, /takes no case status over EDI/],
    ['partner_channel without edi for case_status', { channelNamesEdi: false }, /does not name 'edi'/],
    ['a community case', { source: 'community' }, /community API/],
    ['824 to an EDIFACT partner', { send: { standard: 'edifact', status: '824', test: false } }, /824 is X12/],
    ['APERAK to an X12 partner', { send: { standard: 'x12', status: 'APERAK', test: false } }, /APERAK is EDIFACT/],
    ["the partner's own status (open)", { status: 'open' }, /partner's own status/],
  ])('%s: nothing is sent, and the reason says why', (_, over, reason) => {
    const d = decideEdiStatus({ ...base, ...over });
    expect(d.send).toBe(false);
    expect(!d.send && d.reason).toMatch(reason);
  });

  it('partner_channel naming edi for case_status sends like no partner_channel at all', () => {
    expect(decideEdiStatus({ ...base, channelNamesEdi: true })).toEqual(decideEdiStatus(base));
  });
});
