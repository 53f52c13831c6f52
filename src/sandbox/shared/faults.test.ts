import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startClickUpSandbox, type ClickUpSandbox } from '../clickup/server.ts';
import {
  CLICKUP_NO_FAULTS,
  ClickUpFaultsBody,
  latencyFor,
  seededRandom,
  TRADING_GRID_NO_FAULTS,
  TradingGridFaultsBody,
} from './faults.ts';

describe('one fault vocabulary for both sandboxes', () => {
  it('names each knob once: the two sandboxes share only the common knobs, and each schema knows its own', () => {
    const cu = Object.keys(CLICKUP_NO_FAULTS).sort();
    const tg = Object.keys(TRADING_GRID_NO_FAULTS).sort();
    expect(cu.filter((k) => tg.includes(k))).toEqual([
      'errorRate',
      'latencyMs',
      'rateLimitRate',
      'webhookDuplicateRate',
      'webhookReorderMaxMs',
      'webhookReorderRate',
    ]);
    expect(Object.keys(ClickUpFaultsBody.shape).sort()).toEqual(cu);
    expect(Object.keys(TradingGridFaultsBody.shape).sort()).toEqual(tg);
  });

  it('draws a latency from [min, max] and takes a fixed one as it is', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 50; i++) {
      const l = latencyFor({ latencyMs: [20, 30] }, random);
      expect(l).toBeGreaterThanOrEqual(20);
      expect(l).toBeLessThanOrEqual(30);
    }
    expect(latencyFor({ latencyMs: 40 }, () => 0.5)).toBe(40);
  });

  it('seededRandom repeats its sequence for a seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    expect(new Set(xs).size).toBe(3);
  });
});

describe('ClickUp sandbox: POST /_sandbox/faults', () => {
  let sb: ClickUpSandbox;
  beforeAll(async () => {
    sb = await startClickUpSandbox({ rateLimitPerMinute: null });
  });
  afterAll(() => sb.close());
  const post = async (body: unknown) => {
    const r = await request(`${sb.origin}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: r.statusCode, json: (await r.body.json()) as Record<string, unknown> };
  };

  it('sets knobs and answers all of them', async () => {
    const r = await post({ errorRate: 0.25, latencyMs: [1, 2] });
    expect(r).toMatchObject({ status: 200, json: { errorRate: 0.25, latencyMs: [1, 2], savedThen5xxRate: 0 } });
    await post({ errorRate: 0, latencyMs: 0 });
  });

  it('refuses an unknown knob, a knob of the Trading Grid sandbox, or a bad value with a 400 naming it', async () => {
    for (const [body, field] of [
      [{ rate5xx: 1 }, 'rate5xx'],
      [{ tokenExpiredRate: 1 }, 'tokenExpiredRate'],
      [{ savedThenHangRate: 2 }, 'savedThenHangRate'],
      [{ webhookFailing: 'yes' }, 'webhookFailing'],
    ] as const) {
      const r = await post(body);
      expect([r.status, r.json.ECODE, r.json.err]).toEqual([400, 'SANDBOX_001', expect.stringMatching(`^${field}: `)]);
    }
    const now = await request(`${sb.origin}/_sandbox/faults`);
    expect(await now.body.json()).toEqual(CLICKUP_NO_FAULTS);
  });
});
