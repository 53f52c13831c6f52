import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, settle, type World } from '../helpers/world.ts';
import { signTgEvent } from '../../bench/signedEvents.ts';
import { getLink } from '../../src/store/ops/links.ts';
import { listAudit } from '../../src/store/ops/audit.ts';
import { sandboxMapping } from '../../src/cli/demo/sandboxMapping.ts';

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const SET_STATUS = 'POST /cases/{id}/status';

async function openCase(w: World, title = 'Two-way case') {
  const b = w.bridge ?? (await w.startBridge());
  const c = await w.tg.raiseCase({
    partnerId: 'P-ACME',
    kind: 'dispute',
    title,
    documents: [
      { name: 'claim.pdf', kind: 'claim_evidence', contentType: 'application/pdf', content: Buffer.from('%PDF claim') },
    ],
  });
  const link = await eventually('the task', () => getLink(b.store.db, 'case', c.id));
  // The task exists, its file is attached and the partner sees "received": the case is settled.
  await eventually('received on the partner side', () => w.tg.state().cases.get(c.id)?.status === 'received');
  await eventually(
    'the attachment',
    () => ((w.cu.tasks().find((t) => t.id === link.cuTaskId) as any)?.attachments ?? []).length === 1,
  );
  await settle(w);
  return { b, c, taskId: link.cuTaskId };
}

const tgCalls = (w: World, route: string) => w.tg.stats().requests[route] ?? 0;
const cuCalls = (w: World) => w.cu.stats().total;

