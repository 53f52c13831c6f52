import { describe, expect, it } from 'vitest';
import { MailboxConfig, type PartnerSendConfig } from '../../config/mailboxSchema.ts';
import type { ReceivedInterchange } from '../../connectors/tradinggrid/edi/functionalAcks.ts';
import { functionalAckDocument } from './functionalAck.ts';

const base = {
  transport: { type: 'folder', inbound: '/i', outbound: '/o', archive: '/a', quarantine: '/q' },
  our_ids: ['ZZ:GRIDBRIDGE'],
};
const parse = (send: Record<string, unknown>) =>
  MailboxConfig.safeParse({ ...base, partners: { 'ZZ:P': { partner_id: 'P', send } } });
const sendOf = (send: Record<string, unknown>): PartnerSendConfig => {
  const r = parse(send);
  if (!r.success) throw new Error(r.error.message);
  return r.data.partners['ZZ:P']!.send!;
};

const received = (o: Partial<ReceivedInterchange> = {}): ReceivedInterchange => ({
  standard: 'x12',
  control: '000000901',
  sender: { qualifier: 'ZZ', id: 'P' },
  receiver: { qualifier: 'ZZ', id: 'GRIDBRIDGE' },
  date: '261206',
  time: '1200',
  version: '00401',
  ackRequested: false,
  usage: 'production',
  groups: [{ functionalId: 'PO', control: '1', version: '004010', transactions: [{ setId: '850', control: '0001' }] }],
  errors: [],
  ...o,
});
const edifact = (o: Partial<ReceivedInterchange> = {}) =>
  received({ standard: 'edifact', control: 'R1', version: 'UNOB:2', groups: [], ...o });

describe('config: send.ack', () => {
  it('defaults to none (the customer translator acknowledges), ta1 requested, contrl requested', () => {
    expect(sendOf({ standard: 'x12' })).toMatchObject({ ack: 'none', ta1: 'requested', contrl: 'requested' });
  });
  it.each([
    [{ standard: 'edifact', ack: '997' }, '997 is X12: an edifact partner takes CONTRL'],
    [{ standard: 'x12', ack: 'CONTRL' }, 'CONTRL is EDIFACT: an x12 partner takes 997 or 999'],
  ])('refuses an acknowledgement of the other standard (%j)', (send, message) => {
    const r = parse(send);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['partners.ZZ:P.send.ack', message]]);
  });
});

describe('what goes back for one interchange', () => {
  const kinds = (doc: ReturnType<typeof functionalAckDocument>) =>
    doc === null
      ? null
      : doc.standard === 'edifact'
        ? [doc.message.type]
        : [
            ...('interchangeSegments' in doc ? (doc.interchangeSegments ?? []).map((s) => s[0]) : []),
            ...('transactions' in doc ? doc.transactions.map((t) => t.setId) : []),
          ];
  const cases: Array<[string, Record<string, unknown>, ReceivedInterchange, string[] | null]> = [
    ['997, TA1 not asked for', { standard: 'x12', ack: '997' }, received(), ['997']],
    ['997 and TA1 when ISA14 asks', { standard: 'x12', ack: '997' }, received({ ackRequested: true }), ['TA1', '997']],
    [
      'ta1 never: the 997 alone',
      { standard: 'x12', ack: '997', ta1: 'never' },
      received({ ackRequested: true }),
      ['997'],
    ],
    ['ta1 always', { standard: 'x12', ack: '997', ta1: 'always' }, received(), ['TA1', '997']],
    ['rejected: the TA1 only', { standard: 'x12', ack: '997' }, received({ errors: [{ code: '001' }] }), ['TA1']],
    [
      'rejected with ta1 never: nothing',
      { standard: 'x12', ack: '997', ta1: 'never' },
      received({ errors: [{ code: '001' }] }),
      null,
    ],
    ['999', { standard: 'x12', ack: '999' }, received(), ['999']],
    ['none: nothing', { standard: 'x12' }, received({ ackRequested: true }), null],
    [
      'an EDIFACT interchange from a partner acknowledged in X12: nothing',
      { standard: 'x12', ack: '997' },
      edifact({ ackRequested: true }),
      null,
    ],
    ['CONTRL when UNB 0031 asks', { standard: 'edifact', ack: 'CONTRL' }, edifact({ ackRequested: true }), ['CONTRL']],
    ['no CONTRL when not asked', { standard: 'edifact', ack: 'CONTRL' }, edifact(), null],
    [
      'CONTRL for a rejection, asked or not',
      { standard: 'edifact', ack: 'CONTRL' },
      edifact({ errors: [{ code: '28', tag: 'UNZ' }] }),
      ['CONTRL'],
    ],
    ['contrl always', { standard: 'edifact', ack: 'CONTRL', contrl: 'always' }, edifact(), ['CONTRL']],
  ];
  for (const [name, send, r, expected] of cases)
    it(name, () => {
      expect(kinds(functionalAckDocument(r, sendOf(send), 'utf8'))).toEqual(expected);
    });

  it('a 999 goes in a 005010X231A1 group of a 00501 interchange with a repetition separator; a test interchange is answered as test', () => {
    const doc = functionalAckDocument(received({ usage: 'test' }), sendOf({ standard: 'x12', ack: '999' }), 'utf8');
    expect(doc).toMatchObject({
      standard: 'x12',
      functionalId: 'FA',
      syntax: { groupVersion: '005010X231A1', interchangeVersion: '00501', repetition: '^' },
      test: true,
    });
  });

  it('a CONTRL in the syntax identifier and version of the UNB it answers', () => {
    const doc = functionalAckDocument(
      edifact({ ackRequested: true }),
      sendOf({ standard: 'edifact', ack: 'CONTRL' }),
      'utf8',
    );
    expect(doc).toMatchObject({ standard: 'edifact', syntax: { syntaxId: 'UNOB', syntaxVersion: '2' }, test: false });
  });
});
