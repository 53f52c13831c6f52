import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/until.ts';
import { safeFetch, type ResolvedAddress, type SafeFetchOptions } from '../../src/connectors/http/safeFetch.ts';

// What safeFetch does on the wire that safeFetch.test.ts and safeFetch.edges.test.ts leave open (the survivors
// of its second mutation run): the extra CA of a TLS server under a real host name, each of the three time
// limits on its own, the injected clock in a Retry-After date, a resolver failing without a code, an error
// answer whose body breaks off, a public address let through the checks (by name and as an IP literal), and a
// redirect answer to a POST. Real loopback servers throughout, and nothing else is dialled: names resolve
// through the resolver the options inject, and a public address that passed the checks is served by the
// loopback server through the tests-only `dialInstead` hook.

const tls = {
  cert: readFileSync(new URL('../fixtures/tls/clickup-attachments.cert.pem', import.meta.url)),
  key: readFileSync(new URL('../fixtures/tls/clickup-attachments.key.pem', import.meta.url)),
};

let server: Server;
let port: number;
let httpsServer: HttpsServer;
let httpsPort: number;
const hits: { method: string; url: string }[] = [];
/** A whole second (an HTTP date has no milliseconds): the injected clock of the Retry-After test. */
const NOW = Date.UTC(2026, 11, 7, 6, 0, 0);

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/file.pdf': (_q, r) => r.writeHead(200, { 'content-type': 'application/pdf', 'content-length': '5' }).end('%PDF-'),
  '/hang': () => undefined, // never answers
  '/stall': (_q, r) => {
    r.writeHead(200, { 'content-type': 'application/pdf' });
    r.write('x'); // and nothing more
  },
  '/drip': (_q, r) => {
    r.writeHead(200, { 'content-type': 'application/pdf' });
    const t = setInterval(() => r.write('x'), 100);
    r.once('close', () => clearInterval(t));
  },
  '/busy': (_q, r) =>
    r
      .writeHead(503, { 'retry-after': new Date(NOW + 120_000).toUTCString(), 'content-type': 'text/plain' })
      .end('busy'),
  '/cut': (_q, r) => {
    // Promises 100 bytes, sends 3, then drops the connection: the error body cannot be read.
    r.writeHead(503, { 'content-type': 'text/plain', 'content-length': '100' });
    r.write('abc', () => r.socket?.destroy());
  },
  '/moved': (_q, r) => r.writeHead(302, { location: '/file.pdf' }).end(),
};

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits.push({ method: req.method ?? '', url: req.url ?? '' });
      (routes[req.url ?? ''] ?? ((_q, r) => r.writeHead(404).end()))(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  httpsServer = createHttpsServer(tls, (_q, r) => r.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-'));
  await new Promise<void>((r) => httpsServer.listen(0, '127.0.0.1', r));
  httpsPort = (httpsServer.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  httpsServer.closeAllConnections();
  await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => httpsServer.close(r))]);
});

const local = (path: string) => `http://127.0.0.1:${port}${path}`;
const toLoopback = async (): Promise<ResolvedAddress[]> => [{ address: '127.0.0.1', family: 4 }];
const base: SafeFetchOptions = {
  allowedHosts: ['127.0.0.1', 'files.test', '*.p.clickup-attachments.com'],
  allowHttp: true,
  allowPrivateAddresses: true,
  timeoutMs: 2_000,
  totalTimeoutMs: 5_000,
};

describe('TLS with an extra CA', () => {
  const url = () => `https://t9015123456.p.clickup-attachments.com:${httpsPort}/t9015123456/a/pod.pdf`;

  it('a server whose certificate only the given CA vouches for is read with it, and refused without it', async () => {
    const trusted = await safeFetch(url(), { ...base, resolve: toLoopback, tlsCa: tls.cert });
    expect(trusted).toMatchObject({ ok: true, value: { status: 200, address: '127.0.0.1' } });
    if (trusted.ok) expect(Buffer.concat(await trusted.value.body.toArray()).toString()).toBe('%PDF-');

    expect(await safeFetch(url(), { ...base, resolve: toLoopback })).toStrictEqual({
      ok: false,
      error: {
        code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
        retryable: false,
        detail: `safeFetch GET ${url()}: no response (DEPTH_ZERO_SELF_SIGNED_CERT)`,
      },
    });
  });
});

