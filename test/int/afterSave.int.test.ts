import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type World } from '../helpers/world.ts';
import { createTaskHandler } from '../../src/flows/01-case-intake/createTaskHandler.ts';
import { createClickUpClient } from '../../src/connectors/clickup/index.ts';
import { listDeadLetters } from '../../src/store/ops/replayDeadLetter.ts';

/**
 * Writes whose answer is lost after ClickUp saved them (faults after the work is done), and the look-up
 * that runs before anything is sent again.
 */
let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

function tasksFor(w: World, caseId: string): Array<Record<string, any>> {
  return w.cu
    .tasks()
    .filter((t) =>
      ((t as any).custom_fields ?? []).some((f: any) => f.name === 'TG case id' && f.value === caseId),
    ) as Array<Record<string, any>>;
}

const caseField = (w: World) => [...w.cu.state.fields.values()].find((f) => f.name === 'TG case id')!.id;

async function decoy(w: World, value: string, name: string): Promise<string> {
  const cu = createClickUpClient({ baseUrl: w.cu.url, token: w.cu.token, teamId: w.cu.teamId });
  try {
    const r = await cu.createTask(w.config.clickup.list_id, { name, custom_fields: [{ id: caseField(w), value }] });
    if (!r.ok) throw new Error(r.error.detail);
    return r.value.id;
  } finally {
    await cu.close();
  }
}

/**
 * The case's create job after it ran once, as if the process had died after ClickUp saved the task and
 * before the link was committed, and that task were then gone (deleted by a person).
 */
async function createJobFor(w: World, caseId: string) {
  const b = w.bridge!;
  await eventually(
    'the event accepted',
    async () => (await b.store.db.selectFrom('jobs').select('id').execute()).length > 0,
  );
  await b.dispatcher.runUntilIdle();
  const job = await b.store.db
    .selectFrom('jobs')
    .selectAll()
    .where('kind', '=', 'clickup.create_task')
    .where('queue_key', '=', `case:${caseId}`)
    .executeTakeFirstOrThrow();
  const link = await b.store.db
    .selectFrom('links')
    .selectAll()
    .where('entity_id', '=', caseId)
    .executeTakeFirstOrThrow();
  await b.store.db.deleteFrom('links').where('entity_id', '=', caseId).execute();
  return { job, taskId: link.cu_task_id! };
}

async function deleteTask(w: World, id: string) {
  const cu = createClickUpClient({ baseUrl: w.cu.url, token: w.cu.token, teamId: w.cu.teamId });
  try {
    const r = await cu.deleteTask(id);
    if (!r.ok) throw new Error(r.error.detail);
  } finally {
    await cu.close();
  }
}

describe('look-up before creating again', () => {
  it('the look-up of a case does not adopt the task of a case whose id merely contains it (CASE-1 vs CASE-10)', async () => {
    world = await createWorld();
    const w = world;
    const b = await w.startBridge({ manualDispatch: true });
    const c = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'One' });
    const { job, taskId } = await createJobFor(w, c.id);
    await deleteTask(w, taskId);
    // ClickUp's `=` filter is "contains": `${c.id}0` would match a look-up of `${c.id}`.
    const other = await decoy(w, `${c.id}0`, 'the task of another case');
    const out = await createTaskHandler(b.ctx)({ job, payload: JSON.parse(job.payload), attempt: 2, now: Date.now });
    expect(out.status).toBe('done');
    await b.store.db
      .transaction()
      .execute(async (trx) => (out as { commit: (t: typeof trx) => Promise<void> }).commit(trx));
    const link = await b.store.db
      .selectFrom('links')
      .selectAll()
      .where('entity_id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(link.cu_task_id).not.toBe(other);
    expect(tasksFor(w, c.id)).toHaveLength(1);
  });

  it('two tasks carrying exactly the case id are an error naming both, not a guess', async () => {
    world = await createWorld();
    const w = world;
    const b = await w.startBridge({ manualDispatch: true });
    const c = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Twice' });
    const { job, taskId: a } = await createJobFor(w, c.id);
    const d = await decoy(w, c.id, 'copy B');
    const out = await createTaskHandler(b.ctx)({ job, payload: JSON.parse(job.payload), attempt: 2, now: Date.now });
    expect(out.status).toBe('fail');
    const error = (out as { error: string }).error;
    expect(error).toContain(a);
    expect(error).toContain(d);
    expect(error).toContain(c.id);
  });
});

describe('faults after the work is done, flow 1 and partner comments', () => {
  it('a task, its file and a partner comment saved and then answered 502 exist once each', async () => {
    world = await createWorld();
    const w = world;
    const b = await w.startBridge();
    w.cu.setFaults({ savedThen5xxRate: 1 });
    const c = await w.tg.raiseCase({
      partnerId: 'P-ACME',
      kind: 'dispute',
      title: 'Lost answers',
      documents: [
        {
          name: 'claim.pdf',
          kind: 'claim_evidence',
          contentType: 'application/pdf',
          content: Buffer.from('%PDF-1.4 lost answers'),
        },
      ],
    });
    const taskId = await eventually('the task', () => tasksFor(w, c.id)[0]?.id as string | undefined, 20_000).catch(
      async (e) => {
        console.log(
          JSON.stringify(
            await b.store.db.selectFrom('jobs').select(['kind', 'state', 'attempts', 'last_error']).execute(),
            null,
            1,
          ),
          w.cu.stats(),
        );
        throw e;
      },
    );
    await w.tg.addCaseComment(c.id, { body: 'please look at line 3', author: 'Ann at ACME' });
    const comments = () =>
      w.cu.state.tasks.get(taskId)!.comments.filter((x) => x.text.includes('please look at line 3'));
    await eventually(
      'the file and the comment saved',
      () => w.cu.state.tasks.get(taskId)!.attachments.length > 0 && comments().length > 0,
      20_000,
    );
    // A few more answers lost with the faults still on (what the end checks), then let the jobs finish.
    await eventually('more answers lost after the save', () => w.cu.stats().savedThen5xx >= 3, 20_000);
    w.cu.setFaults({ savedThen5xxRate: 0 });
    await eventually(
      'the queues drained',
      async () =>
        (
          await b.store.db
            .selectFrom('jobs')
            .select('id')
            .where('state', 'in', ['ready', 'running'])
            .where('kind', 'not in', ['tradinggrid.poll', 'clickup.webhook_health'])
            .execute()
        ).length === 0,
      20_000,
    );
    expect(tasksFor(w, c.id)).toHaveLength(1);
    expect(w.cu.state.tasks.get(taskId)!.attachments).toHaveLength(1);
    expect(comments()).toHaveLength(1);
    expect(await listDeadLetters(b.store.db)).toEqual([]);
    expect(w.cu.stats().savedThen5xx).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