describe('flow 2: ClickUp status → partner status', () => {
  it('a status change is one Trading Grid call, and its echo costs nothing', async () => {
    world = await createWorld();
    const w = world;
    const { c, taskId } = await openCase(w);
    const tgBefore = tgCalls(w, SET_STATUS);
    const cuBefore = cuCalls(w);
    w.cu.moveStatus(taskId, 'in review');
    await eventually('in_review on the partner side', () => w.tg.state().cases.get(c.id)?.status === 'in_review');
    await settle(w);
    expect(tgCalls(w, SET_STATUS) - tgBefore).toBe(1);
    // The echo (Trading Grid's case.updated for our own write) made no ClickUp call.
    expect(cuCalls(w) - cuBefore).toBe(0);
  });

  it('each status a person moves the task through reaches the partner, in order', async () => {
    world = await createWorld();
    const w = world;
    const { b, c, taskId } = await openCase(w);
    w.cu.moveStatus(taskId, 'awaiting documents');
    await eventually('awaiting_documents', () => w.tg.state().cases.get(c.id)?.status === 'awaiting_documents');
    w.cu.moveStatus(taskId, 'resolved');
    await eventually('resolved', () => w.tg.state().cases.get(c.id)?.status === 'resolved');
    await settle(w);
    expect(
      (await listAudit(b.store.db, 'case', c.id))
        .filter((a) => a.action === 'status_to_partner')
        .map((a) => JSON.parse(a.after!).status),
    ).toEqual(['received', 'awaiting_documents', 'resolved']);
  });

  it('duplicate and reordered webhook deliveries change the partner status once, and an older change never wins', async () => {
    world = await createWorld({ cu: { faults: { webhookDuplicateRate: 1 } } });
    const w = world;
    const { b, c, taskId } = await openCase(w);
    w.cu.moveStatus(taskId, 'in review');
    await eventually('in_review', () => w.tg.state().cases.get(c.id)?.status === 'in_review');
    await settle(w);
    const before = tgCalls(w, SET_STATUS);
    // Replay an older history item (status "escalated", dated before "in review") as ClickUp would on a late retry.
    const { signClickUpBody } = await import('../../src/connectors/clickup/signature.ts');
    const old = {
      event: 'taskStatusUpdated',
      task_id: taskId,
      webhook_id: w.bridge!.ctx.webhook.id,
      history_items: [
        { id: 'hist-old-1', field: 'status', date: String(Date.now() - 3_600_000), after: { status: 'escalated' } },
      ],
    };
    const body = JSON.stringify(old);
    const r = await fetch(`${b.url}/webhooks/clickup`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-signature': signClickUpBody(body, w.bridge!.ctx.webhook.secret!),
      },
      body,
    });
    expect(r.status).toBe(200);
    await settle(w);
    expect(w.tg.state().cases.get(c.id)?.status).toBe('in_review');
    expect(tgCalls(w, SET_STATUS)).toBe(before);
  });

  it('a late echo of our own earlier write never undoes a newer status, even when the Trading Grid clock runs ahead', async () => {
    // Found by the chaos run: the partner status we wrote at intake ("received") came back late, after a
    // person had already moved the task on. Compared in mixed clocks it looked newer and moved the task
    // back to "open". Each side's memory is now stamped in that side's own clock.
    world = await createWorld({ tg: { now: () => Date.now() + 30_000 } });
    const w = world;
    const b = await w.startBridge();
    w.tg.setWebhookUrl(undefined); // events reach the bridge only when the test posts them
    const post = async (ev: unknown) => {
      const s = signTgEvent(ev as never, w.tg.webhookSecret);
      expect(
        (await fetch(`${b.url}/webhooks/tradinggrid`, { method: 'POST', headers: s.headers, body: s.body })).status,
      ).toBe(202);
    };
    // settle() waits for the Trading Grid sandbox to deliver, which it does not here.
    const quiet = async () => {
      await w.cu.webhooksSettled();
      await eventually(
        'an idle queue',
        async () =>
          (
            await b.store.db
              .selectFrom('jobs')
              .select('id')
              .where('state', 'in', ['ready', 'running'])
              .where('run_at', '<=', Date.now() + 2500)
              .execute()
          ).length === 0 && b.dispatcher.inFlightCount === 0,
      );
    };
    const c = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Late echo' });
    await post(w.tg.state().events.find((e) => e.type === 'case.opened' && e.data.id === c.id));
    const link = await eventually('the task', () => getLink(b.store.db, 'case', c.id));
    await eventually('received on the partner side', () => w.tg.state().cases.get(c.id)?.status === 'received');
    await quiet();
    const echo = w.tg
      .state()
      .events.find((e) => e.type === 'case.updated' && e.data.id === c.id && e.data.status === 'received')!;
    w.cu.moveStatus(link.cuTaskId, 'in review');
    await eventually('in_review on the partner side', () => w.tg.state().cases.get(c.id)?.status === 'in_review');
    await quiet();
    await post({ ...echo, id: `${echo.id}-late` });
    await quiet();
    expect((w.cu.tasks().find((t) => t.id === link.cuTaskId) as any).status.status).toBe('in review');
    expect(w.tg.state().cases.get(c.id)?.status).toBe('in_review');
  });

  it('a partner-side status change reaches the task; the owner (ClickUp) wins a concurrent conflict and it is audited', async () => {
    world = await createWorld();
    const w = world;
    const { b, c, taskId } = await openCase(w);
    const send = async (id: string, status: string, at: number) => {
      const s = signTgEvent(
        {
          id,
          type: 'case.updated',
          occurred_at: new Date(at).toISOString(),
          data: { id: c.id, partner_id: 'P-ACME', status, changed: ['status'], side: 'partner' },
        },
        w.tg.webhookSecret,
      );
      const res = await fetch(`${b.url}/webhooks/tradinggrid`, { method: 'POST', headers: s.headers, body: s.body });
      expect(res.status).toBeLessThan(300);
    };
    await send('evt-partner-1', 'awaiting_documents', Date.now());
    await eventually(
      'the task moved',
      () => (w.cu.tasks().find((t) => t.id === taskId) as any)?.status?.status === 'awaiting documents',
    );
    await settle(w);
    // Now both move at once: ClickUp to escalated, the partner to resolved. "At once" means each side's
    // event is in before the bridge acts on either: with the workers paused, which delivery arrives first
    // (a race between two loopback servers) no longer decides the path.
    await b.dispatcher.stop();
    w.cu.moveStatus(taskId, 'escalated');
    await w.cu.webhooksSettled();
    await send('evt-partner-2', 'resolved', Date.now() + 5);
    b.dispatcher.start();
    await settle(w);
    expect((w.cu.tasks().find((t) => t.id === taskId) as any).status.status).toBe('escalated');
    expect(w.tg.state().cases.get(c.id)?.status).toBe('escalated');
    expect((await listAudit(b.store.db, 'case', c.id)).map((a) => a.action)).toContain('status_conflict_resolved');
  });
});

