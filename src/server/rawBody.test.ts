import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { listen, type Listening } from './listen.ts';
import { readRawBody } from './rawBody.ts';

// Over a real socket (@hono/node-server) readRawBody reads the Node request itself, not the web Request
// Hono would build; app.request() (no Node request) goes through the web stream. Both must give the same bytes
// and the same refusals.

function post(
  url: string,
  chunks: Buffer[],
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

function app(limit: number): Hono {
  const a = new Hono();
  a.post('/raw', async (c) => {
    const r = await readRawBody(c, limit);
    if (!r.ok) return c.json({ error: r.error }, r.status);
    return c.json({ hex: r.body.toString('hex') });
  });
  return a;
}

describe('readRawBody', () => {
  let server: Listening;
  beforeAll(async () => {
    server = await listen(app(64), '127.0.0.1', 0);
  });
  afterAll(async () => {
    await server.close();
  });

  it('gives the exact bytes of a body sent in several chunks (invalid UTF-8 included)', async () => {
    const parts = [Buffer.from('{"a":'), Buffer.from([0xff, 0xfe, 0x00]), Buffer.from('1}')];
    const r = await post(`${server.url}/raw`, parts, {
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
    });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).hex).toBe(Buffer.concat(parts).toString('hex'));
  });

  it('refuses a chunked body over the limit with 413 while reading it, and the server keeps answering', async () => {
    const r = await post(`${server.url}/raw`, [Buffer.alloc(40, 'a'), Buffer.alloc(40, 'b')], {
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
    });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error).toBe('body is over the 64-byte limit');
    const again = await post(`${server.url}/raw`, [Buffer.from('{}')], { 'content-type': 'application/json' });
    expect(again).toMatchObject({ status: 200 });
    expect(JSON.parse(again.body).hex).toBe(Buffer.from('{}').toString('hex'));
  });

  it('an empty body is an empty buffer', async () => {
    const r = await post(`${server.url}/raw`, [], { 'content-type': 'application/json', 'content-length': '0' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).hex).toBe('');
  });

  it('without a Node request (app.request) the web stream gives the same bytes and the same refusal', async () => {
    const a = app(64);
    const ok = await a.request('/raw', {
      method: 'POST',
      body: Buffer.from('{"a":1}'),
      headers: { 'content-type': 'application/json' },
    });
    expect(((await ok.json()) as { hex: string }).hex).toBe(Buffer.from('{"a":1}').toString('hex'));
    const big = await a.request('/raw', {
      method: 'POST',
      body: Buffer.alloc(100, 'a'),
      headers: { 'content-type': 'application/json' },
    });
    expect(big.status).toBe(413);
  });
});
