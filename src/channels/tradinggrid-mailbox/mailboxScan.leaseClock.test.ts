import { expect, it } from 'vitest';
import pino from 'pino';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import { readDbClock } from '../../store/dbClock.ts';
import { acquireNamedLease } from '../../store/ops/namedLease.ts';
import type { SyncContext } from '../../sync/context.ts';
import type { JobRow } from '../../store/ops/claimJobs.ts';
import { mailboxScanHandler } from './mailboxScan.ts';

// The mailbox scan's lease runs on the database's clock, like job leases: a worker whose own clock is
// minutes off neither takes over a scan still running elsewhere (clock ahead) nor waits out a lease that is
// over for everyone else (clock behind).
const { describeStores, make } = await storesUnderTest(
  'src/channels/tradinggrid-mailbox/mailboxScan.leaseClock.test.ts',
);

const SKEW = 20 * 60_000; // more than the scan's 10-minute lease
const NAME = 'mailbox.scan:m1';

describeStores('the mailbox scan lease on the database clock (%s)', (kind) => {
  it('a worker whose clock is ahead skips the slot while another scan holds the lease', async () => {
    const { store } = await make(kind);
    const dbNow = await readDbClock(store.db);
    // Another instance's scan started a minute ago and holds the lease for nine more minutes.
    await store.db
      .insertInto('leases')
      .values({ name: NAME, owner: 'other:1', expires_at: dbNow + 9 * 60_000 })
      .execute();
    const logged: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void logged.push(l) });
    const ctx = {
      config: { mailbox: { name: 'm1' } },
      store,
      logger,
      now: () => Date.now() + SKEW,
    } as unknown as SyncContext;
    const job = { id: 7, locked_by: 'ahead', kind: 'mailbox.scan', attempts: 1 } as unknown as JobRow;
    const outcome = await mailboxScanHandler(ctx)({ job, payload: { slot: 0 }, attempt: 1, now: ctx.now });
    expect(outcome).toEqual({ status: 'done' });
    expect(logged.join('')).toContain('another mailbox scan is running; slot skipped');
    const row = await store.db.selectFrom('leases').selectAll().where('name', '=', NAME).executeTakeFirstOrThrow();
    expect(row.owner).toBe('other:1');
    expect(Number(row.expires_at)).toBe(dbNow + 9 * 60_000);
  });

  it('a lease over on the database clock is taken, and a live one is not, whatever the worker clock says', async () => {
    const { store } = await make(kind);
    const dbNow = await readDbClock(store.db);
    await store.db
      .insertInto('leases')
      .values({ name: NAME, owner: 'gone:1', expires_at: dbNow - 1000 })
      .execute();
    expect(await acquireNamedLease(store.db, NAME, 'b:2', 10 * 60_000)).toBe(true);
    const row = await store.db.selectFrom('leases').selectAll().where('name', '=', NAME).executeTakeFirstOrThrow();
    // Its end is set from the database clock too.
    expect(Number(row.expires_at)).toBeGreaterThanOrEqual(dbNow + 10 * 60_000);
    expect(Number(row.expires_at)).toBeLessThan((await readDbClock(store.db)) + 10 * 60_000 + 1);
    expect(await acquireNamedLease(store.db, NAME, 'c:3', 10 * 60_000)).toBe(false);
  });
});
