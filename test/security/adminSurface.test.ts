import pino from 'pino';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.ts';
import { createConsole } from '../../src/server/admin/index.ts';
import { openApiDocument } from '../../src/server/admin/openapi.ts';
import { validateConfig } from '../../src/config/load.ts';
import type { ClickUpClient } from '../../src/connectors/clickup/index.ts';
import { tempSqliteStore } from '../helpers/tempStore.ts';

/** Review of the console/admin surface (owned by the console work) against the list of known attacks on it (docs/SECURITY.md). */
const ADMIN = 'admin-token-for-the-security-review';
let tmp: Awaited<ReturnType<typeof tempSqliteStore>>;
let app: Hono;
let stop: () => Promise<void>;

beforeAll(async () => {
  const r = validateConfig({
    clickup: { token: { env: 'X' }, team_id: 't1', list_id: 'l1' },
    tradinggrid: {
      driver: 'community',
      base_url: 'https://tg.example.com/api',
      tenant_id: 'ten',
      client_id: 'c',
      client_secret: { env: 'Y' },
      webhook_secret: { env: 'Z' },
    },
    admin: { sign_in_attempts_per_15_minutes: 3 },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  tmp = await tempSqliteStore();
  const clickup = {
    rateLimitState: () => ({ known: false }),
    listWebhooks: async () => ({ ok: true, value: [] }),
  } as unknown as ClickUpClient;
  const ui = createConsole({
    store: tmp.store,
    config: r.config,
    clickup,
    now: Date.now,
    logger: pino({ level: 'silent' }),
    credentials: { tokens: [{ name: 'ops', role: 'admin', token: ADMIN }], users: [] },
    dispatcher: () => undefined,
  });
  stop = ui.stop;
  app = createApp({
    db: tmp.store.db,
    tgWebhookSecret: 'x',
    clickUpWebhookSecret: () => null,
    bodyLimitBytes: 1e6,
    now: Date.now,
    onAccepted: () => undefined,
    extend: ui.mount,
  });
});
afterAll(async () => {
  await stop();
  await tmp.cleanup();
});

const routes = Object.entries((openApiDocument() as { paths: Record<string, Record<string, unknown>> }).paths).flatMap(
  ([path, ops]) =>
    Object.keys(ops).map((method) => [method.toUpperCase(), `/api${path.replace(/\{[^}]+\}/g, '1')}`] as const),
);
// The Trading Grid contract is the same public document for every deployment (no tenant, no secret in it).
const PUBLIC = new Set(['GET /api/openapi.json', 'POST /api/session', 'GET /api/tradinggrid-contract.json']);

describe('admin surface', () => {
  it.each(routes.filter(([m, p]) => !PUBLIC.has(`${m} ${p}`)))(
    '%s %s without a session or token answers 401',
    async (method, path) => {
      const r = await app.request(path, {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'POST' ? '{}' : undefined,
      });
      expect(r.status).toBe(401);
    },
  );

  it('only health endpoints, the OpenAPI documents and sign-in answer without authentication', async () => {
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/api/openapi.json')).status).toBe(200);
    expect((await app.request('/api/tradinggrid-contract.json')).status).toBe(200);
    expect((await app.request('/api/cases', { headers: { authorization: 'Bearer wrong-token' } })).status).toBe(401);
    expect((await app.request('/api/cases', { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(200);
  });

  it('the console and API carry the security headers (CSP, no framing, nosniff, no referrer, no-store)', async () => {
    for (const path of ['/ui/', '/api/openapi.json', '/api/cases']) {
      const r = await app.request(path);
      expect(r.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('rate-limits failed sign-ins', async () => {
    const attempt = () =>
      app.request('/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: 'guess' }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await attempt()).status);
    expect(statuses.slice(0, 3).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('no authenticated answer echoes a credential', async () => {
    for (const path of ['/api/session', '/api/overview', '/api/health', '/api/cases']) {
      const r = await app.request(path, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(await r.text()).not.toContain(ADMIN);
    }
  });
});
