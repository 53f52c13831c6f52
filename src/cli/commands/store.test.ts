import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { anyJob } from '../../../test/helpers/anyJob.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createPgDatabase, pgOrWarn } from '../../../test/helpers/pgStore.ts';
import { tempSqliteStore } from '../../../test/helpers/tempStore.ts';
import { migrate, openMigratedStore, openStore } from '../../store/db.ts';
import { copyStore } from '../../store/copyStore.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { claimJobs } from '../../store/ops/claimJobs.ts';
import { recordInboundEvent } from '../../store/ops/recordInboundEvent.ts';
import { appendAudit } from '../../store/ops/audit.ts';

const run = promisify(execFile);
const cli = (args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: new URL('../../../', import.meta.url).pathname,
  });
const pgUp = await pgOrWarn('src/cli/commands/store.test.ts');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe.skipIf(!pgUp)('upgrade path: SQLite → PostgreSQL', () => {
  const dbs: Array<{ drop: () => Promise<void> }> = [];
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });

  it('migrating an empty PostgreSQL database applies every migration, and a second run has nothing to do', async () => {
    const pg = await createPgDatabase();
    dbs.push(pg);
    const s = await openStore(pg.url);
    cleanups.push(() => s.close());
    expect(await migrate(s)).toContain('001_initial');
    expect(await migrate(s)).toEqual([]);
  });

  it('`gridbridge store copy` moves every row; ids continue after the copied ones; running leases are released; a non-empty target is refused', async () => {
    const src = await tempSqliteStore();
    cleanups.push(src.cleanup);
    const now = Date.now();
    await recordInboundEvent(
      src.store.db,
      { source: 'tradinggrid', eventId: 'e1', type: 'case.opened', payload: { a: 1 } },
      anyJob({ kind: 'tg.event', key: 'tg.event:e1', payload: { a: 1 } }),
      now,
    );
    await enqueueJobs(
      src.store.db,
      [anyJob({ kind: 'k', key: 'j2', payload: { b: 2 } }), anyJob({ kind: 'k', key: 'j3', payload: {} })],
      now,
    );
    await claimJobs(src.store.db, 'sqlite', 'old-process', 1, 60_000, now);
    await appendAudit(src.store.db, { actor: 'x', entity: 'case', entityId: 'C-1', action: 'case_received' }, now);
    await src.store.close();

    const pg = await createPgDatabase();
    dbs.push(pg);
    const out = await cli(['store', 'copy', '--from', src.url, '--to', pg.url]);
    expect(out.stdout).toMatch(/jobs: 3 row/);
    expect(out.stdout).toMatch(/1 job\(s\) that were running/);

    const to = await openMigratedStore(pg.url);
    cleanups.push(() => to.close());
    const jobs = await to.db.selectFrom('jobs').selectAll().orderBy('id').execute();
    expect(jobs.map((j) => [j.key, j.state, j.locked_by])).toEqual([
      ['tg.event:e1', 'ready', null],
      ['j2', 'ready', null],
      ['j3', 'ready', null],
    ]);
    expect(JSON.parse(jobs[1]!.payload)).toEqual({ b: 2 });
    expect(await to.db.selectFrom('inbound_events').select('event_id').execute()).toEqual([{ event_id: 'e1' }]);
    await enqueueJobs(to.db, [anyJob({ kind: 'k', key: 'after-copy', payload: {} })], now);
    const added = await to.db.selectFrom('jobs').select('id').where('key', '=', 'after-copy').executeTakeFirstOrThrow();
    expect(Number(added.id)).toBe(4);

    const from = await openStore(src.url);
    cleanups.push(() => from.close());
    await expect(copyStore(from, to)).rejects.toThrow(/not empty/);
  }, 60_000);
});
