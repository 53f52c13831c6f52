import { afterEach, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { parse as parseYaml } from 'yaml';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import { MINIMAL_CONFIG_YAML } from '../../config/minimalConfig.fixture.ts';
import { validateConfig } from '../../config/load.ts';
import { openMigratedStore, type Store } from '../../store/db.ts';
import { openPartnerChannel, PAGES_KEY_SECRET } from './setup.ts';
import { SharedMinuteLimiter } from './rateLimit.ts';
import { resolveSecretBox } from '../secretKeys.ts';
import { keepFirstSecret, readSecret } from '../../store/ops/secrets.ts';

/**
 * What instances on one database must agree on: the generated page-link key (several starting at once)
 * and the page rate limits (counted together, not once per instance). Each test opens several stores on
 * one database, as several processes would.
 */
const stores = await storesUnderTest('src/server/partnerPages/shared.test.ts');
const extra: Store[] = [];
afterEach(async () => {
  while (extra.length) await extra.pop()!.close();
});

async function instances(kind: 'sqlite' | 'postgres', n: number): Promise<Store[]> {
  const first = await stores.make(kind);
  const more = [];
  for (let i = 1; i < n; i++) more.push(await openMigratedStore(first.url, kind === 'postgres' ? { poolMax: 4 } : {}));
  extra.push(...more);
  return [first.store, ...more];
}

process.env['GB_TEST_SHARED_SECRETS_KEY'] = randomBytes(32).toString('base64');
function config() {
  const raw = parseYaml(MINIMAL_CONFIG_YAML);
  raw.secrets = { key: { env: 'GB_TEST_SHARED_SECRETS_KEY' } };
  raw.partner_channel = {
    partners: { P: { channels: ['email'], contacts: [{ name: 'P', email: 'p@p.example' }] } },
    smtp: { host: '127.0.0.1', from: 'a@b.example' },
  };
  const v = validateConfig(raw);
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  return v.config;
}

stores.describeStores('instances on one %s database', (kind) => {
  it('several starting at the same moment with no page key kept yet all sign links with the same generated key', async () => {
    // SQLite has one writer per file (and one bridge per file: the lock); PostgreSQL is where instances race.
    const all = await instances(kind, kind === 'postgres' ? 6 : 2);
    const cfg = config();
    const opened = await Promise.all(
      all.map((store) =>
        openPartnerChannel({
          store,
          config: cfg,
          logger: pino({ level: 'silent' }),
          now: Date.now,
          baseUrl: () => 'http://x',
        }),
      ),
    );
    for (const o of opened) expect(o.problems).toEqual([]);
    const keys = new Set(opened.map((o) => o.runtime!.pageKey!.toString('hex')));
    expect(keys.size).toBe(1);
    expect(
      await all[0]!.db
        .selectFrom('secrets' as never)
        .select('name' as never)
        .where('name' as never, '=', PAGES_KEY_SECRET as never)
        .execute(),
    ).toHaveLength(1);
    // A restart reads the same key.
    const again = await openPartnerChannel({
      store: all[1]!,
      config: cfg,
      logger: pino({ level: 'silent' }),
      now: Date.now,
      baseUrl: () => 'http://x',
    });
    expect(again.runtime!.pageKey!.toString('hex')).toBe([...keys][0]);
  });

  it('the race made deterministic: two instances that both found no key keep one, the first kept, whichever writes second', async () => {
    const [a, b] = kind === 'postgres' ? await instances(kind, 2) : await instances(kind, 1).then(([s]) => [s, s]);
    const box = resolveSecretBox(config());
    if (!box.ok || !box.box) throw new Error('no secret box');
    // Both read "no key" before either wrote (the window the old read-upsert-read left open); A writes first.
    expect(await keepFirstSecret(a!.db, box.box, PAGES_KEY_SECRET, 'key-of-a', 'test', 1)).toBe('key-of-a');
    expect(await keepFirstSecret(b!.db, box.box, PAGES_KEY_SECRET, 'key-of-b', 'test', 2)).toBe('key-of-a');
    expect(await readSecret(a!.db, box.box, PAGES_KEY_SECRET)).toBe('key-of-a');
  });

  it('the page rate limit is one limit for all instances: requests through any of them count against it', async () => {
    // SQLite: one bridge per file (its lock), so its "instances" are two limiters on one store.
    const [a, b] = kind === 'postgres' ? await instances(kind, 2) : await instances(kind, 1).then(([s]) => [s, s]);
    const limitA = new SharedMinuteLimiter(a!.db, 3, 'link');
    const limitB = new SharedMinuteLimiter(b!.db, 3, 'link');
    const t = Date.UTC(2026, 11, 7, 9, 0, 10);
    expect(await limitA.take('jti-1', t)).toBe(0);
    expect(await limitB.take('jti-1', t + 1)).toBe(0);
    expect(await limitA.take('jti-1', t + 2)).toBe(0);
    // The fourth, through the other instance: refused until the minute ends.
    expect(await limitB.take('jti-1', t + 3)).toBe(50_000 - 3);
    expect(await limitA.take('jti-2', t + 4)).toBe(0);
    // Concurrent requests through both are each counted once.
    const burst = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? limitA : limitB).take('jti-3', t + 5)),
    );
    expect(burst.filter((w) => w === 0)).toHaveLength(3);
    // The next minute starts afresh, and the old windows are dropped.
    expect(await limitB.take('jti-1', t + 60_000)).toBe(0);
    expect(await limitA.take('jti-1', t + 121_000)).toBe(0);
    const left = await a!.db.selectFrom('partner_page_hits').select('window').distinct().execute();
    expect(left.every((r) => Number(r.window) >= Math.floor((t + 121_000) / 60_000) - 1)).toBe(true);
  });
});