describe('comments both ways', () => {
  it('a ClickUp comment flagged for the partner is posted once; a partner comment shows on the task once', async () => {
    world = await createWorld({ cu: { faults: { webhookDuplicateRate: 1 } } });
    const w = world;
    const { c, taskId } = await openCase(w);
    w.cu.postComment(taskId, 'internal note, not for the partner');
    w.cu.postComment(taskId, '@partner Please send the proof of delivery.');
    await eventually('the partner comment', () =>
      (w.tg.state().comments.get(c.id) ?? []).some((x) => x.body === 'Please send the proof of delivery.'),
    );
    await w.tg.addCaseComment(c.id, { body: 'POD attached tomorrow', author: 'Jane (Acme)' });
    await eventually('the comment on the task', async () =>
      JSON.stringify(
        await (await fetch(`${w.cu.url}/v2/task/${taskId}/comment`, { headers: { authorization: w.cu.token } })).json(),
      ).includes('POD attached tomorrow'),
    );
    await settle(w);
    const partnerSide = (w.tg.state().comments.get(c.id) ?? []).filter((x) => x.side === 'internal');
    expect(partnerSide.map((x) => x.body)).toEqual(['Please send the proof of delivery.']);
    const res = await fetch(`${w.cu.url}/v2/task/${taskId}/comment`, { headers: { authorization: w.cu.token } });
    const comments = ((await res.json()) as any).comments as Array<{ comment_text: string }>;
    expect(comments.filter((x) => x.comment_text.includes('POD attached tomorrow'))).toHaveLength(1);
    expect(comments.find((x) => x.comment_text.includes('POD attached tomorrow'))!.comment_text).toMatch(
      /^Partner comment from Jane \(Acme\)/,
    );
  });
});

