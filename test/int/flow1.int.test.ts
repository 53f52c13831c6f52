import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type World } from '../helpers/world.ts';
import { signTgEvent } from '../../bench/signedEvents.ts';
import { computeWebhookSignature, decodeWebhookSecret } from '../../src/connectors/tradinggrid/events.ts';
import { getCase } from '../../src/store/ops/cases.ts';
import { listDeadLetters } from '../../src/store/ops/replayDeadLetter.ts';
import { enqueueJobs } from '../../src/store/ops/enqueueJobs.ts';
import { partnerCommentJob } from '../../src/flows/02-status-sync/caseClickUpRoute.ts';
import { createTaskHandler } from '../../src/flows/01-case-intake/createTaskHandler.ts';

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const pdf = Buffer.from('%PDF-1.4\n% claim evidence\n');

export function tasksFor(w: World, caseId: string): Array<Record<string, any>> {
  return w.cu
    .tasks()
    .filter((t) =>
      ((t as any).custom_fields ?? []).some((f: any) => f.name === 'TG case id' && f.value === caseId),
    ) as Array<Record<string, any>>;
}

async function post(url: string, signed: { body: string; headers: Record<string, string> }) {
  const r = await fetch(`${url}/webhooks/tradinggrid`, { method: 'POST', headers: signed.headers, body: signed.body });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

describe('flow 1: partner case → ClickUp task', () => {
  it('a raised case with an attachment becomes one task with fields, due date and the file', async () => {
    world = await createWorld();
    const w = world;
    await w.startBridge();
    const c = await w.tg.raiseCase({
      partnerId: 'P-ACME',
      kind: 'dispute',
      title: 'Short shipment on PO 4500012345',
      description: 'We received 90 of 100 cartons.',
      transactionRef: {
        standard: 'x12',
        interchange: '000000123',
        group: '45',
        transaction: '0001',
        business: { type: 'PO', value: '4500012345' },
      },
      value: { amount: 12500, currency: 'USD' },
      documents: [{ name: 'claim.pdf', kind: 'claim_evidence', contentType: 'application/pdf', content: pdf }],
    });
    const task = await eventually('the task with its attachment', () => {
      const t = tasksFor(w, c.id)[0];
      return t && (t.attachments ?? []).length === 1 ? t : null;
    });
    expect(task.name).toBe('[Acme Retail] Dispute: Short shipment on PO 4500012345');
    expect(Number(task.priority?.id)).toBe(2);
    const fields = Object.fromEntries((task.custom_fields as any[]).map((f) => [f.name, f.value]));
    expect(fields['Partner']).toBe('Acme Retail');
    expect(fields['TG case id']).toBe(c.id);
    expect(fields['Transaction reference']).toContain('PO 4500012345');
    // SLA due date: the dispute policy's 72 business hours on the sandbox's 24x7 UTC calendar (src/cli/sandboxSla.ts).
    expect(String(task.due_date)).toBe(String(Date.parse(c.opened_at) + 72 * 3_600_000));
    expect(task.attachments[0].title).toBe('claim evidence - claim.pdf');
    const stats = w.cu.stats().requests;
    expect(stats['POST /api/v2/list/{list_id}/task']).toBe(1);
    expect(stats['POST /api/v2/task/{task_id}/attachment']).toBe(1);
  });

  it('a case event delivered twice, or five times at once, creates one task', async () => {
    world = await createWorld();
    const w = world;
    const b = await w.startBridge();
    w.tg.setWebhookUrl(undefined); // we deliver ourselves
    const c = await w.tg.raiseCase({ partnerId: 'P-GLOBEX', kind: 'shipment_exception', title: 'Late truck' });
    const ev = w.tg.state().events.find((e) => e.type === 'case.opened' && e.data.id === c.id)!;
    const signed = signTgEvent(ev, w.tg.webhookSecret);
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => post(b.url, signed)));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200 && a.body.duplicate === true)).toHaveLength(4);
    await eventually('the task', () => tasksFor(w, c.id).length === 1);
    expect((await post(b.url, signed)).body.duplicate).toBe(true);
    // A different event for the same case (case.updated) must not create another task either.
    const again = signTgEvent({ ...ev, id: `${ev.id}-u`, type: 'case.updated' }, w.tg.webhookSecret);
    expect((await post(b.url, again)).status).toBe(202);
    await eventually(
      'the update to be processed',
      async () =>
        (
          await b.store.db
            .selectFrom('jobs')
            .select('state')
            .where('key', '=', `tg.event:${ev.id}-u`)
            .executeTakeFirst()
        )?.state === 'done',
    );
    expect(tasksFor(w, c.id)).toHaveLength(1);
    expect(w.cu.stats().requests['POST /api/v2/list/{list_id}/task']).toBe(1);
  });

  type Signed = { body: string; headers: Record<string, string> };
  it.each<[string, (s: Signed) => Signed, RegExp]>([
    ['a bad signature', (s) => ({ ...s, headers: { ...s.headers, 'webhook-signature': 'v1,AAAA' } }), /signature/],
    ['a missing signature', (s) => ({ ...s, headers: { ...s.headers, 'webhook-signature': '' } }), /webhook-signature/],
    [
      'a body altered after signing',
      (s) => ({ ...s, body: s.body.replace('case.opened', 'case.updated') }),
      /signature/,
    ],
  ])('%s is refused with 401 and stores nothing', async (_n, mutate, reason) => {
    world = await createWorld();
    const b = await world.startBridge({ manualDispatch: true });
    const signed = mutate(
      signTgEvent(
        { id: 'evt_x', type: 'case.opened', occurred_at: new Date().toISOString(), data: { id: 'C-1' } },
        world.tg.webhookSecret,
      ),
    );
    const r = await post(b.url, signed);
    expect(r.status).toBe(401);
    expect(String(r.body.error)).toMatch(reason);
    expect(await b.store.db.selectFrom('inbound_events').selectAll().execute()).toEqual([]);
  });

  it.each([
    ['malformed JSON', '{"id": "evt_1", "type": ', /not valid JSON/],
    [
      'an unknown event type',
      JSON.stringify({
        id: 'evt_2',
        type: 'case.exploded',
        occurred_at: new Date().toISOString(),
        data: { id: 'C-1' },
      }),
      /unknown event type "case.exploded"/,
    ],
    [
      'a missing data.id',
      JSON.stringify({ id: 'evt_3', type: 'case.opened', occurred_at: new Date().toISOString(), data: {} }),
      /data\.id/,
    ],
  ])('%s answers 400 with the reason', async (_n, body, reason) => {
    world = await createWorld();
    const b = await world.startBridge({ manualDispatch: true });
    const ts = Math.floor(Date.now() / 1000);
    const id = `msg_${Math.random()}`;
    const headers = {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(ts),
      'webhook-signature': `v1,${computeWebhookSignature(decodeWebhookSecret(world.tg.webhookSecret), id, ts, body)}`,
    };
    const r = await post(b.url, { body, headers });
    expect(r.status).toBe(400);
    expect(String(r.body.error)).toMatch(reason);
  });

  it('a case for a partner with no mapping is held as needs_mapping with a visible reason', async () => {
    world = await createWorld();
    const w = world;
    const b = await w.startBridge();
    const c = await w.tg.raiseCase({ partnerId: 'P-UMBRELLA', kind: 'compliance_issue', title: 'Missing certificate' });
    const rec = await eventually('the held case', async () => {
      const r = await getCase(b.store.db, c.id);
      return r?.state === 'needs_mapping' ? r : null;
    });
    expect(rec.holdReason).toMatch(/partner P-UMBRELLA \(Umbrella Foods\) has no mapping: add it under partners\.map/);
    expect(tasksFor(w, c.id)).toHaveLength(0);
    expect(w.cu.stats().requests['POST /api/v2/list/{list_id}/task'] ?? 0).toBe(0);

    // The operator maps the partner and restarts: the held case is taken up, once.
    await b.stop();
    w.config.partners.map['P-UMBRELLA'] = { name: 'Umbrella Foods' };
    await w.startBridge();
    await eventually('the task of the formerly held case', () => tasksFor(w, c.id).length === 1);
    expect((await getCase(w.bridge!.store.db, c.id))?.state).toBe('active');
  });

  it('a partner comment on a held case waits with the case and lands on its task once the partner is mapped', async () => {
    world = await createWorld();
    const w = world;
    const b = await w.startBridge();
    const c = await w.tg.raiseCase({ partnerId: 'P-UMBRELLA', kind: 'dispute', title: 'Held with a comment' });
    await eventually('the held case', async () => (await getCase(b.store.db, c.id))?.state === 'needs_mapping');
    await w.tg.addCaseComment(c.id, { body: 'Still waiting on the certificate', author: 'Uma (Umbrella)' });
    // Parked, not retrying: a retried job would use its attempts up against a task that cannot come.
    const parked = await eventually('the comment parked with its case', async () =>
      b.store.db
        .selectFrom('jobs')
        .select(['state', 'attempts'])
        .where('kind', '=', 'clickup.add_comment')
        .where('queue_key', '=', `case:${c.id}`)
        .executeTakeFirst(),
    );
    expect(parked).toEqual({ state: 'waiting', attempts: 0 });

    await b.stop();
    w.config.partners.map['P-UMBRELLA'] = { name: 'Umbrella Foods' };
    const b2 = await w.startBridge();
    const task = await eventually('the task of the formerly held case', () => tasksFor(w, c.id)[0]);
    const onTask = async () =>
      (
        (await (
          await fetch(`${w.cu.url}/v2/task/${task.id}/comment`, { headers: { authorization: w.cu.token } })
        ).json()) as { comments: Array<{ comment_text: string }> }
      ).comments.filter((x) => x.comment_text.includes('Still waiting on the certificate'));
    await eventually('the comment on the task', async () => (await onTask()).length === 1);
    expect(await listDeadLetters(b2.store.db)).toEqual([]);
    const left = await b2.store.db.selectFrom('jobs').select('id').where('state', '=', 'waiting').execute();
    expect(left).toEqual([]);
  });

  it('a partner comment job queued as ready before its case was held is parked on reaching the held case, and lands on the task once the partner is mapped', async () => {
    world = await createWorld();
    const w = world;
    const b = await w.startBridge();
    const c = await w.tg.raiseCase({ partnerId: 'P-UMBRELLA', kind: 'dispute', title: 'Held, comment queued before' });
    await eventually('the held case', async () => (await getCase(b.store.db, c.id))?.state === 'needs_mapping');
    // Its webhook lost: the comment's job is only the one queued below, not one the intake parks itself.
    w.tg.setFaults({ webhookDropRate: 1 });
    const comment = await w.tg.addCaseComment(c.id, { body: 'Queued before the hold', author: 'Uma (Umbrella)' });
    await w.tg.idle();
    w.tg.setFaults({});
    // The comment's job as it was queued before the hold: ready, under the case's queue key.
    await enqueueJobs(b.store.db, [partnerCommentJob(b.ctx, c.id, comment.id)], Date.now());
    b.dispatcher.wake();
    // It finds no task on a held case: parked, not retried into a dead letter.
    const parked = await eventually('the comment job parked with its case', async () => {
      const r = await b.store.db
        .selectFrom('jobs')
        .select(['state', 'attempts'])
        .where('key', '=', `cu.add_comment:tg:${comment.id}`)
        .executeTakeFirst();
      return r?.state === 'waiting' ? r : null;
    });
    expect(parked).toEqual({ state: 'waiting', attempts: 0 });

    await b.stop();
    w.config.partners.map['P-UMBRELLA'] = { name: 'Umbrella Foods' };
    const b2 = await w.startBridge();
    const task = await eventually('the task of the formerly held case', () => tasksFor(w, c.id)[0]);
    const onTask = async () =>
      (
        (await (
          await fetch(`${w.cu.url}/v2/task/${task.id}/comment`, { headers: { authorization: w.cu.token } })
        ).json()) as { comments: Array<{ comment_text: string }> }
      ).comments.filter((x) => x.comment_text.includes('Queued before the hold'));
    await eventually('the comment on the task', async () => (await onTask()).length === 1);
    expect(await listDeadLetters(b2.store.db)).toEqual([]);
    expect(await b2.store.db.selectFrom('jobs').select('id').where('state', '=', 'waiting').execute()).toEqual([]);
  });

  it('a ClickUp 5xx is retried until it succeeds; a refused value becomes a clear dead letter', async () => {
    world = await createWorld();
    const w = world;
    const b = await w.startBridge();
    w.cu.setFaults({ errorRate: 1 });
    const c1 = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Retry me' });
    await eventually(
      'a failed attempt',
      async () =>
        (
          await b.store.db
            .selectFrom('jobs')
            .select('last_error')
            .where('kind', '=', 'clickup.create_task')
            .executeTakeFirst()
        )?.last_error,
    );
    w.cu.setFaults({ errorRate: 0 });
    await eventually('the task after retries', () => tasksFor(w, c1.id).length === 1, 20_000);

    // An issue type that is no longer an option of the drop-down is refused for good, with a reason.
    const issueType = b.ctx.fields.field(w.config.clickup.list_id, 'issue_type')! as any;
    issueType.type_config.options = issueType.type_config.options.filter(
      (o: any) => (o.name ?? o.label) !== 'edi exception',
    );
    const bad = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'edi_exception', title: 'Refused' });
    const dl = await eventually('the dead letter', async () =>
      (await listDeadLetters(b.store.db)).find((d) => d.key === `cu.create_task:${bad.id}`),
    );
    expect(dl.error).toMatch(/"edi exception" is not an option of drop-down field "Issue type"/);
  });
});

