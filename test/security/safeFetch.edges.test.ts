import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { safeFetch, type ResolvedAddress, type SafeFetchOptions } from '../../src/connectors/http/safeFetch.ts';

// The edges of safeFetch that safeFetch.test.ts leaves open (found by mutation testing): failures as values
// with their exact codes and details, status and redirect boundaries, the media type and size limits at
// their edges, a POST, and the stream limiter passing errors and closes both ways.

let server: Server;
let port: number;
const hits: string[] = [];
const closed = new Set<string>();
const routes: Record<string, (req: IncomingMessage, res: ServerResponse, body: string) => void> = {
  '/file.pdf': (_q, r) => r.writeHead(200, { 'content-type': 'application/pdf', 'content-length': '5' }).end('%PDF-'),
  '/echo': (q, r, body) =>
    r
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ method: q.method, body, ua: q.headers['user-agent'], x: q.headers['x-test'] ?? null })),
  '/spaced-type': (_q, r) => r.writeHead(200, { 'content-type': 'Application/PDF ; charset=binary' }).end('x'),
  '/no-type': (_q, r) => r.writeHead(200).end('x'),
  '/empty-type': (_q, r) => r.writeHead(200, { 'content-type': '; charset=utf-8' }).end('x'),
  '/exact-chunked': (_q, r) => {
    r.writeHead(200, { 'content-type': 'application/pdf' });
    r.write('x'.repeat(600));
    r.end('y'.repeat(600));
  },
  '/gone': (_q, r) => r.writeHead(404, { 'content-type': 'text/plain' }).end('g'.repeat(300)),
  '/300-plain': (_q, r) => r.writeHead(300).end(),
  '/300-to-file': (_q, r) => r.writeHead(300, { location: '/file.pdf' }).end(),
  '/400-with-location': (_q, r) => r.writeHead(400, { location: '/file.pdf' }).end('bad'),
  '/200-with-location': (_q, r) =>
    r.writeHead(200, { location: '/file.pdf', 'content-type': 'text/plain' }).end('first'),
  '/loop': (_q, r) => r.writeHead(302, { location: '/loop' }).end(),
  '/bad-redirect': (_q, r) => r.writeHead(302, { location: 'http://[::1' }).end(),
  '/hang': () => undefined, // never answers
  '/slow': (q, r) => {
    q.socket.once('close', () => closed.add('/slow'));
    r.writeHead(200, { 'content-type': 'application/pdf' });
    r.write('x');
    setTimeout(() => r.end(), 10_000).unref();
  },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () =>
      (routes[req.url ?? ''] ?? ((_q, r) => r.writeHead(404).end()))(req, res, Buffer.concat(chunks).toString()),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const local = (path: string) => `http://127.0.0.1:${port}${path}`;
const base: SafeFetchOptions = {
  allowedHosts: ['127.0.0.1', 'files.test', 'localhost', '::1'],
  allowHttp: true,
  allowPrivateAddresses: true,
  timeoutMs: 2_000,
  totalTimeoutMs: 3_000,
};
const strict: SafeFetchOptions = { ...base, allowPrivateAddresses: false };
const text = async (r: Awaited<ReturnType<typeof safeFetch>>) =>
  r.ok ? Buffer.concat(await r.value.body.toArray()).toString() : `error ${r.error.code}`;