describe('flow 3: documents both ways', () => {
  it('a file attached in ClickUp reaches the partner once as corrected; the partner file already there is not sent back', async () => {
    world = await createWorld({ cu: { faults: { webhookDuplicateRate: 1 } } });
    const w = world;
    const { c, taskId } = await openCase(w);
    const docsBefore = [...w.tg.state().documents.values()].filter((d) => d.meta.case_id === c.id);
    expect(docsBefore).toHaveLength(1);
    w.cu.attachFile(taskId, {
      filename: 'partner-corrected-invoice.pdf',
      contentType: 'application/pdf',
      data: Buffer.from('%PDF corrected'),
    });
    await eventually('the corrected document', () =>
      [...w.tg.state().documents.values()].some(
        (d) => d.meta.case_id === c.id && d.meta.name === 'partner-corrected-invoice.pdf',
      ),
    );
    await settle(w);
    const docs = [...w.tg.state().documents.values()].filter((d) => d.meta.case_id === c.id);
    expect(docs.map((d) => [d.meta.name, d.meta.kind, d.meta.uploaded_by]).sort()).toEqual([
      ['claim.pdf', 'claim_evidence', 'partner'],
      ['partner-corrected-invoice.pdf', 'corrected', 'internal'],
    ]);
    // And nothing came back to ClickUp: the task still has exactly its two files.
    expect(((w.cu.tasks().find((t) => t.id === taskId) as any).attachments ?? []).length).toBe(2);
  });

  it('a file found from a taskUpdated whose attachment item does not name it (ClickUp documents no shape for it) reaches the partner once', async () => {
    world = await createWorld({ cu: { delivery: { retryDelayMs: 20 } } });
    const w = world;
    const { b, c, taskId } = await openCase(w);
    // The file (named for the partner by the sandbox's sharing rule) is added while deliveries fail, then ClickUp's taskUpdated arrives with only a hint.
    w.cu.setFaults({ webhookFailing: true });
    w.cu.attachFile(taskId, {
      filename: 'partner-weighbridge.pdf',
      contentType: 'application/pdf',
      data: Buffer.from('%PDF weighbridge'),
    });
    await w.cu.webhooksSettled();
    w.cu.setFaults({ webhookFailing: false });
    const hook = [...w.cu.state.webhooks.values()][0]!;
    const list = w.config.clickup.list_id;
    const body = JSON.stringify({
      event: 'taskUpdated',
      webhook_id: hook.id,
      task_id: taskId,
      history_items: [
        {
          id: '2800999000000000001',
          type: 1,
          date: String(Date.now()),
          field: 'attachments',
          parent_id: list,
          data: {},
          source: null,
          user: { id: 81000002, username: 'Ana Ops' },
          before: null,
          after: null,
        },
      ],
    });
    const res = await fetch(`${b.url}/webhooks/clickup`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-signature': createHmac('sha256', hook.secret).update(body).digest('hex'),
      },
      body,
    });
    expect(res.status).toBe(200);
    await eventually('the file on the partner side', () =>
      [...w.tg.state().documents.values()].some(
        (d) => d.meta.case_id === c.id && d.meta.name === 'partner-weighbridge.pdf',
      ),
    );
    await settle(w);
    expect(
      [...w.tg.state().documents.values()]
        .filter((d) => d.meta.case_id === c.id)
        .map((d) => d.meta.name)
        .sort(),
    ).toEqual(['claim.pdf', 'partner-weighbridge.pdf']);
  });

  it('a partner document added later is attached once, even when its event is delivered twice', async () => {
    world = await createWorld({ tg: { faults: { webhookDuplicateRate: 1 } } });
    const w = world;
    const { c, taskId } = await openCase(w);
    await w.tg.uploadDocument(c.id, {
      name: 'pod.pdf',
      kind: 'proof_of_delivery',
      contentType: 'application/pdf',
      content: Buffer.from('%PDF pod'),
    });
    await eventually(
      'the second attachment',
      () => ((w.cu.tasks().find((t) => t.id === taskId) as any).attachments ?? []).length === 2,
    );
    await settle(w);
    expect(
      ((w.cu.tasks().find((t) => t.id === taskId) as any).attachments ?? []).map((a: any) => a.title).sort(),
    ).toEqual(['claim evidence - claim.pdf', 'proof of delivery - pod.pdf']);
  });
});

const caseDocs = (w: World, caseId: string) =>
  [...w.tg.state().documents.values()]
    .filter((d) => d.meta.case_id === caseId)
    .map((d) => d.meta.name)
    .sort();
const partnerComments = (w: World, caseId: string) =>
  (w.tg.state().comments.get(caseId) ?? []).filter((x) => x.side === 'internal').map((x) => x.body);