describe('flow 1: a task found again after a crash', () => {
  it('a task a person moved before its link was recorded gives the partner that status, not "received"', async () => {
    world = await createWorld();
    const w = world;
    const b = await w.startBridge({ manualDispatch: true });
    const c = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Moved before linked' });
    await eventually(
      'the event accepted',
      async () => (await b.store.db.selectFrom('jobs').select('id').execute()).length > 0,
    );
    await b.dispatcher.runUntilIdle();
    const job = await b.store.db
      .selectFrom('jobs')
      .selectAll()
      .where('kind', '=', 'clickup.create_task')
      .executeTakeFirstOrThrow();
    const link = await b.store.db
      .selectFrom('links')
      .selectAll()
      .where('entity_id', '=', c.id)
      .executeTakeFirstOrThrow();
    // As if the process died after ClickUp created the task and before the link was committed, and a
    // person moved the task meanwhile (its webhook found no link and was ignored).
    await b.store.db.deleteFrom('links').where('entity_id', '=', c.id).execute();
    await b.store.db.deleteFrom('sync_hashes').where('entity_id', '=', c.id).execute();
    await b.store.db
      .deleteFrom('jobs')
      .where('queue_key', '=', `case:${c.id}`)
      .where('kind', '=', 'tradinggrid.set_status')
      .execute();
    w.cu.moveStatus(link.cu_task_id!, 'in review');
    const out = await createTaskHandler(b.ctx)({ job, payload: JSON.parse(job.payload), attempt: 2, now: Date.now });
    expect(out.status).toBe('done');
    await b.store.db
      .transaction()
      .execute(async (trx) => (out as { commit: (t: typeof trx) => Promise<void> }).commit(trx));
    await b.dispatcher.runUntilIdle();
    expect(
      w.cu
        .tasks()
        .filter((t) => (t as any).custom_fields.some((f: any) => f.name === 'TG case id' && f.value === c.id)),
    ).toHaveLength(1);
    expect(w.tg.state().cases.get(c.id)?.status).toBe('in_review');
  });
});