describe('the three time limits, each on its own', () => {
  it('timeoutMs bounds the wait for the answer headers (a retryable failure that may have been applied)', async () => {
    const started = Date.now();
    expect(await safeFetch(local('/hang'), { ...base, timeoutMs: 300, totalTimeoutMs: 4_000 })).toStrictEqual({
      ok: false,
      error: {
        code: 'UND_ERR_HEADERS_TIMEOUT',
        retryable: true,
        ambiguous: true,
        detail: `safeFetch GET ${local('/hang')}: no response (UND_ERR_HEADERS_TIMEOUT)`,
      },
    });
    // undici's timers tick coarsely (about a second); the whole-exchange limit of 4 s was not what ended it.
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('timeoutMs bounds the wait between body chunks', async () => {
    const r = await safeFetch(local('/stall'), { ...base, timeoutMs: 300, totalTimeoutMs: 4_000 });
    expect(r.ok).toBe(true);
    if (r.ok) await expect(r.value.body.toArray()).rejects.toMatchObject({ code: 'UND_ERR_BODY_TIMEOUT' });
  });

  it.each([false, true])(
    'totalTimeoutMs bounds the body too, however steadily it trickles (size limiter: %s)',
    async (limited) => {
      const r = await safeFetch(local('/drip'), {
        ...base,
        timeoutMs: 2_000,
        totalTimeoutMs: 600,
        ...(limited ? { maxBytes: 1_000_000 } : {}),
      });
      expect(r.ok).toBe(true);
      if (r.ok) await expect(r.value.body.toArray()).rejects.toMatchObject({ name: 'TimeoutError' });
    },
  );
});

describe('failures read as they come', () => {
  it("a Retry-After date is read against the caller's clock", async () => {
    const r = await safeFetch(local('/busy'), { ...base, now: () => NOW });
    expect(r).toMatchObject({ ok: false, error: { status: 503, retryable: true, retryAfterMs: 120_000 } });
  });

  it('a resolver failing without an error code is a network failure named network_error', async () => {
    const r = await safeFetch(`http://files.test:${port}/file.pdf`, {
      ...base,
      resolve: async () => {
        throw new Error('resolver down');
      },
    });
    expect(r).toStrictEqual({
      ok: false,
      error: {
        code: 'network_error',
        retryable: true,
        ambiguous: true,
        detail: `safeFetch GET http://files.test:${port}/file.pdf: no response (network_error)`,
      },
    });
  });

  it('an error answer whose body breaks off is reported by its status alone', async () => {
    expect(await safeFetch(local('/cut'), base)).toStrictEqual({
      ok: false,
      error: {
        status: 503,
        code: 'http_503',
        retryable: true,
        ambiguous: true,
        retryAfterMs: undefined,
        detail: `safeFetch GET ${local('/cut')}: remote error 503`,
      },
    });
  });

  it('a name that resolves only to a public address passes the guard and is connected to', async () => {
    // The check sees the public address; the socket is then sent to this loopback server in its place, so the
    // test never sends a packet off the machine and sees the request arrive.
    const dialled: string[] = [];
    const before = hits.length;
    const r = await safeFetch(`http://files.test:${port}/file.pdf`, {
      ...base,
      allowPrivateAddresses: false,
      resolve: async () => [{ address: '2606:4700:4700::1111', family: 6 }],
      dialInstead: (checked) => (dialled.push(checked), '127.0.0.1'),
    });
    expect(r).toMatchObject({ ok: true, value: { status: 200, address: '2606:4700:4700::1111' } });
    if (r.ok) expect(Buffer.concat(await r.value.body.toArray()).toString()).toBe('%PDF-');
    expect(dialled).toEqual(['2606:4700:4700::1111']);
    expect(hits.slice(before)).toEqual([{ method: 'GET', url: '/file.pdf' }]);
  });

  it('a name that resolves to a private address is refused before any dial, even with a dial hook', async () => {
    const dialled: string[] = [];
    const before = hits.length;
    const r = await safeFetch(`http://files.test:${port}/file.pdf`, {
      ...base,
      allowPrivateAddresses: false,
      resolve: async () => [
        { address: '2606:4700:4700::1111', family: 6 },
        { address: '10.0.0.7', family: 4 },
      ],
      dialInstead: (checked) => (dialled.push(checked), '127.0.0.1'),
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'http:address_blocked' } });
    expect(dialled).toEqual([]);
    expect(hits.slice(before)).toEqual([]);
  });
});

describe('a public IP literal', () => {
  it('passes the address check made without a lookup, and is connected to', async () => {
    const dialled: string[] = [];
    const before = hits.length;
    const r = await safeFetch(`http://[2606:4700:4700::1111]:${port}/file.pdf`, {
      ...base,
      allowedHosts: ['2606:4700:4700::1111'],
      allowPrivateAddresses: false,
      dialInstead: (checked) => (dialled.push(checked), '127.0.0.1'),
    });
    expect(r).toMatchObject({ ok: true, value: { status: 200, address: '2606:4700:4700::1111' } });
    if (r.ok) expect(Buffer.concat(await r.value.body.toArray()).toString()).toBe('%PDF-');
    expect(dialled).toEqual(['2606:4700:4700::1111']);
    expect(hits.slice(before)).toEqual([{ method: 'GET', url: '/file.pdf' }]);
  });

  it('a private IP literal is refused before any dial, even with a dial hook', async () => {
    const dialled: string[] = [];
    const before = hits.length;
    const r = await safeFetch(`http://[fd00::7]:${port}/file.pdf`, {
      ...base,
      allowedHosts: ['fd00::7'],
      allowPrivateAddresses: false,
      dialInstead: (checked) => (dialled.push(checked), '127.0.0.1'),
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'http:address_blocked' } });
    expect(dialled).toEqual([]);
    expect(hits.slice(before)).toEqual([]);
  });
});