describe('what reaches a partner: nothing unless a sharing rule says so', () => {
  it('with the default rules, a file attached and an unmarked comment stay internal; the marked comment goes, audited with its rule', async () => {
    // Before the sharing rules every file on a case task went to the partner as "corrected".
    world = await createWorld({ extra: { sharing: {} } });
    const w = world;
    const { b, c, taskId } = await openCase(w);
    w.cu.attachFile(taskId, {
      filename: 'margin-calculation.xlsx',
      contentType: 'application/zip',
      data: Buffer.from('PK internal margins'),
    });
    w.cu.postComment(taskId, 'Internal: the warehouse miscounted, do not admit it yet.');
    w.cu.postComment(taskId, '@partner We are checking the carton count.');
    await eventually('the marked comment', () => partnerComments(w, c.id).length === 1);
    await settle(w);
    expect(caseDocs(w, c.id)).toEqual(['claim.pdf']);
    expect(partnerComments(w, c.id)).toEqual(['We are checking the carton count.']);
    const audit = await listAudit(b.store.db, 'case', c.id);
    const after = (action: string) => audit.filter((a) => a.action === action).map((a) => JSON.parse(a.after!));
    expect(after('comment_to_partner').map((a) => a.rule)).toEqual(['sharing.cases.comments: starts with "@partner"']);
    expect(after('status_to_partner').map((a) => a.rule)).toEqual([
      'sync.status_on_task_created (received); the partner saw open',
    ]);
    expect(after('kept_internal').map((a) => [a.what, a.reason])).toEqual(
      expect.arrayContaining([
        ['file', expect.stringContaining('no file')],
        ['comment', 'does not start with "@partner"'],
      ]),
    );
    // The console's timeline shows what the partner was sent apart from internal events.
    const { listCaseTimeline } = await import('../../src/store/ops/timeline.ts');
    const sent = (await listCaseTimeline(b.store.db, c.id))
      .filter((x) => x.kind === 'sent_to_partner')
      .map((x) => x.detail);
    expect(sent).toHaveLength(2);
    expect(sent.join('\n')).toContain('sharing.cases.comments: starts with "@partner"');
  });

  it('a file goes when its name, a partner comment or the task checkbox marks it; the others stay internal', async () => {
    world = await createWorld(); // the sandbox rules: name "partner-…", a file in an @partner comment, the "Share with partner" checkbox
    const w = world;
    const { b, c, taskId } = await openCase(w);
    w.cu.attachFile(taskId, {
      filename: 'partner-credit-note.pdf',
      contentType: 'application/pdf',
      data: Buffer.from('%PDF credit note'),
    });
    w.cu.attachFile(taskId, {
      filename: 'internal-notes.pdf',
      contentType: 'application/pdf',
      data: Buffer.from('%PDF notes'),
    });
    w.cu.postComment(taskId, 'To the warehouse: recount please', undefined, [
      { filename: 'count-sheet.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF count') },
    ]);
    w.cu.postComment(taskId, '@partner Here is the signed delivery note.', undefined, [
      { filename: 'delivery-note.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF dn') },
    ]);
    await eventually('two shared files', () => caseDocs(w, c.id).length === 3);
    await settle(w);
    w.cu.setField(taskId, 'Share with partner', true);
    w.cu.attachFile(taskId, {
      filename: 'pod-scan.pdf',
      contentType: 'application/pdf',
      data: Buffer.from('%PDF pod scan'),
    });
    await eventually('the ticked file', () => caseDocs(w, c.id).includes('pod-scan.pdf'));
    await settle(w);
    expect(caseDocs(w, c.id)).toEqual(['claim.pdf', 'delivery-note.pdf', 'partner-credit-note.pdf', 'pod-scan.pdf']);
    const rules = (await listAudit(b.store.db, 'case', c.id))
      .filter((a) => a.action === 'document_to_partner')
      .map((a) => [JSON.parse(a.after!).name, JSON.parse(a.after!).rule])
      .sort();
    expect(rules).toEqual([
      ['delivery-note.pdf', 'sharing.cases.files: attached in a comment for the partner'],
      ['partner-credit-note.pdf', 'sharing.cases.files: name starts with "partner-"'],
      ['pod-scan.pdf', 'sharing.cases.files: "Share with partner" ticked on the task'],
    ]);
  });
});

