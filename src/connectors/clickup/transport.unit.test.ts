import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RemoteError } from '../../core/result.ts';
import { runWithJobSignal } from '../../core/jobSignal.ts';
import { until } from '../../../test/helpers/until.ts';
import type { ClickUpRateLimiter } from './rateLimiter.ts';
import { ClickUpTransport, clickUpRemote, explainClickUpAuth, invalidInput, type RetryPolicy } from './transport.ts';

// The transport's decisions (auth header, retries, 429s, ambiguous writes, a stopped job) against one plain
// HTTP server that plays a script of answers, with a recording limiter and sleep: no sandbox, no real waits.

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (a remote that hangs). */
  hang?: boolean;
}
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  socket: Socket;
}

let server: Server;
let base: string;
let script: Answer[] = [];
let seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        socket: req.socket,
      });
      const a = script.shift() ?? { status: 200, body: '{}' };
      if (a.hang) return;
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers }).end(a.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

let transports: ClickUpTransport[] = [];
beforeEach(() => {
  script = [];
  seen = [];
  // Full jitter at its floor: backoffMs(attempt, base, max) is then exactly min(max, base·2^(attempt−1)) / 2.
  vi.spyOn(Math, 'random').mockReturnValue(0);
});
afterEach(async () => {
  vi.restoreAllMocks();
  const open = transports;
  transports = [];
  await Promise.all(open.map((t) => t.close()));
});

const POLICY: RetryPolicy = { maxAttempts: 3, baseMs: 100, maxMs: 1_000, max429: 2 };

function setup(opts: { token?: string; retry?: Partial<RetryPolicy>; noLogger?: boolean; timeoutMs?: number } = {}) {
  const rec = { acquired: 0, done: [] as unknown[], limited: [] as (number | undefined)[], sleeps: [] as number[] };
  const debug: string[] = [];
  const debugFields: unknown[] = [];
  const limiter = {
    acquire: () => {
      rec.acquired++;
      return Promise.resolve();
    },
    done: (h: unknown) => void rec.done.push(h),
    onRateLimited: (ms: number | undefined) => void rec.limited.push(ms),
  } as unknown as ClickUpRateLimiter;
  const logger = {
    debug: (o: unknown, msg: string) => {
      debugFields.push(o);
      debug.push(msg);
    },
  };
  const t = new ClickUpTransport(
    `${base}/api`,
    opts.token ?? 'pk_1_TOKEN',
    limiter,
    { ...POLICY, ...opts.retry },
    () => 1_000_000,
    async (ms) => void rec.sleeps.push(ms),
    opts.noLogger ? undefined : (logger as never),
    opts.timeoutMs,
  );
  transports.push(t);
  return { t, rec, debug, debugFields };
}

const json = (status: number, body: unknown, headers?: Record<string, string>): Answer => ({
  status,
  body: JSON.stringify(body),
  ...(headers ? { headers } : {}),
});

describe('clickUpRemote reads ClickUp error bodies', () => {
  it.each([
    [
      { err: 'Task not found', ECODE: 'ITEM_015' },
      { code: 'ITEM_015', message: 'Task not found' },
    ],
    [{ err: 'only a message' }, { code: undefined, message: 'only a message' }],
    [
      { err: 1, ECODE: 2 },
      { code: undefined, message: undefined },
    ],
    [null, {}],
    ['ECODE', {}],
    [42, {}],
  ])('%j → %j', (body, expected) => expect(clickUpRemote(body)).toStrictEqual(expected));
});

describe('explainClickUpAuth tells a token refused from an id the token cannot see', () => {
  const e401 = (code: string): RemoteError => ({ status: 401, code, retryable: false, detail: 'x' });

  it('leaves any other status as it is', () => {
    const e: RemoteError = { status: 403, code: 'http_403:OAUTH_027', retryable: false, detail: 'x' };
    expect(explainClickUpAuth(e, 'GET', '/v2/list/1')).toBe(e);
  });

  it.each(['OAUTH_023', 'OAUTH_026', 'OAUTH_027', 'OAUTH_029', 'OAUTH_030', 'OAUTH_039', 'OAUTH_040', 'OAUTH_045'])(
    '%s is "cannot see"',
    (ecode) =>
      expect(explainClickUpAuth(e401(`http_401:${ecode}`), 'GET', '/v2/list/901')).toStrictEqual({
        status: 401,
        retryable: false,
        code: 'clickup:cannot_see',
        detail: `GET /v2/list/901: the token cannot see list 901 (${ecode} Team not authorized): check the id, or share it with the token's user`,
      }),
  );

  it.each(['OAUTH_017', 'OAUTH_019', 'OAUTH_022', 'OAUTH_024', 'OAUTH_028', 'OAUTH_046', 'OAUTH_0270', 'XOAUTH_027'])(
    '%s is "token refused"',
    (ecode) =>
      expect(explainClickUpAuth(e401(`http_401:${ecode}`), 'PUT', '/v2/task/abc')).toStrictEqual({
        status: 401,
        retryable: false,
        code: 'clickup:token_refused',
        detail: `PUT /v2/task/abc: ClickUp refused the token (${ecode}): put a valid token where clickup.token points`,
      }),
  );

  it.each([
    ['http_401', 'no ECODE'],
    ['xhttp_401:OAUTH_027', 'no ECODE'],
  ])('a 401 coded %s has no ECODE and is "token refused"', (code, shown) =>
    expect(explainClickUpAuth(e401(code), 'GET', '/v2/user').detail).toBe(
      `GET /v2/user: ClickUp refused the token (${shown}): put a valid token where clickup.token points`,
    ),
  );

  it.each([
    ['/v2/team/9001/space', 'workspace 9001'],
    ['/v2/task/a%20b/comment', 'task a b'],
    ['/v2/folder/F1', 'folder F1'],
    ['/v2/space/S1?archived=false', 'space S1'],
    ['/v2/checklist/C1/checklist_item', 'checklist C1'],
    ['/v2/webhook/W1', 'webhook W1'],
    ['/v2/user', '/v2/user'],
    ['/v2/goal/G1', '/v2/goal/G1'],
  ])('the object named for %s is "%s"', (path, what) =>
    expect(explainClickUpAuth(e401('http_401:OAUTH_027'), 'GET', path).detail).toBe(
      `GET ${path}: the token cannot see ${what} (OAUTH_027 Team not authorized): check the id, or share it with the token's user`,
    ),
  );
});

describe('ClickUpTransport.request', () => {
  it.each([
    ['pk_1_TOKEN', 'pk_1_TOKEN'],
    ['Bearer abc', 'Bearer abc'],
    ['bearer abc', 'bearer abc'],
    ['abc', 'Bearer abc'],
    ['xpk_1', 'Bearer xpk_1'],
    ['x bearer y', 'Bearer x bearer y'],
  ])('token %s goes as authorization %s', async (token, header) => {
    const { t } = setup({ token });
    script = [json(200, { ok: 1 })];
    expect(await t.request({ method: 'GET', path: '/v2/user' })).toStrictEqual({ ok: true, value: { ok: 1 } });
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/api/v2/user', headers: { authorization: header } });
  });

  it('marks a body-less call as JSON (the API wants it), lets the caller override headers, and sends a raw body as is', async () => {
    const { t } = setup();
    await t.request({ method: 'DELETE', path: '/v2/task/1' });
    await t.request({ method: 'GET', path: '/v2/x', headers: { 'content-type': 'text/plain', 'x-a': '1' } });
    await t.request({ method: 'POST', path: '/v2/y', body: Buffer.from('raw bytes'), headers: { 'x-b': '2' } });
    expect(seen.map((s) => [s.headers['content-type'], s.headers['x-a'], s.headers['x-b']])).toEqual([
      ['application/json', undefined, undefined],
      ['text/plain', '1', undefined],
      [undefined, undefined, '2'],
    ]);
    expect(seen[2]!.body).toBe('raw bytes');
  });

  it('sends query, JSON body and method as asked, and an empty answer resolves to undefined', async () => {
    const { t } = setup();
    script = [{ status: 200, body: '' }];
    const r = await t.request({ method: 'POST', path: '/v2/list/L/task', query: { a: 1 }, json: { name: 'n' } });
    expect(r).toStrictEqual({ ok: true, value: undefined });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/api/v2/list/L/task?a=1', body: '{"name":"n"}' });
    expect(seen[0]!.headers['content-type']).toBe('application/json');
  });

  it('retries a 5xx with its backoff until it succeeds, and tells the limiter of every answer', async () => {
    const { t, rec, debug, debugFields } = setup();
    const rl = { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '7', 'x-ratelimit-reset': '1700000000' };
    script = [json(503, { err: 'down' }, rl), json(500, {}), json(200, { id: 'T' }, rl)];
    expect(await t.request({ method: 'GET', path: '/v2/task/T' })).toStrictEqual({ ok: true, value: { id: 'T' } });
    expect(seen).toHaveLength(3);
    expect(rec.sleeps).toEqual([50, 100]);
    expect(rec.acquired).toBe(3);
    expect(rec.done).toHaveLength(3);
    expect(rec.done[0]).toStrictEqual(rl);
    expect(rec.done[1]).toBeUndefined();
    expect(rec.done[2]).toMatchObject(rl);
    expect(rec.limited).toEqual([]);
    expect(debug).toEqual(['clickup GET /v2/task/T retrying', 'clickup GET /v2/task/T retrying']);
    expect(debugFields).toEqual([
      { code: 'http_503', attempt: 1, wait: 50 },
      { code: 'http_500', attempt: 2, wait: 100 },
    ]);
  });

  it('gives up after maxAttempts and returns the last error', async () => {
    const { t, rec } = setup();
    script = [json(503, {}), json(502, {}), json(504, { err: 'last', ECODE: 'GW' }), json(200, {})];
    const r = await t.request({ method: 'GET', path: '/v2/list/1' });
    expect(r).toMatchObject({ ok: false, error: { status: 504, code: 'http_504:GW', retryable: true } });
    expect(seen).toHaveLength(3);
    expect(rec.sleeps).toEqual([50, 100]);
  });

  it.each([
    ['2', 1_000], // Retry-After is honoured up to maxMs
    ['0.5', 500],
    ['0', 50], // never shorter than the backoff
  ])('a 503 with Retry-After %s waits %i ms', async (after, wait) => {
    const { t, rec } = setup();
    script = [json(503, {}, { 'retry-after': after }), json(200, {})];
    expect((await t.request({ method: 'GET', path: '/v2/x' })).ok).toBe(true);
    expect(rec.sleeps).toEqual([wait]);
  });

  it('a 429 waits in the limiter, without counting as an attempt, up to max429 in a row', async () => {
    const { t, rec } = setup({ retry: { maxAttempts: 1 } });
    script = [json(429, {}, { 'retry-after': '3' }), json(429, {}), json(200, { done: true })];
    expect(await t.request({ method: 'GET', path: '/v2/x' })).toStrictEqual({ ok: true, value: { done: true } });
    expect(rec.limited).toEqual([3_000, undefined]);
    expect(rec.sleeps).toEqual([]);

    seen = [];
    script = [json(429, {}), json(429, {}), json(429, {}), json(200, {})];
    const r = await t.request({ method: 'POST', path: '/v2/y', json: {} });
    expect(r).toMatchObject({ ok: false, error: { status: 429 } });
    expect(seen).toHaveLength(3);
  });

  it('a create answered 502 is not repeated in place and says it may have been applied', async () => {
    const { t, rec, debug } = setup();
    script = [json(502, {}), json(200, {})];
    const r = await t.request({ method: 'POST', path: '/v2/list/L/task', json: { name: 'x' } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ status: 502, retryable: true, ambiguous: true });
    expect(r.error.detail).toMatch(/remote error 502 \(the request may have been applied; not repeated\)$/);
    expect(seen).toHaveLength(1);
    expect(rec.sleeps).toEqual([]);
    expect(debug).toEqual(['clickup POST /v2/list/L/task may have been applied; not repeated in place']);
  });

  it('without a logger the same decisions are made', async () => {
    const { t } = setup({ noLogger: true });
    script = [json(502, {}), json(503, {}), json(200, { v: 1 })];
    expect(await t.request({ method: 'POST', path: '/v2/a', json: {} })).toMatchObject({
      ok: false,
      error: { ambiguous: true },
    });
    expect(await t.request({ method: 'GET', path: '/v2/b' })).toStrictEqual({ ok: true, value: { v: 1 } });
  });

  it('the time limit given to the transport applies to its calls', async () => {
    const { t } = setup({ timeoutMs: 200, retry: { maxAttempts: 1 } });
    script = [{ status: 200, hang: true }];
    const t0 = Date.now();
    const r = await t.request({ method: 'GET', path: '/v2/slow' });
    expect(r).toMatchObject({ ok: false, error: { retryable: true } });
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('a closed transport sends nothing more', async () => {
    const { t } = setup();
    transports = transports.filter((x) => x !== t);
    await t.close();
    const before = seen.length;
    expect((await t.request({ method: 'GET', path: '/v2/x' })).ok).toBe(false);
    expect(seen.length).toBe(before);
  });

  it('a POST marked idempotent, or a PUT, is repeated in place after a 502', async () => {
    const { t } = setup();
    script = [json(502, {}), json(200, { v: 1 })];
    expect(await t.request({ method: 'POST', path: '/v2/a', json: {}, idempotent: true })).toMatchObject({ ok: true });
    script = [json(502, {}), json(200, { v: 2 })];
    expect(await t.request({ method: 'PUT', path: '/v2/b', json: {} })).toMatchObject({ ok: true });
    script = [json(502, {}), json(200, {})];
    expect((await t.request({ method: 'GET', path: '/v2/c', idempotent: false })).ok).toBe(false);
    expect(seen.map((s) => s.method)).toEqual(['POST', 'POST', 'PUT', 'PUT', 'GET']);
  });

  it('a refusal (4xx) is returned at once, with its detail unchanged', async () => {
    const { t, rec } = setup();
    script = [json(400, { err: 'bad', ECODE: 'INPUT_1' })];
    const r = await t.request({ method: 'POST', path: '/v2/z', json: {} });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ status: 400, code: 'http_400:INPUT_1', retryable: false });
    expect(r.error.detail).toBe('clickup POST /v2/z: request refused (400) — INPUT_1: bad');
    expect(seen).toHaveLength(1);
    expect(rec.sleeps).toEqual([]);
  });

  it('a 401 comes back explained', async () => {
    const { t } = setup();
    script = [json(401, { err: 'Team not authorized', ECODE: 'OAUTH_027' })];
    expect(await t.request({ method: 'GET', path: '/v2/list/77' })).toMatchObject({
      ok: false,
      error: { code: 'clickup:cannot_see', detail: expect.stringMatching(/cannot see list 77/) },
    });
  });

  it('a stopped job sends nothing and hands the limiter slot back', async () => {
    const { t, rec } = setup();
    const ac = new AbortController();
    ac.abort(new Error('deadline passed'));
    const r = await runWithJobSignal(ac.signal, () => t.request({ method: 'GET', path: '/v2/x' }));
    expect(r).toStrictEqual({
      ok: false,
      error: { code: 'job_stopped', retryable: true, detail: 'clickup GET /v2/x: not sent: deadline passed' },
    });
    await vi.waitFor(() => expect(rec.done).toEqual([undefined]));
    expect(seen).toHaveLength(0);
  });

  it('a job running normally goes through the limiter and keeps its slot', async () => {
    const { t, rec } = setup();
    const ac = new AbortController();
    const r = await runWithJobSignal(ac.signal, () => t.request({ method: 'GET', path: '/v2/x' }));
    expect(r.ok).toBe(true);
    expect(rec.acquired).toBe(1);
    expect(rec.done).toHaveLength(1);
    expect(rec.done[0]).not.toBeUndefined();
  });

  it('a job stopped during a retry wait does not sit it out and sends nothing more', async () => {
    const rec = { done: 0 };
    const limiter = {
      acquire: () => Promise.resolve(),
      done: () => void rec.done++,
      onRateLimited: () => undefined,
    } as unknown as ClickUpRateLimiter;
    const ac = new AbortController();
    // The wait never ends by itself: only the job's stop can end it.
    const t = new ClickUpTransport(`${base}/api`, 'pk_1', limiter, POLICY, Date.now, () => {
      ac.abort(new Error('shutting down'));
      return new Promise<void>(() => undefined);
    });
    transports.push(t);
    script = [json(503, {}), json(200, {})];
    const r = await runWithJobSignal(ac.signal, () => t.request({ method: 'GET', path: '/v2/x' }));
    expect(r).toMatchObject({ ok: false, error: { code: 'job_stopped' } });
    expect(seen).toHaveLength(1);
  });
});

describe('ClickUpTransport.stream', () => {
  it('an attachment download (not metered) skips the limiter and sends no token unless asked', async () => {
    const { t, rec } = setup();
    script = [{ status: 200, body: 'file bytes' }];
    const r = await t.stream(new URL(`${base}/att/f.pdf?x=1`), false, false);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Buffer.concat(await r.value.body.toArray()).toString()).toBe('file bytes');
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/att/f.pdf?x=1' });
    expect(seen[0]!.headers.authorization).toBeUndefined();
    expect(rec).toMatchObject({ acquired: 0, done: [] });
  });

  it('a download from the API host (metered, with the token) goes through the limiter', async () => {
    const { t, rec } = setup();
    script = [{ status: 200, body: 'x', headers: { 'x-ratelimit-remaining': '5' } }];
    const r = await t.stream(new URL(`${base}/api/v2/file`), true, true);
    expect(r.ok).toBe(true);
    if (r.ok) r.value.body.resume();
    expect(seen[0]!.headers.authorization).toBe('pk_1_TOKEN');
    expect(rec.acquired).toBe(1);
    expect(rec.done).toEqual([expect.objectContaining({ 'x-ratelimit-remaining': '5' })]);
  });

  it('a 429 on an unmetered download is an ordinary retry, not a limiter wait; a 404 is returned', async () => {
    const { t, rec } = setup();
    script = [{ status: 429 }, { status: 200, body: 'ok' }];
    const r = await t.stream(new URL(`${base}/att/a`), false, false);
    expect(r.ok).toBe(true);
    if (r.ok) r.value.body.resume();
    expect(rec.limited).toEqual([]);
    expect(rec.sleeps).toEqual([50]);

    script = [{ status: 404, body: 'gone' }];
    expect(await t.stream(new URL(`${base}/att/b`), false, false)).toMatchObject({
      ok: false,
      error: { status: 404, detail: 'clickup-download GET /att/b: request refused (404) — gone' },
    });
    expect(seen).toHaveLength(3);
  });

  it('a large download is handed over whole (the client is closed only after the body)', async () => {
    const { t } = setup();
    const big = 'z'.repeat(2_000_000);
    script = [{ status: 200, body: big }];
    const r = await t.stream(new URL(`${base}/att/big`), false, false);
    expect(r.ok).toBe(true);
    if (r.ok) expect(Buffer.concat(await r.value.body.toArray()).length).toBe(big.length);
  });

  it('a stopped job does not start a metered download, and says which', async () => {
    const { t } = setup();
    const ac = new AbortController();
    ac.abort(new Error('lease lost'));
    const r = await runWithJobSignal(ac.signal, () => t.stream(new URL(`${base}/api/v2/f?x=1`), true, true));
    expect(r).toStrictEqual({
      ok: false,
      error: { code: 'job_stopped', retryable: true, detail: 'clickup GET /api/v2/f?x=1: not sent: lease lost' },
    });
  });

  it('a metered 429 waits in the limiter', async () => {
    const { t, rec } = setup();
    script = [
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 200, body: 'ok' },
    ];
    const r = await t.stream(new URL(`${base}/api/v2/f`), true, true);
    if (r.ok) r.value.body.resume();
    expect(rec.limited).toEqual([1_000]);
    expect(rec.sleeps).toEqual([]);
    expect(rec.done).toHaveLength(2);
  });
});

