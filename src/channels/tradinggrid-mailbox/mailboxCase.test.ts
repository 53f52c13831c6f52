import { describe, expect, it } from 'vitest';
import { exception, type MailboxException } from '../../connectors/tradinggrid/mailbox/exceptions.ts';
import { mailboxCaseId, toMailboxCase, unmappedEdiReason } from './mailboxCase.ts';

const file = { name: '997.x12', sha256: 'ab'.repeat(32) };
const ref = {
  standard: 'x12' as const,
  sender: 'ZZ:GRIDBRIDGE',
  receiver: 'ZZ:ACMESUPPLY',
  interchange: '000002001',
  group: '2001',
  transaction: '0001',
  setId: '810',
  business: { type: 'invoice', value: 'INV-9001' },
};
const none = {
  standard: null,
  sender: null,
  receiver: null,
  interchange: null,
  group: null,
  transaction: null,
  business: null,
};
const at = '2024-03-01T10:00:00.000Z';
const partners = { 'ZZ:ACMESUPPLY': { partner_id: 'P-ACME' }, 'mailbox:edi': { partner_id: 'P-OPS' } };

describe('mailbox exception → flow-1 case', () => {
  it.each<[string, MailboxException, { partnerId: string; unmapped: string | null; title: RegExp; ref: unknown }]>([
    [
      'a mapped partner',
      exception(
        'fa_rejected',
        { qualifier: 'ZZ', id: 'ACMESUPPLY' },
        ref,
        '997 rejected 810 0001 (invoice INV-9001)',
        at,
        file,
        '997',
      ),
      {
        partnerId: 'P-ACME',
        unmapped: null,
        title: /^Functional acknowledgement rejected: 997 rejected/,
        // The set and the partner's address are kept: a status advice sent back names the document it is about.
        ref: {
          standard: 'x12',
          interchange: '000002001',
          group: '2001',
          transaction: '0001',
          setId: '810',
          address: 'ZZ:ACMESUPPLY',
          business: { type: 'invoice', value: 'INV-9001' },
        },
      },
    ],
    [
      'an unmapped partner',
      exception('return_requested', { qualifier: 'ZZ', id: 'NEWCO' }, ref, '180 return RMA-1', at, file),
      {
        partnerId: 'edi:ZZ:NEWCO',
        unmapped: 'ZZ:NEWCO',
        title: /^Return requested: 180 return RMA-1$/,
        ref: expect.anything(),
      },
    ],
    [
      'the mailbox itself',
      exception(
        'content_error',
        { qualifier: 'mailbox', id: 'edi' },
        none,
        'file x quarantined',
        at,
        file,
        file.sha256,
      ),
      { partnerId: 'P-OPS', unmapped: null, title: /^EDI file does not parse: file x quarantined$/, ref: null },
    ],
  ])('%s', (_what, x, want) => {
    const { incoming, unmappedAddress } = toMailboxCase(x, partners);
    expect(incoming).toMatchObject({
      id: mailboxCaseId(x.dedupeKey),
      source: 'mailbox',
      kind: 'edi_exception',
      exception: x.exception,
      partnerId: want.partnerId,
      status: 'open',
      openedAt: Date.parse(at),
    });
    expect(incoming.transactionRef).toEqual(want.ref === null ? null : want.ref);
    expect(incoming.title).toMatch(want.title);
    expect(incoming.description).toContain(x.detail);
    expect(unmappedAddress).toBe(want.unmapped);
  });

  it('the case id is a stable function of the dedupe key alone', () => {
    const a = exception('asn_missing', { qualifier: 'ZZ', id: 'ACMESUPPLY' }, ref, 'no 856 for PO 1', at, file);
    const b = exception(
      'asn_missing',
      { qualifier: 'ZZ', id: 'ACMESUPPLY' },
      ref,
      'no 856 for PO 1 (detail reworded)',
      '2025-01-01T00:00:00.000Z',
      { name: 'other.x12', sha256: 'cd'.repeat(32) },
    );
    expect(toMailboxCase(a, partners).incoming.id).toBe(toMailboxCase(b, partners).incoming.id);
    expect(mailboxCaseId(a.dedupeKey)).toMatch(/^edi-[0-9a-f]{24}$/);
  });

  it('a long detail is cut in the title but kept whole in the description', () => {
    const x = exception('invoice_mismatch', { qualifier: 'ZZ', id: 'ACMESUPPLY' }, ref, 'x'.repeat(500), at, file);
    const { incoming } = toMailboxCase(x, partners);
    expect(incoming.title.length).toBe(160);
    expect(incoming.title.endsWith('…')).toBe(true);
    expect(incoming.description).toContain('x'.repeat(500));
  });

  it('the hold reason names the EDI address and where to map it', () => {
    expect(unmappedEdiReason('ZZ:NEWCO', 'acme-edi')).toMatch(
      /^EDI address ZZ:NEWCO has no Trading Grid partner: add 'ZZ:NEWCO': .* under mailbox\.partners/,
    );
  });
});
