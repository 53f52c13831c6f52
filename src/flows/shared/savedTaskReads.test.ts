import { describe, expect, it } from 'vitest';
import { ok, type Result } from '../../core/result.ts';
import type { ClickUpTask } from '../../connectors/clickup/types.ts';
import type { ListTasksQuery } from '../../connectors/clickup/client.ts';
import { CREATED_SKEW_MS, SavedTaskReads, TOO_BIG_MS } from './savedTaskReads.ts';

const FIELD = 'f-case';
const task = (id: string, value: string | null): ClickUpTask => ({
  id,
  name: id,
  status: { status: 'to do', type: 'open' },
  custom_fields: value === null ? [] : [{ id: FIELD, name: 'TG case id', type: 'short_text', value }],
});

/** A ClickUp whose list holds `tasks`; each call is recorded; listTasks obeys maxPages (100 a page). */
function fakeClickUp(tasks: ClickUpTask[]) {
  const calls: Array<{ kind: 'list'; query: ListTasksQuery; maxPages?: number } | { kind: 'exact'; value: string }> =
    [];
  let gate: Promise<void> = Promise.resolve();
  return {
    calls,
    /** The next reads wait until the returned function is called. */
    hold() {
      let open!: () => void;
      gate = new Promise((r) => (open = r));
      return open;
    },
    cu: {
      async listTasks(_list: string, query: ListTasksQuery = {}, maxPages?: number): Promise<Result<ClickUpTask[]>> {
        calls.push({ kind: 'list', query, maxPages });
        const snapshot = [...tasks];
        await gate;
        if (maxPages !== undefined && Math.ceil(snapshot.length / 100) > maxPages)
          return { ok: false, error: { code: 'clickup:too_many_pages', retryable: false, detail: 'too many' } };
        return ok(snapshot);
      },
      async findTasksByCustomField(_list: string, _field: string, value: string | number | boolean) {
        calls.push({ kind: 'exact', value: String(value) });
        await gate;
        return ok(tasks.filter((t) => t.custom_fields?.some((f) => f.value === value)));
      },
    },
  };
}

