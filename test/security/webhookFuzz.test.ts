import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzRuns } from './fuzzRuns.ts';
import { cuHeaders, NOW_MS, tgEvent, tgHeaders, webhookApp } from './webhookApp.ts';

let a: Awaited<ReturnType<typeof webhookApp>>;
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => void unhandled.push(e);
beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  a = await webhookApp({ tradinggrid: 8 * 1024, clickup: 8 * 1024 });
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await a.cleanup();
  expect(unhandled).toEqual([]);
});

const printable = fc
  .array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 80 })
  .map((cs) => String.fromCharCode(...cs));
const contentType = fc.oneof(
  fc.constant('application/json'),
  fc.constant('application/json; charset=utf-8'),
  fc.constant('text/plain'),
  fc.constant(''),
  printable,
);
/** Bodies: arbitrary bytes, arbitrary JSON, and mutations of a genuine event (the shapes an attacker or a broken sender sends). */
const jsonValue = fc.jsonValue({ maxDepth: 4 });
const eventLike = fc.record(
  {
    id: fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null)),
    type: fc.oneof(
      fc.constantFrom(
        'case.opened',
        'case.updated',
        'case.comment_added',
        'document.added',
        'request.created',
        'notice.acknowledged',
        'trading_partner.created',
      ),
      fc.string({ maxLength: 20 }),
    ),
    occurred_at: fc.oneof(fc.constant('2025-06-15T15:06:40Z'), fc.string({ maxLength: 10 })),
    data: fc.oneof(
      jsonValue,
      fc.record({ id: fc.string({ maxLength: 10 }), case_id: fc.string({ maxLength: 10 }) }, { requiredKeys: [] }),
    ),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
  jsonValue.map((v) => Buffer.from(JSON.stringify(v))),
  eventLike.map((v) => Buffer.from(JSON.stringify(v))),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
    const b = Buffer.from(tgEvent('evt_mut'));
    b[at % b.length] = byte;
    return b;
  }),
  fc.constant(Buffer.alloc(9 * 1024, 0x20)),
);

async function expectClearAnswer(r: Response, allowed: number[]): Promise<void> {
  expect(allowed).toContain(r.status);
  const j = (await r.json()) as { error?: unknown; accepted?: unknown };
  if (r.status >= 400) {
    expect(typeof j.error).toBe('string');
    expect((j.error as string).length).toBeGreaterThan(0);
  } else expect(j.accepted).toBe(true);
}

describe('webhook fuzzing through the real app (fast-check)', () => {
  it('Trading Grid: any body with any headers gets a clear 2xx or 4xx, never a 500 or a crash', async () => {
    await fc.assert(
      fc.asyncProperty(
        body,
        contentType,
        fc.record({ id: printable, ts: printable, sig: printable }, { requiredKeys: [] }),
        async (b, type, h) => {
          const headers: Record<string, string> = { 'content-type': type };
          if (h.id !== undefined) headers['webhook-id'] = h.id;
          if (h.ts !== undefined) headers['webhook-timestamp'] = h.ts;
          if (h.sig !== undefined) headers['webhook-signature'] = h.sig;
          const r = await a.app.request('/webhooks/tradinggrid', { method: 'POST', body: b, headers });
          await expectClearAnswer(r, [400, 401, 413, 415]);
        },
      ),
      { numRuns: fuzzRuns(60) },
    );
  });

  it('Trading Grid: correctly signed bodies of any shape get 202/200, 400 with a reason, 409 for a reused id, or 413', async () => {
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.string({ minLength: 1, maxLength: 30 }).filter((s) => /^[\x21-\x7e]+$/.test(s)),
        fc.integer({ min: -200, max: 200 }),
        async (b, id, skew) => {
          const headers = tgHeaders(b, { id, ts: Math.floor(NOW_MS / 1000) + skew });
          const r = await a.app.request('/webhooks/tradinggrid', { method: 'POST', body: b, headers });
          await expectClearAnswer(r, [200, 202, 400, 409, 413]);
        },
      ),
      { numRuns: fuzzRuns(60) },
    );
  });

  it('ClickUp: any body with any headers, signed or not, gets a clear 2xx or 4xx, never a 500 or a crash', async () => {
    const cuBody = fc.oneof(
      body,
      fc
        .record(
          {
            event: fc.string({ maxLength: 20 }),
            webhook_id: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
            task_id: fc.oneof(fc.string({ maxLength: 10 }), fc.constant(null)),
            history_items: fc.oneof(
              fc.array(jsonValue, { maxLength: 3 }),
              fc.array(fc.record({ id: fc.string({ maxLength: 8 }), field: fc.string({ maxLength: 8 }) }), {
                maxLength: 3,
              }),
            ),
          },
          { requiredKeys: [] },
        )
        .map((v) => Buffer.from(JSON.stringify(v))),
    );
    await fc.assert(
      fc.asyncProperty(cuBody, fc.boolean(), contentType, printable, async (b, sign, type, sig) => {
        const headers: Record<string, string> = sign
          ? { ...cuHeaders(b), 'content-type': type }
          : { 'content-type': type, 'x-signature': sig };
        const r = await a.app.request('/webhooks/clickup', { method: 'POST', body: b, headers });
        await expectClearAnswer(r, [200, 400, 401, 413, 415]);
      }),
      { numRuns: fuzzRuns(80) },
    );
  });
});
