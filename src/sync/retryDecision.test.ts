import { describe, expect, it } from 'vitest';
import { decideRetry, RATE_LIMIT_PATIENCE_MS, type RetryInput } from './retryDecision.ts';
import { outcomeFromRemote } from './outcome.ts';
import { classifySmtpFailure } from '../connectors/email/smtpMailer.ts';

const MIN = 60_000;
const base: Omit<RetryInput, 'outcome' | 'attempts' | 'failingMs'> = {
  maxAttempts: 10,
  backoffBaseMs: 500,
  backoffMaxMs: 300_000,
  outagePatienceMs: 1440 * MIN,
};
const e503 = outcomeFromRemote({ code: 'http_503', status: 503, retryable: true, detail: 'ClickUp: 503' }, 'task');
const eRefused = outcomeFromRemote({ code: 'ECONNREFUSED', retryable: true, detail: 'no response' }, 'task');
const e429 = outcomeFromRemote(
  { code: 'http_429', status: 429, retryable: true, retryAfterMs: 7000, detail: 'ClickUp: 429' },
  'task',
);
const bug = { error: 'unexpected error in k: TypeError' };

describe('decideRetry', () => {
  it('remote failures are flagged unavailable only for 5xx, 408 and no answer', () => {
    expect(e503).toMatchObject({ status: 'retry', unavailable: true });
    expect(eRefused).toMatchObject({ status: 'retry', unavailable: true });
    const e408 = outcomeFromRemote({ code: 'http_408', status: 408, retryable: true, detail: '408' }, 't');
    expect(e408).toMatchObject({ unavailable: true });
    expect(e429).not.toHaveProperty('unavailable');
    const e400 = outcomeFromRemote({ code: 'http_400', status: 400, retryable: false, detail: '400' }, 't');
    expect(e400).toEqual({ status: 'fail', error: 't: 400 [http_400]' });
  });

  it("an SMTP server's transient reply (4yz) is an outage, its permanent one (5yz) the message's fault", () => {
    const smtp = (responseCode: number) =>
      outcomeFromRemote(classifySmtpFailure(Object.assign(new Error('Mail command failed'), { responseCode })), 'mail');
    for (const code of [421, 450, 451, 452]) expect(smtp(code)).toMatchObject({ status: 'retry', unavailable: true });
    expect(smtp(550)).toMatchObject({ status: 'fail' });
    // HTTP's 421 (misdirected request) is a 4xx like any other: not an outage.
    const http421 = outcomeFromRemote({ code: 'http_421', status: 421, retryable: true, detail: '421' }, 't');
    expect(http421).not.toHaveProperty('unavailable');
    // No connection to the SMTP server at all: an outage, as for HTTP.
    const down = outcomeFromRemote(
      classifySmtpFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET' })),
      'mail',
    );
    expect(down).toMatchObject({ status: 'retry', unavailable: true });
  });

  // random() = 1: the top of the jittered range, so the waits are exact.
  const rows: Array<[string, Partial<RetryInput> & Pick<RetryInput, 'outcome' | 'attempts' | 'failingMs'>, unknown]> = [
    [
      '5xx on the first attempt: counts, so the next run looks for a write the failed call may have saved',
      { outcome: e503 as never, attempts: 1, failingMs: 0 },
      { action: 'retry', refundAttempt: false, waitMs: 500 },
    ],
    [
      'the first 5xx of a job that waited an hour in the queue: the plain backoff, not an hour-based wait',
      { outcome: e503 as never, attempts: 1, failingMs: 60 * MIN },
      { action: 'retry', refundAttempt: false, waitMs: 500 },
    ],
    [
      '5xx, young job, second attempt: refunded, base wait',
      { outcome: e503 as never, attempts: 2, failingMs: 1000 },
      { action: 'retry', refundAttempt: true, waitMs: 500 },
    ],
    [
      '5xx, 10 min old: refunded, wait half its age',
      { outcome: e503 as never, attempts: 2, failingMs: 10 * MIN },
      { action: 'retry', refundAttempt: true, waitMs: 5 * MIN },
    ],
    [
      '5xx, 4 min old: refunded, wait half its age',
      { outcome: e503 as never, attempts: 2, failingMs: 4 * MIN },
      { action: 'retry', refundAttempt: true, waitMs: 2 * MIN },
    ],
    [
      '5xx, 2 h old: refunded, wait capped at backoff_max_ms',
      { outcome: e503 as never, attempts: 2, failingMs: 120 * MIN },
      { action: 'retry', refundAttempt: true, waitMs: 300_000 },
    ],
    [
      'refused connection on the last attempt, young: refunded',
      { outcome: eRefused as never, attempts: 10, failingMs: 30 * MIN },
      { action: 'retry', refundAttempt: true, waitMs: 300_000 },
    ],
    [
      '5xx past the patience: counts, exponential backoff',
      { outcome: e503 as never, attempts: 3, failingMs: 1441 * MIN },
      { action: 'retry', refundAttempt: false, waitMs: 2000 },
    ],
    [
      '5xx past the patience, last attempt: dead letter saying how long',
      { outcome: e503 as never, attempts: 10, failingMs: 1500 * MIN },
      {
        action: 'dead',
        reason:
          'gave up after 10 attempts; the remote was still unavailable 1500 min after its failures began (outage patience 1440 min): task: ClickUp: 503 [http_503]',
      },
    ],
    [
      'a bug-like failure counts',
      { outcome: bug, attempts: 2, failingMs: 0 },
      { action: 'retry', refundAttempt: false, waitMs: 1000 },
    ],
    [
      'a bug-like failure on the last attempt: dead letter',
      { outcome: bug, attempts: 10, failingMs: 0 },
      { action: 'dead', reason: 'gave up after 10 attempts: unexpected error in k: TypeError' },
    ],
    [
      "429: refunded, waits the remote's ask",
      { outcome: e429 as never, attempts: 4, failingMs: 10 * MIN },
      { action: 'retry', refundAttempt: true, waitMs: 7000 },
    ],
    [
      '429 past its own patience: counts',
      { outcome: e429 as never, attempts: 4, failingMs: RATE_LIMIT_PATIENCE_MS + 1 },
      { action: 'retry', refundAttempt: false, waitMs: 7000 },
    ],
    [
      'patience 0, 5xx: counts as before',
      { outcome: e503 as never, attempts: 2, failingMs: 0, outagePatienceMs: 0 },
      { action: 'retry', refundAttempt: false, waitMs: 1000 },
    ],
    [
      'patience 0, 5xx on the last attempt: dead letter as before',
      { outcome: e503 as never, attempts: 10, failingMs: 0, outagePatienceMs: 0 },
      { action: 'dead', reason: 'gave up after 10 attempts: task: ClickUp: 503 [http_503]' },
    ],
  ];
  it.each(rows)('%s', (_name, input, expected) => {
    expect(decideRetry({ ...base, random: () => 1, ...input })).toEqual(expected);
  });

  it('the wait of an unavailable remote is jittered between half and all of its ceiling', () => {
    const at = (r: number) =>
      decideRetry({ ...base, outcome: e503 as never, attempts: 2, failingMs: 10 * MIN, random: () => r });
    expect(at(0)).toMatchObject({ waitMs: 2.5 * MIN });
    expect(at(0.5)).toMatchObject({ waitMs: 3.75 * MIN });
  });
});