describe('a POST', () => {
  it('is named as a POST in its failures', async () => {
    const r = await safeFetch(local('/hang'), { ...base, post: Buffer.from('<as2/>'), totalTimeoutMs: 300 });
    expect(r).toStrictEqual({
      ok: false,
      error: {
        code: 'http:timeout',
        retryable: true,
        detail: `safeFetch: no complete answer within 300 ms (POST ${local('/hang')})`,
      },
    });
  });

  it('answered with a redirect is refused as such after one request, not as "more than 3 redirects"', async () => {
    const before = hits.length;
    expect(await safeFetch(local('/moved'), { ...base, post: Buffer.from('<as2/>') })).toStrictEqual({
      ok: false,
      error: {
        code: 'http:redirect_not_followed',
        retryable: false,
        detail: `safeFetch: the 302 answer to a POST is not followed (POST ${local('/moved')})`,
      },
    });
    expect(hits.slice(before)).toEqual([{ method: 'POST', url: '/moved' }]);
  });
});

describe('connections closed with the answer', () => {
  // A server that asks to keep connections alive for a minute (`Keep-Alive: timeout=60`, which undici honours
  // over the agent's 1 ms): only safeFetch closing each hop's agent ends a connection within the test.
  let keepAlive: Server;
  let keepAlivePort: number;
  const open = new Set<Socket>();
  beforeAll(async () => {
    keepAlive = createServer((req, res) => {
      req.resume();
      if (req.url === '/moved') res.writeHead(302, { location: '/file.pdf' }).end('see /file.pdf');
      else res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': '5' }).end('%PDF-');
    });
    keepAlive.keepAliveTimeout = 60_000;
    keepAlive.on('connection', (socket) => {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
    });
    await new Promise<void>((r) => keepAlive.listen(0, '127.0.0.1', r));
    keepAlivePort = (keepAlive.address() as AddressInfo).port;
  });
  afterAll(async () => {
    keepAlive.closeAllConnections();
    await new Promise((r) => keepAlive.close(r));
  });

  it('an answer read to its end closes its connection', async () => {
    const r = await safeFetch(`http://127.0.0.1:${keepAlivePort}/file.pdf`, base);
    if (!r.ok) throw new Error(r.error.detail);
    expect(open.size).toBe(1);
    expect(Buffer.concat(await r.value.body.toArray()).toString()).toBe('%PDF-');
    await until('the connection closed', () => open.size === 0, 5_000);
  });

  it("a redirect's connection is closed once its body is drained, and the last hop's with its body", async () => {
    const r = await safeFetch(`http://127.0.0.1:${keepAlivePort}/moved`, base);
    if (!r.ok) throw new Error(r.error.detail);
    expect(r.value.url).toBe(`http://127.0.0.1:${keepAlivePort}/file.pdf`);
    await until("the redirect's connection closed", () => open.size === 1, 5_000);
    expect(Buffer.concat(await r.value.body.toArray()).toString()).toBe('%PDF-');
    await until('both connections closed', () => open.size === 0, 5_000);
  });
});
