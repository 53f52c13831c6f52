// The intake thread (server.intake_thread): serves the public port. It answers the two webhook routes
// itself (verify the signature, store the event and its job with its own store connection, answer) and
// forwards every other request to the bridge's own server on loopback. The dispatcher and every handler
// stay on the main thread, so a webhook never waits behind their work on one event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { Hono } from 'hono';
import { Pool } from 'undici';
import { openStore } from '../store/db.ts';
import { mountTradingGridWebhook } from './routes/tradingGridWebhook.ts';
import { mountClickUpWebhook } from './routes/clickUpWebhook.ts';
import { listen } from './listen.ts';
import { PEER_HEADER, PEER_TOKEN_HEADER } from './peerAddress.ts';
import type { IntakeFromMain, IntakeToMain, IntakeWorkerData } from './intakeThread.ts';

const data = workerData as IntakeWorkerData;
const port = parentPort!;
const post = (m: IntakeToMain) => port.postMessage(m);

// Hop-by-hop headers are the connection's own, not the request's.
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

async function main(): Promise<void> {
  // Its own connection: on SQLite a second connection to the WAL file (readers never block, writers wait
  // on busy_timeout); on PostgreSQL a small pool of its own. Migrations ran on the main thread already.
  const store = await openStore(data.storeUrl, { ...data.storeOptions, poolMax: 4, checkpoint: false });
  let clickUpSecret = data.clickUpWebhookSecret;
  // One wake-up message per turn of this loop however many events were stored in it.
  let wakePosted = false;
  const onAccepted = () => {
    if (wakePosted) return;
    wakePosted = true;
    setImmediate(() => {
      wakePosted = false;
      post({ t: 'accepted' });
    });
  };
  const app = new Hono();
  if (data.tgWebhookSecret !== null)
    mountTradingGridWebhook(app, {
      db: store.db,
      secret: data.tgWebhookSecret,
      bodyLimitBytes: data.bodyLimitBytesBySource.tradinggrid ?? data.bodyLimitBytes,
      now: Date.now,
      onAccepted,
    });
  mountClickUpWebhook(app, {
    db: store.db,
    secret: () => clickUpSecret,
    bodyLimitBytes: data.bodyLimitBytesBySource.clickup ?? data.bodyLimitBytes,
    now: Date.now,
    onAccepted,
    onFailed: () => post({ t: 'clickup-failed' }),
  });
  const backend = new Pool(data.backendUrl, { connections: 32 });
  app.all('*', async (c) => {
    const url = new URL(c.req.url);
    const headers: Record<string, string> = {};
    for (const [k, v] of c.req.raw.headers) if (!HOP.has(k)) headers[k] = v;
    const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
    headers[PEER_HEADER] = incoming?.socket?.remoteAddress ?? 'unknown';
    headers[PEER_TOKEN_HEADER] = data.peerToken;
    const body = c.req.raw.body;
    const r = await backend.request({
      method: c.req.method,
      path: url.pathname + url.search,
      headers,
      body: body ? Readable.fromWeb(body) : null,
    });
    const out = new Headers();
    for (const [k, v] of Object.entries(r.headers)) {
      if (HOP.has(k) || v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) out.append(k, one);
    }
    const empty = c.req.method === 'HEAD' || r.statusCode === 204 || r.statusCode === 304;
    if (empty) await r.body.dump();
    return new Response(empty ? null : (Readable.toWeb(r.body) as ReadableStream), {
      status: r.statusCode,
      headers: out,
    });
  });
  app.onError((e, c) => {
    post({ t: 'error', message: e.stack ?? String(e), method: c.req.method, path: c.req.path });
    return c.json({ error: 'internal error' }, 500);
  });
  let server;
  try {
    server = await listen(app, data.host, data.port);
  } catch (e) {
    await store.close();
    await backend.close();
    const err = e as NodeJS.ErrnoException;
    post({ t: 'listen-failed', code: err.code ?? null, message: err.message });
    return;
  }
  const listening = server;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  port.on('message', (m: IntakeFromMain) => {
    if (m.t === 'clickup-secret') clickUpSecret = m.secret;
    else if (m.t === 'loop-delay') {
      const n = delay.count > 0;
      post({ t: 'loop-delay', p99Ms: n ? delay.percentile(99) / 1e6 : 0, maxMs: n ? delay.max / 1e6 : 0 });
      delay.reset();
    } else if (m.t === 'stop') {
      void (async () => {
        delay.disable();
        await listening.close();
        await backend.close().catch(() => undefined);
        await store.close();
        post({ t: 'stopped' });
        port.close();
      })();
    }
  });
  post({ t: 'listening', url: listening.url });
}

main().catch((e: unknown) => post({ t: 'listen-failed', code: null, message: (e as Error).stack ?? String(e) }));
