import { describe, expect, it } from 'vitest';
import { decideBounce, reportedMessageId, type ReportFacts, type SentFacts } from './decideBounce.ts';

const ID = '<gb.0123@bridge.example>';
const failed = (to = 'uma@umbrella.example', status = '5.1.1') => ({
  finalRecipient: to,
  action: 'failed',
  status,
  diagnostic: '550 5.1.1 user unknown',
});
const report = (o: Partial<ReportFacts> = {}): ReportFacts => ({
  envelopeId: ID,
  originalMessageId: null,
  recipients: [failed()],
  ...o,
});
const sent = (o: Partial<SentFacts> = {}): SentFacts => ({
  key: 'k1',
  recipient: 'uma@umbrella.example',
  state: 'sent',
  ...o,
});

describe('which message a delivery report names', () => {
  it.each([
    ['the ENVID we sent it with', { envelopeId: ID, originalMessageId: '<other@x>' }, ID],
    ['else the returned Message-ID', { envelopeId: null, originalMessageId: ID }, ID],
    ['neither: none', { envelopeId: null, originalMessageId: null }, null],
  ])('%s', (_name, o, expected) => {
    expect(reportedMessageId(report(o))).toBe(expected);
  });
});

describe('what a delivery report means for the partner e-mail it names', () => {
  it.each<[string, ReportFacts, SentFacts | null, string]>([
    ['a hard bounce of a sent message is recorded', report(), sent(), 'record'],
    [
      'one of ours still marked sending (answer not recorded yet) is recorded',
      report(),
      sent({ state: 'sending' }),
      'record',
    ],
    ['the returned headers alone match too', report({ envelopeId: null, originalMessageId: ID }), sent(), 'record'],
    [
      'the address matches whatever its case and brackets',
      report({ recipients: [failed('<UMA@Umbrella.example>')] }),
      sent(),
      'record',
    ],
    ['a report naming no message is ignored', report({ envelopeId: null }), sent(), 'ignore'],
    ['a report about a message we did not send is ignored', report(), null, 'ignore'],
    [
      'a delay is not final: ignored',
      report({ recipients: [{ ...failed(), action: 'delayed', status: '4.4.1' }] }),
      sent(),
      'ignore',
    ],
    [
      'a delivery (success DSN) is ignored',
      report({ recipients: [{ ...failed(), action: 'delivered', status: '2.0.0' }] }),
      sent(),
      'ignore',
    ],
    [
      'a failure for another address is ignored',
      report({ recipients: [failed('finn@umbrella.example')] }),
      sent(),
      'ignore',
    ],
    ['the same report twice is recorded once', report(), sent({ state: 'bounced' }), 'ignore'],
    ['a message held for a digest never went out on its own', report(), sent({ state: 'digested' }), 'ignore'],
  ])('%s', (_name, r, s, kind) => {
    expect(decideBounce(r, s).kind).toBe(kind);
  });

  it('records the status and what the remote server said', () => {
    expect(decideBounce(report(), sent())).toEqual({
      kind: 'record',
      key: 'k1',
      recipient: 'uma@umbrella.example',
      status: '5.1.1',
      diagnostic: '550 5.1.1 user unknown',
    });
  });
});
