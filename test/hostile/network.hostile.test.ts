import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import pg from 'pg';
import { ADMIN_TOKEN, PASSWORD, rawRequest, rssOf, signedTgDelivery, startTarget, type Target } from './harness.ts';
import { until } from '../helpers/until.ts';

// Attacks anyone who can reach the port can make: no credentials needed unless the test says so.

const signIn = (t: Target, body: unknown) =>
  fetch(`${t.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function* filler(total: number, prefix = '{"user":"') {
  yield Buffer.from(prefix);
  const chunk = Buffer.alloc(1 << 20, 'a');
  for (let sent = 0; sent < total; sent += chunk.length) yield chunk;
}

describe('bodies: every body the bridge reads has a limit, checked before and while reading', () => {
  let t: Target;
  beforeAll(async () => {
    t = await startTarget();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a 64 MB sign-in body streamed without Content-Length is cut off with 413, and the process does not grow by it', async () => {
    const before = await rssOf(t.proc.child.pid!);
    const r = await rawRequest(`${t.url}/api/session`, {
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      chunks: () => filler(64 << 20),
    });
    // The server may close the socket while we are still sending: either way it must not have read it all.
    if ('status' in r) expect(r.status).toBe(413);
    const after = await rssOf(t.proc.child.pid!);
    expect(after - before).toBeLessThan(48 << 20);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('a sign-in that declares 1 GB is refused at once, before a byte of it is read', async () => {
    const started = Date.now();
    const r = await rawRequest(`${t.url}/api/session`, {
      headers: { 'content-type': 'application/json', 'content-length': String(1 << 30) },
      // Sends a few bytes and then stalls: a server waiting for the body never answers.
      chunks: async function* () {
        yield Buffer.from('{"user":"');
        await new Promise((r) => setTimeout(r, 8_000)); // sleep-ok: the client stalls its body
      },
      timeoutMs: 6_000,
    });
    expect(r).toMatchObject({ status: 413 });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('the bulk dead-letter replay refuses a body over the configured limit with 413 (admin token or not)', async () => {
    const r = await rawRequest(`${t.url}/api/dead-letters/replay`, {
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${ADMIN_TOKEN}`,
        'transfer-encoding': 'chunked',
      },
      chunks: () => filler(8 << 20, '{"all":true,"pad":"'),
    });
    if ('status' in r) expect(r.status).toBe(413);
  });
});

describe('brute force: sign-in and bearer guesses are limited per (address prefix, user)', () => {
  let t: Target | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  it('thirty parallel wrong passwords for one user: only the limit (5) is checked, the rest get 429', async () => {
    t = await startTarget();
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => signIn(t!, { user: 'alice', password: `guess-${i}` }).then((r) => r.status)),
    );
    expect(answers.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(answers.filter((s) => s === 429).length).toBeGreaterThanOrEqual(25);
    // The right password is refused too while the key waits: a guess cannot tell itself apart.
    expect((await signIn(t, { user: 'alice', password: PASSWORD })).status).toBe(429);
  });

  it('a good sign-in as another user (even read-only) does not clear the failures counted against this one', async () => {
    t = await startTarget();
    for (let i = 0; i < 4; i++) expect((await signIn(t, { user: 'alice', password: `wrong-${i}` })).status).toBe(401);
    expect((await signIn(t, { user: 'victor', password: PASSWORD })).status).toBe(200);
    expect((await signIn(t, { user: 'alice', password: 'wrong-5' })).status).toBe(401);
    expect((await signIn(t, { user: 'alice', password: 'wrong-6' })).status).toBe(429);
    // ...and alice's lock-out does not lock victor out.
    expect((await signIn(t, { user: 'victor', password: PASSWORD })).status).toBe(200);
  });

  it('password checks run a few at a time: a flood over many user names gets 503 for the excess and /healthz stays quick', async () => {
    t = await startTarget();
    const flood = Promise.all(
      Array.from({ length: 40 }, (_, i) => signIn(t!, { user: `nobody-${i}`, password: 'x' }).then((r) => r.status)),
    );
    const started = Date.now();
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
    const answers = await flood;
    expect(answers.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(answers.every((s) => s === 401 || s === 503)).toBe(true);
  });

  it('wrong bearer tokens on /api are limited too: after the limit even the right token waits (no oracle)', async () => {
    t = await startTarget();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++)
      statuses.push(
        (await fetch(`${t.url}/api/overview`, { headers: { authorization: `Bearer guess-${i}-0123456789abcdef` } }))
          .status,
      );
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect((await fetch(`${t.url}/api/overview`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(
      429,
    );
  });
});

describe('errors: an internal failure answers with an id, never the internal text', () => {
  let t: Target;
  beforeAll(async () => {
    t = await startTarget();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a failing query answers {"error":"internal error", id} and the log has the detail under that id', async () => {
    // Another hand breaks the store under the running process (a bad migration, a restore gone wrong).
    const db = new Database(t.config.store.url.slice('sqlite:'.length));
    db.pragma('busy_timeout = 5000');
    db.exec('ALTER TABLE inbound_events RENAME TO inbound_events_gone');
    db.close();
    const r = await fetch(`${t.url}/api/health`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const text = await r.text();
    expect(r.status).toBe(500);
    expect(text).not.toMatch(/inbound_events|no such table|sqlite/i);
    const body = JSON.parse(text);
    expect(body).toEqual({ error: 'internal error', id: expect.stringMatching(/^[0-9a-f]{12}$/) });
    await until('the log line with the error id', () => t.proc.output().includes(body.id), 5_000);
    expect(t.proc.output()).toMatch(/inbound_events/);
  });
});

describe('long ids: a genuine delivery with a very long id is stored, not refused forever', () => {
  it('on PostgreSQL, a Trading Grid event whose id is 8 kB is accepted (202) and its repeat is a duplicate (200)', async () => {
    // PostgreSQL refuses a B-tree entry over ~2.7 kB ("index row size exceeds btree version 4 maximum"):
    // https://www.postgresql.org/docs/current/btree.html#BTREE-IMPLEMENTATION
    const t = await startTarget({ pg: true });
    try {
      const id = `evt_${'x'.repeat(8_000)}`;
      const body = JSON.stringify({
        id,
        type: 'case.opened',
        occurred_at: new Date().toISOString(),
        data: { id: 'C-LONG-1' },
      });
      const send = () =>
        fetch(`${t.url}/webhooks/tradinggrid`, {
          method: 'POST',
          headers: signedTgDelivery(t.world.secrets.tgWebhookSecret!, body, id),
          body,
        });
      expect((await send()).status).toBe(202);
      expect((await send()).status).toBe(200);
      const c = new pg.Client({ connectionString: t.pgUrl });
      await c.connect();
      try {
        const r = await c.query<{ n: number }>(
          "select length(event_id) as n from inbound_events where source = 'tradinggrid'",
        );
        expect(r.rows.length).toBe(1);
        expect(r.rows[0]!.n).toBeLessThanOrEqual(256);
      } finally {
        await c.end();
      }
    } finally {
      await t.close();
    }
  });
});
