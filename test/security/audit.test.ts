import { Command } from 'commander';
import { anyJob } from '../helpers/anyJob.ts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerDlqCommands } from '../../src/cli/commands/dlq.ts';
import { enqueueJobs } from '../../src/store/ops/enqueueJobs.ts';
import { claimJobs } from '../../src/store/ops/claimJobs.ts';
import { deadLetterJob } from '../../src/store/ops/deadLetterJob.ts';
import { tempSqliteStore } from '../helpers/tempStore.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  while (cleanups.length) await cleanups.pop()!();
});

describe('audit log: every change path says who did what', () => {
  it('a dead letter replayed from the CLI is audited with the operator and the new job', async () => {
    const tmp = await tempSqliteStore();
    cleanups.push(tmp.cleanup);
    const db = tmp.store.db;
    await enqueueJobs(
      db,
      [anyJob({ kind: 'clickup.create_task', key: 'k1', queueKey: 'case:C-1', payload: { caseId: 'C-1' } })],
      1000,
    );
    const [job] = await claimJobs(db, 'sqlite', 'w1', 1, 60_000, 1000);
    await deadLetterJob(db, job!.id, 'w1', 'ClickUp said 400', 1000);
    const { id } = await db.selectFrom('dead_letters').select('id').executeTakeFirstOrThrow();
    await tmp.store.close();
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const program = new Command('gridbridge').exitOverride();
    registerDlqCommands(program);
    await program.parseAsync(['node', 'gridbridge', 'dlq', 'replay', String(id), '--store', tmp.url]);
    const { openStore } = await import('../../src/store/db.ts');
    const again = await openStore(tmp.url);
    try {
      const rows = await again.db.selectFrom('audit_log').selectAll().where('entity', '=', 'dead_letter').execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ entity_id: String(id), action: 'replayed' });
      expect(rows[0]!.actor).toMatch(/^cli:/);
      expect(JSON.parse(rows[0]!.after!)).toHaveProperty('jobId');
    } finally {
      await again.close();
    }
  });
});