describe('a linked task deleted in ClickUp', () => {
  const deleteTask = async (w: World, taskId: string) => {
    const r = await fetch(`${w.cu.url}/v2/task/${taskId}`, {
      method: 'DELETE',
      headers: { authorization: w.cu.token },
    });
    expect(r.status).toBe(204);
  };

  it('leave_unlinked (the default): the case is marked, later partner changes make no task and no dead letter, the partner is told nothing', async () => {
    world = await createWorld();
    const w = world;
    const { b, c, taskId } = await openCase(w);
    const setStatus = tgCalls(w, SET_STATUS);
    await deleteTask(w, taskId);
    await eventually('the link gone', async () => !(await getLink(b.store.db, 'case', c.id)));
    await settle(w);
    const { getCase } = await import('../../src/store/ops/cases.ts');
    expect((await getCase(b.store.db, c.id))?.holdReason).toMatch(
      new RegExp(`ClickUp task ${taskId} was deleted .*leave_unlinked`),
    );
    // The partner keeps working: a comment, a file, a status. None makes a task or a dead letter.
    await w.tg.addCaseComment(c.id, { body: 'Any news?', author: 'Jane (Acme)' });
    await w.tg.uploadDocument(c.id, {
      name: 'reminder.pdf',
      kind: 'other',
      contentType: 'application/pdf',
      content: Buffer.from('%PDF reminder'),
    });
    await settle(w);
    const tasksOfCase = w.cu
      .tasks()
      .filter((t: any) => (t.custom_fields ?? []).some((f: any) => f.name === 'TG case id' && f.value === c.id));
    expect(tasksOfCase).toEqual([]);
    const { listDeadLetters } = await import('../../src/store/ops/replayDeadLetter.ts');
    expect(await listDeadLetters(b.store.db)).toEqual([]);
    expect(tgCalls(w, SET_STATUS)).toBe(setStatus);
    const actions = (await listAudit(b.store.db, 'case', c.id)).map((a) => a.action);
    expect(actions).toContain('task_deleted');
    expect(actions).toContain('skipped_unlinked');
  });

  it("recreate: a new task is made in the case's current state, and the partner is told nothing", async () => {
    world = await createWorld({ extra: { sync: { on_task_deleted: 'recreate' } } });
    const w = world;
    const { b, c, taskId } = await openCase(w);
    w.cu.moveStatus(taskId, 'in review');
    await eventually('in_review on the partner side', () => w.tg.state().cases.get(c.id)?.status === 'in_review');
    await settle(w);
    const setStatus = tgCalls(w, SET_STATUS);
    await deleteTask(w, taskId);
    const again = await eventually('a new task', async () => {
      const l = await getLink(b.store.db, 'case', c.id);
      return l && l.cuTaskId !== taskId ? l : null;
    });
    await settle(w);
    expect((w.cu.tasks().find((t) => t.id === again.cuTaskId) as any).status.status).toBe('in review');
    expect(tgCalls(w, SET_STATUS)).toBe(setStatus);
    expect(w.tg.state().cases.get(c.id)?.status).toBe('in_review');
  });
});

describe('ClickUp catch-up after lost deliveries', () => {
  it('a file attached and a status set while every delivery failed reach the partner once through the health check', async () => {
    world = await createWorld({ cu: { delivery: { retryDelayMs: 20, failingAfter: 100, suspendAfter: 200 } } });
    const w = world;
    const { b, c, taskId } = await openCase(w);
    w.cu.setFaults({ webhookFailing: true });
    w.cu.attachFile(taskId, {
      filename: 'partner-signed-pod.pdf',
      contentType: 'application/pdf',
      data: Buffer.from('%PDF signed pod'),
    });
    w.cu.moveStatus(taskId, 'in review');
    await w.cu.webhooksSettled();
    w.cu.setFaults({ webhookFailing: false });
    const check = async () => {
      await b.scheduler.enqueueSlot(
        { kind: 'clickup.webhook_health', cron: '* * * * *' },
        Date.now() + Math.random() * 1e6,
      );
      b.dispatcher.wake();
      await settle(w);
    };
    await check();
    const mine = () =>
      [...w.tg.state().documents.values()].filter(
        (d) => d.meta.case_id === c.id && d.meta.name === 'partner-signed-pod.pdf',
      );
    expect(mine()).toHaveLength(1);
    expect(w.tg.state().cases.get(c.id)?.status).toBe('in_review');
    // The next check reads nothing again: webhooks or the catch-up already brought this task's changes.
    const reads = w.cu.stats().requests['GET /api/v2/task/{task_id}'] ?? 0;
    expect(reads).toBeGreaterThan(0);
    await check();
    expect(w.cu.stats().requests['GET /api/v2/task/{task_id}'] ?? 0).toBe(reads);
    expect(mine()).toHaveLength(1);
  });

  it('with healthy deliveries the minute check reads no task: a person moving tasks costs only their webhook events', async () => {
    world = await createWorld({ cu: { delivery: { retryDelayMs: 20, failingAfter: 100, suspendAfter: 200 } } });
    const w = world;
    const { b, c, taskId } = await openCase(w);
    const check = async () => {
      await b.scheduler.enqueueSlot(
        { kind: 'clickup.webhook_health', cron: '* * * * *' },
        Date.now() + Math.random() * 1e6,
      );
      b.dispatcher.wake();
      await settle(w);
    };
    // The first check after start-up reads in full (deliveries may have failed while we were down).
    await check();
    const reads = () => w.cu.stats().requests['GET /api/v2/task/{task_id}'] ?? 0;
    const before = reads();
    w.cu.moveStatus(taskId, 'in review');
    await w.cu.webhooksSettled();
    await settle(w);
    expect(w.tg.state().cases.get(c.id)?.status).toBe('in_review');
    await check();
    expect(reads()).toBe(before);
  });
});

