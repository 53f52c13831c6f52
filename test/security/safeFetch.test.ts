import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockedAddressReason, hostAllowed } from '../../src/connectors/http/ssrfGuard.ts';
import { safeFetch, type ResolvedAddress } from '../../src/connectors/http/safeFetch.ts';
import { createClickUpClient } from '../../src/connectors/clickup/client.ts';
import { readLimited } from '../../src/flows/shared/readLimited.ts';

let server: Server;
let port: number;
const hits: string[] = [];
const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/file.pdf': (_q, r) => r.writeHead(200, { 'content-type': 'application/pdf', 'content-length': '5' }).end('%PDF-'),
  '/page.html': (_q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<html>'),
  '/big-declared': (_q, r) =>
    r.writeHead(200, { 'content-type': 'application/pdf', 'content-length': '1000' }).end('x'.repeat(1000)),
  '/big-chunked': (_q, r) => {
    r.writeHead(200, { 'content-type': 'application/pdf' });
    r.write('x'.repeat(600));
    r.end('y'.repeat(600));
  },
  '/slow': (_q, r) => {
    r.writeHead(200, { 'content-type': 'application/pdf' });
    r.write('x');
    // never ends within the test's limits
    setTimeout(() => r.end(), 5_000).unref();
  },
  '/loop': (_q, r) => r.writeHead(302, { location: '/loop' }).end(),
  '/to-file': (_q, r) => r.writeHead(301, { location: '/file.pdf' }).end(),
  '/to-metadata': (_q, r) => r.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end(),
  '/to-other-host': (_q, r) => r.writeHead(302, { location: `http://evil.example:${port}/file.pdf` }).end(),
};

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    (routes[req.url ?? ''] ?? ((_q, r) => r.writeHead(404).end()))(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** A resolver that answers from a table and counts its calls (stands in for DNS). */
function fakeDns(table: Record<string, string[]>) {
  const calls: string[] = [];
  const resolve = async (host: string): Promise<ResolvedAddress[]> => {
    calls.push(host);
    const a = table[host];
    if (!a) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolve, calls };
}

const local = (path: string, host = '127.0.0.1') => `http://${host}:${port}${path}`;

describe('address guard', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['255.255.255.255', true],
    ['::1', true],
    ['::', true],
    ['fe80::1', true],
    ['fd00::1', true],
    ['fc00::1', true],
    ['ff02::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['::ffff:169.254.169.254', true],
    ['64:ff9b::10.0.0.1', true],
    ['[::1]', true],
    ['fe80::1%eth0', true],
    ['not-an-ip', true],
    ['8.8.8.8', false],
    ['172.32.0.1', false],
    ['1.1.1.1', false],
    ['2606:4700:4700::1111', false],
    ['::ffff:8.8.8.8', false],
  ])('%s is blocked: %s', (address, isBlocked) => {
    expect(blockedAddressReason(address) !== null).toBe(isBlocked);
  });

  it.each([
    ['attachments.clickup.com', ['attachments.clickup.com'], true],
    ['ATTACHMENTS.clickup.com.', ['attachments.clickup.com'], true],
    ['a.b.clickup-attachments.com', ['*.clickup-attachments.com'], true],
    ['clickup-attachments.com', ['*.clickup-attachments.com'], false],
    ['evilclickup-attachments.com', ['*.clickup-attachments.com'], false],
    ['attachments.clickup.com.evil.test', ['attachments.clickup.com'], false],
  ])('host %s on %j is allowed: %s', (host, list, allowed) => {
    expect(hostAllowed(host, list)).toBe(allowed);
  });
});