describe('SavedTaskReads', () => {
  it('look-ups waiting together are answered by one read of the tasks created since the oldest job, by exact value', async () => {
    // CASE-1's look-up must not adopt CASE-10's task (ClickUp's `=` filter would).
    const f = fakeClickUp([task('t10', 'CASE-10'), task('t2', 'CASE-2'), task('tx', null)]);
    const reads = new SavedTaskReads(f.cu, () => 1_000_000);
    const [a, b, c] = await Promise.all([
      reads.find('L', FIELD, 'CASE-1', 900_000),
      reads.find('L', FIELD, 'CASE-2', 800_000),
      reads.find('L', FIELD, 'CASE-3', 950_000),
    ]);
    expect(f.calls).toEqual([
      {
        kind: 'list',
        query: { date_created_gt: 800_000 - CREATED_SKEW_MS, include_closed: true, subtasks: true },
        maxPages: 1,
      },
    ]);
    expect(a).toEqual(ok([]));
    expect(b.ok && b.value.map((t) => t.id)).toEqual(['t2']);
    expect(c).toEqual(ok([]));
    expect(reads.counts).toMatchObject({ shared: 3, exact: 0, reads: 1 });
  });

  it('a look-up alone is the exact look-up, one call as before', async () => {
    const f = fakeClickUp([task('t1', 'CASE-1')]);
    const reads = new SavedTaskReads(f.cu, () => 1_000_000);
    const r = await reads.find('L', FIELD, 'CASE-1', 900_000);
    expect(r.ok && r.value.map((t) => t.id)).toEqual(['t1']);
    expect(f.calls).toEqual([{ kind: 'exact', value: 'CASE-1' }]);
  });

  it('a look-up asked while a read is in flight is not answered by it (a task saved meanwhile would be missed)', async () => {
    const tasks: ClickUpTask[] = [];
    const f = fakeClickUp(tasks);
    const reads = new SavedTaskReads(f.cu, () => 1_000_000);
    const open = f.hold();
    const first = Promise.all([reads.find('L', FIELD, 'CASE-1', 1), reads.find('L', FIELD, 'CASE-2', 1)]);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(f.calls).toHaveLength(1);
    // CASE-3's earlier attempt saved its task after the first read was sent; then its job asks.
    tasks.push(task('t3', 'CASE-3'));
    const late = Promise.all([reads.find('L', FIELD, 'CASE-3', 1), reads.find('L', FIELD, 'CASE-4', 1)]);
    open();
    await first;
    const [three] = await late;
    expect(three.ok && three.value.map((t) => t.id)).toEqual(['t3']);
    expect(f.calls.filter((c) => c.kind === 'list')).toHaveLength(2);
  });

  it('a window with more pages than half the look-ups is not read further: exact look-ups, for a while', async () => {
    const many = Array.from({ length: 250 }, (_, i) => task(`t${i}`, `OTHER-${i}`));
    const f = fakeClickUp([...many, task('t-c1', 'CASE-1')]);
    let now = 1_000_000;
    const reads = new SavedTaskReads(f.cu, () => now);
    const [a, b] = await Promise.all([reads.find('L', FIELD, 'CASE-1', 1), reads.find('L', FIELD, 'CASE-2', 1)]);
    expect(a.ok && a.value.map((t) => t.id)).toEqual(['t-c1']);
    expect(b).toEqual(ok([]));
    expect(f.calls.map((c) => c.kind)).toEqual(['list', 'exact', 'exact']);
    f.calls.length = 0;
    await Promise.all([reads.find('L', FIELD, 'CASE-1', 1), reads.find('L', FIELD, 'CASE-2', 1)]);
    expect(f.calls.map((c) => c.kind)).toEqual(['exact', 'exact']);
    now += TOO_BIG_MS;
    f.calls.length = 0;
    await Promise.all([reads.find('L', FIELD, 'CASE-1', 1), reads.find('L', FIELD, 'CASE-2', 1)]);
    expect(f.calls.map((c) => c.kind)).toEqual(['list', 'exact', 'exact']);
  });

  it("a failed read is each look-up's failure (the jobs retry), not an empty answer", async () => {
    const f = fakeClickUp([]);
    f.cu.listTasks = async () => ({
      ok: false,
      error: { code: 'http_503', status: 503, retryable: true, detail: 'down' },
    });
    const reads = new SavedTaskReads(f.cu, () => 0);
    const rs = await Promise.all([reads.find('L', FIELD, 'CASE-1', 1), reads.find('L', FIELD, 'CASE-2', 1)]);
    expect(rs.map((r) => r.ok)).toEqual([false, false]);
  });

  describe('a read kept for the jobs that were ready after a run', () => {
    /** `n` create jobs (ids 1..n) listed ready after one run each (claims 1); the kinds asked for are recorded. */
    const readyAfterOneRun = (n: number, asked: string[][] = []) => {
      const ready = new Map(Array.from({ length: n }, (_, i) => [i + 1, 1] as [number, number]));
      return {
        asked,
        list: async (kinds: string[]) => {
          asked.push(kinds);
          return new Map(ready);
        },
      };
    };
    const job = (id: number, claims = 2, crashes = 0) => ({ id, kind: 'clickup.create_task', claims, crashes });

    it('150 retried creates asking one after another after an outage cost one list read, not one look-up each', async () => {
      // Every job's create failed during the outage; ClickUp saved three of them (on either page).
      const saved = [task('s1', 'CASE-1'), task('s80', 'CASE-80'), task('s150', 'CASE-150')];
      const f = fakeClickUp(saved);
      const r = readyAfterOneRun(150);
      const reads = new SavedTaskReads(f.cu, () => 1_000_000, r.list);
      const found: string[] = [];
      for (let i = 1; i <= 150; i++) {
        const a = await reads.find('L', FIELD, `CASE-${i}`, 900_000 + i, job(i));
        if (!a.ok) throw new Error('look-up failed');
        found.push(...a.value.map((t) => t.id));
      }
      expect(found).toEqual(['s1', 's80', 's150']);
      expect(f.calls.length).toBeLessThanOrEqual(Math.ceil(150 / 100) + 1);
      expect(f.calls).toEqual([
        {
          kind: 'list',
          query: { date_created_gt: 900_001 - CREATED_SKEW_MS, include_closed: true, subtasks: true },
          maxPages: 75,
        },
      ]);
      expect(r.asked).toEqual([['clickup.create_task']]);
      expect(reads.counts).toMatchObject({ shared: 1, kept: 149, exact: 0, reads: 1 });
    });

    it('a saved task on the second page of the window is found from the kept read', async () => {
      const others = Array.from({ length: 120 }, (_, i) => task(`o${i}`, `OTHER-${i}`));
      const f = fakeClickUp([...others, task('t7', 'CASE-7')]);
      const reads = new SavedTaskReads(f.cu, () => 1_000_000, readyAfterOneRun(10).list);
      expect(await reads.find('L', FIELD, 'CASE-1', 900_000, job(1))).toEqual(ok([]));
      const seven = await reads.find('L', FIELD, 'CASE-7', 900_000, job(7));
      expect(seven.ok && seven.value.map((t) => t.id)).toEqual(['t7']);
      expect(f.calls.map((c) => c.kind)).toEqual(['list']);
    });

    it("never adopts a task whose reference only contains the job's (ClickUp's fuzzy '=')", async () => {
      const f = fakeClickUp([task('t10', 'CASE-10'), task('t11', 'case-1')]);
      const reads = new SavedTaskReads(f.cu, () => 1_000_000, readyAfterOneRun(10).list);
      expect(await reads.find('L', FIELD, 'CASE-2', 900_000, job(2))).toEqual(ok([]));
      expect(await reads.find('L', FIELD, 'CASE-1', 900_000, job(1))).toEqual(ok([]));
      const ten = await reads.find('L', FIELD, 'CASE-10', 900_000, job(10));
      expect(ten.ok && ten.value.map((t) => t.id)).toEqual(['t10']);
      expect(f.calls.map((c) => c.kind)).toEqual(['list']);
    });

    it('a job claimed in between (a run that may have saved a task since) is answered by a new read, which finds it', async () => {
      const tasks: ClickUpTask[] = [];
      const f = fakeClickUp(tasks);
      const reads = new SavedTaskReads(f.cu, () => 1_000_000, readyAfterOneRun(10).list);
      expect(await reads.find('L', FIELD, 'CASE-1', 900_000, job(1))).toEqual(ok([]));
      // Job 2 ran once more (another instance) after the read: its create was saved, its answer lost.
      tasks.push(task('t2', 'CASE-2'));
      const two = await reads.find('L', FIELD, 'CASE-2', 900_000, job(2, 3));
      expect(two.ok && two.value.map((t) => t.id)).toEqual(['t2']);
      expect(f.calls.map((c) => c.kind)).toEqual(['list', 'list']);
    });

    it('a job whose worker died, a job the read did not list, or one queued before its window: a new read', async () => {
      const tasks: ClickUpTask[] = [];
      const f = fakeClickUp(tasks);
      const reads = new SavedTaskReads(f.cu, () => 1_000_000, readyAfterOneRun(10).list);
      expect(await reads.find('L', FIELD, 'CASE-1', 900_000, job(1))).toEqual(ok([]));
      tasks.push(task('t2', 'CASE-2'), task('t20', 'CASE-20'), task('t3', 'CASE-3'));
      const crashed = await reads.find('L', FIELD, 'CASE-2', 900_000, job(2, 2, 1));
      expect(crashed.ok && crashed.value.map((t) => t.id)).toEqual(['t2']);
      const unlisted = await reads.find('L', FIELD, 'CASE-20', 900_000, job(20));
      expect(unlisted.ok && unlisted.value.map((t) => t.id)).toEqual(['t20']);
      const older = await reads.find('L', FIELD, 'CASE-3', 800_000, job(3));
      expect(older.ok && older.value.map((t) => t.id)).toEqual(['t3']);
      expect(f.calls.map((c) => c.kind)).toEqual(['list', 'list', 'list', 'list']);
      // A job is answered from a kept read once.
      expect(await reads.find('L', FIELD, 'CASE-4', 900_000, job(4))).toEqual(ok([]));
      expect(f.calls).toHaveLength(4);
    });

    it('a newer read keeps answering the jobs listed for the read it replaced (claimed once since, not listed again)', async () => {
      const tasks: ClickUpTask[] = [];
      const f = fakeClickUp(tasks);
      let listed = new Map([
        [1, 1],
        [2, 1],
        [3, 1],
      ]);
      const reads = new SavedTaskReads(
        f.cu,
        () => 1_000_000,
        async () => new Map(listed),
      );
      expect(await reads.find('L', FIELD, 'CASE-1', 900_000, job(1))).toEqual(ok([]));
      // Job 2 is claimed (running, so not listed again); job 9, not listed, makes a newer read.
      listed = new Map([[3, 1]]);
      expect(await reads.find('L', FIELD, 'CASE-9', 900_000, job(9))).toEqual(ok([]));
      expect(f.calls).toHaveLength(2);
      // Job 2's run asks: every create it sent left before the first read, so the newer one answers it.
      expect(await reads.find('L', FIELD, 'CASE-2', 900_000, job(2))).toEqual(ok([]));
      expect(await reads.find('L', FIELD, 'CASE-3', 900_000, job(3))).toEqual(ok([]));
      expect(f.calls).toHaveLength(2);
    });

    it('a look-up with no other job asking or ready after a run stays the exact look-up', async () => {
      const f = fakeClickUp([task('t1', 'CASE-1')]);
      const reads = new SavedTaskReads(
        f.cu,
        () => 1_000_000,
        async () => new Map(),
      );
      const r = await reads.find('L', FIELD, 'CASE-1', 900_000, job(1));
      expect(r.ok && r.value.map((t) => t.id)).toEqual(['t1']);
      expect(f.calls).toEqual([{ kind: 'exact', value: 'CASE-1' }]);
    });
  });
});