describe("edits follow the status mapping's direction", () => {
  // The sandbox's own mapping, its status line one way only.
  const statusMapping = (direction: string, owner: string) => {
    const m = sandboxMapping();
    return { ...m, fields: m.fields.map((f) => (f.tradinggrid === 'status' ? { ...f, direction, owner } : f)) };
  };
  const partnerSays = async (w: World, url: string, caseId: string, id: string, status: string) => {
    const s = signTgEvent(
      {
        id,
        type: 'case.updated',
        occurred_at: new Date().toISOString(),
        data: { id: caseId, partner_id: 'P-ACME', status, changed: ['status'], side: 'partner' },
      },
      w.tg.webhookSecret,
    );
    const res = await fetch(`${url}/webhooks/tradinggrid`, { method: 'POST', headers: s.headers, body: s.body });
    expect(res.status).toBeLessThan(300);
  };
  const taskStatus = (w: World, taskId: string) => (w.cu.tasks().find((t) => t.id === taskId) as any)?.status?.status;

  it('Trading Grid → ClickUp only: the partner is never written (not even "received"), a ClickUp move stays there, a partner change reaches the task', async () => {
    world = await createWorld({ extra: { mapping: statusMapping('to_clickup', 'tradinggrid') } });
    const w = world;
    const b = await w.startBridge();
    const c = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'One-way case' });
    const { cuTaskId: taskId } = await eventually('the task', () => getLink(b.store.db, 'case', c.id));
    await settle(w);
    w.cu.moveStatus(taskId, 'in review');
    await settle(w);
    expect(tgCalls(w, SET_STATUS)).toBe(0);
    expect(w.tg.state().cases.get(c.id)?.status).toBe('open');
    expect(
      (await listAudit(b.store.db, 'case', c.id))
        .filter((a) => a.action === 'status_not_sent')
        .map((a) => JSON.parse(a.after!).reason),
    ).toEqual(['the mapping goes Trading Grid → ClickUp only (direction to_clickup): an edit in ClickUp stays there']);
    await partnerSays(w, b.url, c.id, 'evt-oneway-1', 'awaiting_documents');
    await eventually('the task follows the partner', () => taskStatus(w, taskId) === 'awaiting documents');
    await settle(w);
    expect(tgCalls(w, SET_STATUS)).toBe(0);
  });

  it('ClickUp → Trading Grid only: a ClickUp move reaches the partner, a partner-side change never overwrites the task', async () => {
    world = await createWorld({ extra: { mapping: statusMapping('to_tradinggrid', 'clickup') } });
    const w = world;
    const b = await w.startBridge();
    const c = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'One-way back' });
    const { cuTaskId: taskId } = await eventually('the task', () => getLink(b.store.db, 'case', c.id));
    await eventually('received on the partner side', () => w.tg.state().cases.get(c.id)?.status === 'received');
    w.cu.moveStatus(taskId, 'in review');
    await eventually('in_review on the partner side', () => w.tg.state().cases.get(c.id)?.status === 'in_review');
    await settle(w);
    const cuBefore = cuCalls(w);
    await partnerSays(w, b.url, c.id, 'evt-oneway-2', 'escalated');
    await settle(w);
    expect(taskStatus(w, taskId)).toBe('in review');
    expect(cuCalls(w) - cuBefore).toBe(0);
  });
});
