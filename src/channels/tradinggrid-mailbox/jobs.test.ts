import { describe, expect, it } from 'vitest';
import { mailboxJobs } from './jobs.ts';
import { exception } from '../../connectors/tradinggrid/mailbox/exceptions.ts';

const file = { name: 'in_850.edi', sha256: 'a'.repeat(64) };
const ref = {
  standard: 'x12' as const,
  sender: 'ZZ:ACME',
  receiver: 'ZZ:US',
  interchange: '000000101',
  group: '1',
  transaction: '0001',
  business: { type: 'purchase_order', value: 'PO-1' },
};
// What the mailbox driver reports, built by the driver's own helper.
const item = exception('fa_rejected', { qualifier: 'ZZ', id: 'ACME' }, ref, 'AK5 R', '2026-12-01T10:00:00.000Z', file);

// Payloads as they are stored today: the scheduler's slot, the scanner's exception (also a test one, one without a file), the upload.
const stored: Array<[keyof typeof mailboxJobs, unknown]> = [
  ['mailbox.scan', { slot: 1_796_500_000_000 }],
  ['accsv.scan', { slot: 0 }],
  ['mailbox.exception', { item }],
  ['mailbox.exception', { item: { ...item, test: true } }],
  [
    'mailbox.exception',
    {
      item: {
        ...item,
        exception: 'mailbox_inactive',
        file: null,
        transactionRef: { ...ref, standard: null, business: null },
      },
    },
  ],
  ['clickup.upload_mailbox_file', { caseId: 'MBX-1', file }],
];

const refused: Array<[keyof typeof mailboxJobs, unknown, RegExp]> = [
  ['mailbox.scan', {}, /slot/],
  ['mailbox.exception', { item: { ...item, exception: 'lost_in_transit' } }, /item\.exception/],
  ['mailbox.exception', { item: { ...item, partner: 'ZZ:ACME' } }, /item\.partner/],
  ['clickup.upload_mailbox_file', { caseId: 'MBX-1', file: { name: 'x.edi' } }, /file\.sha256/],
];

describe('the mailbox channel job kinds', () => {
  it.each(stored)('a stored %s payload parses to what was stored', (kind, payload) => {
    const r = mailboxJobs[kind].safeParse(payload);
    expect(r.success).toBe(true);
    expect(r.data).toEqual(payload);
  });

  it.each(refused)('a %s payload missing or mistyping a field does not parse', (kind, payload, path) => {
    const r = mailboxJobs[kind].safeParse(payload);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.')).join(' ')).toMatch(path);
  });
});