describe('safeFetch', () => {
  const base = {
    allowedHosts: ['127.0.0.1', 'files.test', 'localhost'],
    allowHttp: true,
    timeoutMs: 2_000,
    totalTimeoutMs: 3_000,
  };

  it('refuses a loopback IP literal unless private addresses are explicitly allowed', async () => {
    const refused = await safeFetch(local('/file.pdf'), base);
    expect(refused).toMatchObject({ ok: false, error: { code: 'http:address_blocked', retryable: false } });
    const allowed = await safeFetch(local('/file.pdf'), { ...base, allowPrivateAddresses: true });
    expect(allowed.ok).toBe(true);
    if (allowed.ok) expect(await allowed.value.body.toArray().then((c) => Buffer.concat(c).toString())).toBe('%PDF-');
  });

  it('refuses an allowed host name that resolves to a private address, without connecting', async () => {
    const dns = fakeDns({ 'files.test': ['10.0.0.7'] });
    const before = hits.length;
    const r = await safeFetch(`http://files.test:${port}/file.pdf`, { ...base, resolve: dns.resolve });
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'http:address_blocked', detail: expect.stringMatching(/files\.test resolves to 10\.0\.0\.7/) },
    });
    expect(hits.length).toBe(before);
  });

  it('refuses when any of the resolved addresses is private (a rebinding answer mixing public and loopback)', async () => {
    const dns = fakeDns({ 'files.test': ['93.184.216.34', '127.0.0.1'] });
    const r = await safeFetch(`http://files.test:${port}/file.pdf`, { ...base, resolve: dns.resolve });
    expect(r).toMatchObject({ ok: false, error: { code: 'http:address_blocked' } });
  });

  it('pins the connection to the address it checked: one resolution per connection, and the socket goes there', async () => {
    // files.test does not exist in real DNS: reaching the server proves the socket used our checked answer.
    const dns = fakeDns({ 'files.test': ['127.0.0.1'] });
    const r = await safeFetch(`http://files.test:${port}/file.pdf`, {
      ...base,
      allowPrivateAddresses: true,
      resolve: dns.resolve,
    });
    expect(r).toMatchObject({ ok: true, value: { address: '127.0.0.1', contentType: 'application/pdf' } });
    if (r.ok) r.value.body.resume();
    expect(dns.calls).toEqual(['files.test']);
  });

  it('refuses hosts that are not on the allow-list, https-only by default, and URLs with credentials', async () => {
    expect(await safeFetch('https://evil.example/x', base)).toMatchObject({
      ok: false,
      error: { code: 'http:host_not_allowed' },
    });
    expect(
      await safeFetch(local('/file.pdf'), { ...base, allowHttp: false, allowPrivateAddresses: true }),
    ).toMatchObject({ ok: false, error: { code: 'http:scheme_not_allowed' } });
    expect(await safeFetch('file:///etc/passwd', base)).toMatchObject({
      ok: false,
      error: { code: 'http:scheme_not_allowed' },
    });
    expect(
      await safeFetch(`http://u:p@127.0.0.1:${port}/file.pdf`, { ...base, allowPrivateAddresses: true }),
    ).toMatchObject({ ok: false, error: { code: 'http:bad_url' } });
  });

  it('follows a redirect on an allowed host, stops a redirect loop at the limit, and re-checks host and address on every hop', async () => {
    const opts = { ...base, allowPrivateAddresses: true, maxRedirects: 2 };
    const ok = await safeFetch(local('/to-file'), opts);
    expect(ok).toMatchObject({ ok: true, value: { url: local('/file.pdf') } });
    if (ok.ok) ok.value.body.resume();
    expect(await safeFetch(local('/loop'), opts)).toMatchObject({
      ok: false,
      error: { code: 'http:too_many_redirects' },
    });
    expect(await safeFetch(local('/to-other-host'), opts)).toMatchObject({
      ok: false,
      error: { code: 'http:host_not_allowed' },
    });
    // The first hop may be private (sandbox), the redirect target is still checked against the allow-list.
    expect(await safeFetch(local('/to-metadata'), opts)).toMatchObject({
      ok: false,
      error: { code: 'http:host_not_allowed' },
    });
    expect(
      await safeFetch(local('/to-metadata'), {
        ...opts,
        allowedHosts: [...opts.allowedHosts, '169.254.169.254'],
        allowPrivateAddresses: false,
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'http:address_blocked' },
    });
  });

  it('refuses a body over the size limit: by Content-Length up front, or when the stream passes it', async () => {
    const opts = { ...base, allowPrivateAddresses: true, maxBytes: 500 };
    expect(await safeFetch(local('/big-declared'), opts)).toMatchObject({
      ok: false,
      error: { code: 'http:too_large', retryable: false },
    });
    const r = await safeFetch(local('/big-chunked'), opts);
    expect(r.ok).toBe(true);
    if (r.ok) await expect(r.value.body.toArray()).rejects.toThrow(/500-byte limit/);
  });

  it('a streamed body over the limit reaches the attachment reader as "too large" (final), not as a retryable interruption', async () => {
    const r = await safeFetch(local('/big-chunked'), { ...base, allowPrivateAddresses: true, maxBytes: 500 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const read = await readLimited(r.value.body, 500);
    expect(read).toMatchObject({ ok: false, tooLarge: true, reason: expect.stringMatching(/500-byte limit/) });
  });

  it('refuses a media type not on the allow-list', async () => {
    const r = await safeFetch(local('/page.html'), {
      ...base,
      allowPrivateAddresses: true,
      contentTypes: ['application/pdf'],
    });
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'http:content_type_not_allowed', detail: expect.stringMatching(/text\/html/) },
    });
  });

  it('gives up on a body that stalls past the time limit', async () => {
    const r = await safeFetch(local('/slow'), {
      ...base,
      allowPrivateAddresses: true,
      timeoutMs: 300,
      totalTimeoutMs: 600,
    });
    expect(r.ok).toBe(true);
    if (r.ok) await expect(r.value.body.toArray()).rejects.toThrow();
  });
});

describe('ClickUp attachment download', () => {
  const client = (allowPrivateAddresses: boolean) =>
    createClickUpClient({
      baseUrl: 'https://api.clickup.example/api',
      token: 'pk_test',
      attachmentHosts: ['127.0.0.1', 'attachments.clickup.com'],
      attachmentFetch: { allowPrivateAddresses, timeoutMs: 2_000 },
    });

  it('refuses an attachment URL on an allowed host name that resolves to a private address, and the metadata address outright', async () => {
    const cu = createClickUpClient({
      baseUrl: 'https://api.clickup.example/api',
      token: 'pk_test',
      attachmentHosts: ['attachments.clickup.com'],
      attachmentFetch: { resolve: async () => [{ address: '169.254.169.254', family: 4 }] },
    });
    expect(await cu.downloadAttachment('https://attachments.clickup.com/a/b.pdf')).toMatchObject({
      ok: false,
      error: { code: 'http:address_blocked' },
    });
    expect(await cu.downloadAttachment('https://169.254.169.254/latest/meta-data')).toMatchObject({
      ok: false,
      error: { code: 'clickup:host_not_allowed' },
    });
    await cu.close();
  });

  it('fetches from a loopback attachment host only when clickup.allow_private_addresses is set', async () => {
    const strict = client(false);
    expect(await strict.downloadAttachment(local('/file.pdf'))).toMatchObject({ ok: false });
    const sandbox = client(true);
    const r = await sandbox.downloadAttachment(local('/file.pdf'));
    expect(r).toMatchObject({ ok: true, value: { contentType: 'application/pdf' } });
    if (r.ok) r.value.body.resume();
    await Promise.all([strict.close(), sandbox.close()]);
  });
});