describe('safeFetch refusals, each with its code and detail', () => {
  it.each([
    ['not a url', 'http:bad_url', 'safeFetch: not a URL: not a url'],
    [`x${'y'.repeat(150)}`, 'http:bad_url', `safeFetch: not a URL: x${'y'.repeat(99)}`],
    ['ftp://127.0.0.1/a', 'http:scheme_not_allowed', 'safeFetch: ftp: URLs are not fetched (GET ftp://127.0.0.1/a)'],
    ['http://u@127.0.0.1/a', 'http:bad_url', 'safeFetch: URLs with credentials are not fetched (http://127.0.0.1)'],
    ['http://:p@127.0.0.1/a', 'http:bad_url', 'safeFetch: URLs with credentials are not fetched (http://127.0.0.1)'],
    ['http://evil.example/a', 'http:host_not_allowed', 'safeFetch: host evil.example is not an allowed host'],
  ])('%s → %s', async (url, code, detail) => {
    expect(await safeFetch(url, base)).toStrictEqual({ ok: false, error: { code, retryable: false, detail } });
  });

  it('an IP literal: the address is checked without a lookup, and the detail names the URL', async () => {
    expect(await safeFetch(local('/file.pdf'), strict)).toStrictEqual({
      ok: false,
      error: {
        code: 'http:address_blocked',
        retryable: false,
        detail: `safeFetch: 127.0.0.1 is a loopback, link-local, private, multicast or reserved IPv4 address (GET ${local('/file.pdf')})`,
      },
    });
    // Brackets are taken off an IPv6 literal before the allow-list and the address check.
    expect(await safeFetch(`http://[::1]:${port}/file.pdf`, strict)).toMatchObject({
      ok: false,
      error: { code: 'http:address_blocked' },
    });
  });

  it('a name that resolves to nothing, or fails to resolve, is a network failure with its code', async () => {
    const none = await safeFetch(`http://files.test:${port}/file.pdf`, {
      ...base,
      timeoutMs: 500,
      resolve: async () => [],
    });
    expect(none).toMatchObject({ ok: false, error: { code: 'ENOTFOUND' } });
    const failing = await safeFetch(`http://files.test:${port}/file.pdf`, {
      ...base,
      timeoutMs: 500,
      resolve: async (h) => {
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${h}`), { code: 'ENOTFOUND' });
      },
    });
    expect(failing).toStrictEqual({
      ok: false,
      error: {
        code: 'ENOTFOUND',
        retryable: false,
        detail: `safeFetch GET http://files.test:${port}/file.pdf: no response (ENOTFOUND)`,
      },
    });
  });

  it('the system resolver is used when none is given, and its answer is checked too', async () => {
    const r = await safeFetch(`http://localhost:${port}/file.pdf`, strict);
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'http:address_blocked', detail: expect.stringMatching(/^safeFetch: localhost resolves to /) },
    });
  });

  it('no answer within the whole-exchange limit is a retryable timeout', async () => {
    expect(await safeFetch(local('/hang'), { ...base, totalTimeoutMs: 300 })).toStrictEqual({
      ok: false,
      error: {
        code: 'http:timeout',
        retryable: true,
        detail: `safeFetch: no complete answer within 300 ms (GET ${local('/hang')})`,
      },
    });
  });
});