describe('ClickUpTransport: what the first runs of the mutation tests left open', () => {
  it('the log line of a write not repeated in place names the failure code', async () => {
    const { t, debugFields } = setup();
    script = [json(504, {})];
    expect(await t.request({ method: 'POST', path: '/v2/list/L/task', json: {} })).toMatchObject({
      ok: false,
      error: { status: 504, ambiguous: true },
    });
    expect(debugFields).toEqual([{ code: 'http_504' }]);
  });

  it("a download's connection is closed as soon as its body is, not left to idle", async () => {
    const { t } = setup();
    const keep = server.keepAliveTimeout;
    // An idle keep-alive connection would stay open for a minute: only the client's close ends it sooner.
    server.keepAliveTimeout = 60_000;
    try {
      script = [{ status: 200, body: 'file bytes' }];
      const r = await t.stream(new URL(`${base}/att/c.pdf`), false, false);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(Buffer.concat(await r.value.body.toArray()).toString()).toBe('file bytes');
      const socket = seen.at(-1)!.socket;
      await until('the download connection to close', () => socket.destroyed, 10_000);
    } finally {
      server.keepAliveTimeout = keep;
    }
  });
});

describe('invalidInput', () => {
  it('is a final error naming where and what', () =>
    expect(invalidInput('createTask', 'name is empty')).toStrictEqual({
      ok: false,
      error: { code: 'clickup:invalid_input', retryable: false, detail: 'createTask: name is empty' },
    }));
});
