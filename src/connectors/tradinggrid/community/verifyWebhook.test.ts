import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { computeWebhookSignature, decodeWebhookSecret, verifyTradingGridWebhook } from '../events.ts';

const secret = `whsec_${Buffer.from('a 24-byte test secret!!!').toString('base64')}`;
const otherSecret = `whsec_${Buffer.from('another secret, not ours').toString('base64')}`;
const now = 1_750_000_000;
const body = '{"id":"evt_1","type":"case.opened","occurred_at":"2025-06-15T15:06:40Z","data":{"id":"CASE-1"}}';

/** Signed by the standardwebhooks package: an implementation independent of ours. */
function signed(opts: { secret?: string; ts?: number; id?: string; payload?: string } = {}) {
  const id = opts.id ?? 'evt_1';
  const ts = opts.ts ?? now;
  const sig = new Webhook(opts.secret ?? secret).sign(id, new Date(ts * 1000), opts.payload ?? body);
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': sig } as Record<
    string,
    string | string[] | undefined
  >;
}

describe('verifyTradingGridWebhook', () => {
  const good = signed();
  const cases: Array<
    [string, string | Buffer, Record<string, string | string[] | undefined>, string, boolean, string?]
  > = [
    ['accepts a delivery signed with our secret', body, good, secret, true],
    ['accepts a Buffer body with the same bytes', Buffer.from(body), good, secret, true],
    [
      'accepts when one of several space-separated signatures matches',
      body,
      { ...good, 'webhook-signature': `v1,AAAA v2,zzz ${String(good['webhook-signature'])}` },
      secret,
      true,
    ],
    [
      'accepts headers given as arrays and in any case',
      body,
      {
        'Webhook-Id': ['evt_1'],
        'WEBHOOK-TIMESTAMP': String(now),
        'webhook-signature': [good['webhook-signature'] as string],
      },
      secret,
      true,
    ],
    [
      'rejects a wrong signature',
      body,
      { ...good, 'webhook-signature': `v1,${Buffer.alloc(32, 7).toString('base64')}` },
      secret,
      false,
      'no matching v1 signature',
    ],
    [
      'rejects the right signature under a different message id',
      body,
      { ...good, 'webhook-id': 'evt_2' },
      secret,
      false,
      'no matching',
    ],
    [
      'rejects a delivery signed with another secret',
      body,
      signed({ secret: otherSecret }),
      secret,
      false,
      'no matching',
    ],
    ['rejects a body altered by one byte', body.replace('CASE-1', 'CASE-2'), good, secret, false, 'no matching'],
    [
      'rejects a missing webhook-id',
      body,
      { ...good, 'webhook-id': undefined },
      secret,
      false,
      'missing header webhook-id',
    ],
    [
      'rejects a missing webhook-timestamp',
      body,
      { ...good, 'webhook-timestamp': undefined },
      secret,
      false,
      'missing header webhook-timestamp',
    ],
    [
      'rejects a missing webhook-signature',
      body,
      { ...good, 'webhook-signature': undefined },
      secret,
      false,
      'missing header webhook-signature',
    ],
    [
      'rejects no headers at all, naming all three',
      body,
      {},
      secret,
      false,
      'missing header webhook-id, webhook-timestamp, webhook-signature',
    ],
    [
      'rejects a non-numeric timestamp',
      body,
      { ...good, 'webhook-timestamp': 'yesterday' },
      secret,
      false,
      'not integer seconds',
    ],
    ['rejects a timestamp older than the tolerance', body, signed({ ts: now - 301 }), secret, false, 'too old'],
    ['rejects a timestamp further ahead than the tolerance', body, signed({ ts: now + 301 }), secret, false, 'future'],
    ['accepts a timestamp right at the tolerance', body, signed({ ts: now - 300 }), secret, true],
    [
      'rejects a signature with only unknown versions',
      body,
      { ...good, 'webhook-signature': (good['webhook-signature'] as string).replace('v1,', 'v2,') },
      secret,
      false,
      'no v1 signature',
    ],
    ['rejects when our secret is not base64', body, good, 'whsec_', false, 'secret'],
  ];

  it.each(cases)('%s', (_name, payload, headers, key, expectOk, reason) => {
    const r = verifyTradingGridWebhook(payload, headers, key, { nowSec: now });
    expect(r.ok).toBe(expectOk);
    if (!r.ok && reason) expect(r.reason).toContain(reason);
  });

  it('honours a custom tolerance', () => {
    expect(verifyTradingGridWebhook(body, signed({ ts: now - 20 }), secret, { nowSec: now, toleranceSec: 10 }).ok).toBe(
      false,
    );
    expect(verifyTradingGridWebhook(body, signed({ ts: now - 20 }), secret, { nowSec: now, toleranceSec: 30 }).ok).toBe(
      true,
    );
  });

  it('signs the raw bytes, so a body that is not valid UTF-8 still verifies', () => {
    const raw = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const sig = computeWebhookSignature(decodeWebhookSecret(secret), 'evt_9', now, raw);
    const headers = { 'webhook-id': 'evt_9', 'webhook-timestamp': String(now), 'webhook-signature': `v1,${sig}` };
    expect(verifyTradingGridWebhook(raw, headers, secret, { nowSec: now })).toEqual({ ok: true });
    expect(verifyTradingGridWebhook(Buffer.from([0x7b, 0xff, 0xfd, 0x7d]), headers, secret, { nowSec: now }).ok).toBe(
      false,
    );
  });
});