describe('safeFetch statuses and redirects', () => {
  it('a 4xx is a classified failure, its body quoted up to 200 characters', async () => {
    const r = await safeFetch(local('/gone'), base);
    expect(r).toStrictEqual({
      ok: false,
      error: {
        status: 404,
        code: 'http_404',
        retryable: false,
        detail: `safeFetch GET ${local('/gone')}: request refused (404) — ${'g'.repeat(200)}`,
      },
    });
  });

  it('a 300 without Location is a failure; with one it is followed', async () => {
    expect(await safeFetch(local('/300-plain'), base)).toMatchObject({ ok: false, error: { status: 300 } });
    const r = await safeFetch(local('/300-to-file'), base);
    expect(await text(r)).toBe('%PDF-');
  });

  it('a Location on a 200 or a 400 is not a redirect', async () => {
    expect(await text(await safeFetch(local('/200-with-location'), base))).toBe('first');
    expect(await safeFetch(local('/400-with-location'), base)).toMatchObject({ ok: false, error: { status: 400 } });
  });

  it('at most maxRedirects redirects (3 by default), then a refusal naming the last hop', async () => {
    let before = hits.length;
    expect(await safeFetch(local('/loop'), { ...base, maxRedirects: 2 })).toStrictEqual({
      ok: false,
      error: {
        code: 'http:too_many_redirects',
        retryable: false,
        detail: `safeFetch: more than 2 redirects (last GET ${local('/loop')})`,
      },
    });
    expect(hits.length - before).toBe(3);
    before = hits.length;
    expect(await safeFetch(local('/loop'), base)).toMatchObject({
      ok: false,
      error: { code: 'http:too_many_redirects' },
    });
    expect(hits.length - before).toBe(4);
  });

  it('a redirect to a location that is not a URL is refused', async () => {
    expect(await safeFetch(local('/bad-redirect'), base)).toStrictEqual({
      ok: false,
      error: {
        code: 'http:bad_redirect',
        retryable: false,
        detail: `safeFetch: redirect to an invalid location (GET ${local('/bad-redirect')})`,
      },
    });
  });

  it('a POST sends its body, and every request carries the user agent and the caller headers', async () => {
    const post = await safeFetch(local('/echo'), { ...base, post: Buffer.from('<mdn/>'), headers: { 'x-test': 'v' } });
    expect(JSON.parse(await text(post))).toEqual({ method: 'POST', body: '<mdn/>', ua: 'gridbridge', x: 'v' });
    const get = await safeFetch(local('/echo'), base);
    expect(JSON.parse(await text(get))).toEqual({ method: 'GET', body: '', ua: 'gridbridge', x: null });
  });

  it('reports the address connected to, for an IP literal too', async () => {
    const r = await safeFetch(local('/file.pdf'), base);
    expect(r).toMatchObject({ ok: true, value: { address: '127.0.0.1', contentLength: 5, status: 200 } });
    if (r.ok) r.value.body.resume();
    const dns = async (): Promise<ResolvedAddress[]> => [{ address: '127.0.0.1', family: 4 }];
    const named = await safeFetch(`http://files.test:${port}/file.pdf`, { ...base, resolve: dns });
    expect(named).toMatchObject({
      ok: true,
      value: { address: '127.0.0.1', url: `http://files.test:${port}/file.pdf` },
    });
    if (named.ok) named.value.body.resume();
  });
});

describe('safeFetch media type and size limits', () => {
  it.each([
    ['/spaced-type', 'application/pdf'],
    ['/no-type', 'application/octet-stream'],
    ['/empty-type', 'application/octet-stream'],
  ])('%s is read as %s', async (path, type) => {
    const r = await safeFetch(local(path), base);
    expect(r).toMatchObject({ ok: true, value: { contentType: type } });
    if (r.ok) r.value.body.resume();
  });

  it('the allow-list is compared without case; an empty one allows any type', async () => {
    const r = await safeFetch(local('/file.pdf'), { ...base, contentTypes: ['Application/PDF'] });
    expect(await text(r)).toBe('%PDF-');
    expect(await text(await safeFetch(local('/no-type'), { ...base, contentTypes: [] }))).toBe('x');
  });

  it('a body of exactly maxBytes passes, declared or streamed; one byte over a declared size is refused', async () => {
    const declared = await safeFetch(local('/file.pdf'), { ...base, maxBytes: 5 });
    expect(await text(declared)).toBe('%PDF-');
    const streamed = await safeFetch(local('/exact-chunked'), { ...base, maxBytes: 1_200 });
    expect(streamed).toMatchObject({ ok: true, value: { contentLength: undefined } });
    expect((await text(streamed)).length).toBe(1_200);
    expect(await safeFetch(local('/file.pdf'), { ...base, maxBytes: 4 })).toStrictEqual({
      ok: false,
      error: {
        code: 'http:too_large',
        retryable: false,
        detail: `safeFetch: 5 bytes is over the 4-byte limit (GET ${local('/file.pdf')})`,
      },
    });
  });

  it('through the size limiter, a stalled body still fails, and a body dropped by the reader closes the connection', async () => {
    const stalled = await safeFetch(local('/slow'), { ...base, maxBytes: 1_000, timeoutMs: 300 });
    expect(stalled.ok).toBe(true);
    if (stalled.ok) await expect(stalled.value.body.toArray()).rejects.toThrow();

    closed.delete('/slow');
    const dropped = await safeFetch(local('/slow'), { ...base, maxBytes: 1_000 });
    expect(dropped.ok).toBe(true);
    if (!dropped.ok) return;
    dropped.value.body.destroy();
    await vi.waitFor(() => expect(closed.has('/slow')).toBe(true), { timeout: 2_000 });
  });
});
