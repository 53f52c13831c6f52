import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type World } from '../helpers/world.ts';
import { signTgEvent } from '../../bench/signedEvents.ts';
import { getLink } from '../../src/store/ops/links.ts';
import { listDeadLetters } from '../../src/store/ops/replayDeadLetter.ts';
import type { Bridge } from '../../src/server/bridge.ts';

// A case's events share one queue key and run in id order. The Trading Grid sandbox reorders webhooks (and
// the poll may record case.opened late), so a comment or a document of a new case can be queued before
// the case's own case.opened. A job behind it waits while it is unfinished: were it to wait for the task
// that only case.opened makes, neither would ever run (the comment dead-letters, then the task comes without it).

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

async function orderedWorld(): Promise<{ w: World; b: Bridge; post: (ev: unknown) => Promise<void> }> {
  const w = await createWorld();
  world = w;
  const b = await w.startBridge();
  w.tg.setWebhookUrl(undefined); // events reach the bridge only when the test posts them, in its order
  const post = async (ev: unknown) => {
    const s = signTgEvent(ev as never, w.tg.webhookSecret);
    expect(
      (await fetch(`${b.url}/webhooks/tradinggrid`, { method: 'POST', headers: s.headers, body: s.body })).status,
    ).toBe(202);
  };
  return { w, b, post };
}

const quiet = (b: Bridge) =>
  eventually(
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
    15_000,
  );

const event = (w: World, type: string, match: (data: any) => boolean) =>
  w.tg.state().events.find((e) => e.type === type && match(e.data))!;

describe("a case's event queued before its case.opened", () => {
  it('a partner comment: the case gets its task, the comment lands on it once, nothing dead-letters', async () => {
    const { w, b, post } = await orderedWorld();
    const c = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Comment first' });
    await w.tg.addCaseComment(c.id, { body: 'Delivered short by two pallets', author: 'Jane (Acme)' });
    const comment = (w.tg.state().comments.get(c.id) ?? []).find((x) => x.body === 'Delivered short by two pallets')!;
    await post(event(w, 'case.comment_added', (d) => d.id === comment.id));
    await post(event(w, 'case.opened', (d) => d.id === c.id));
    const link = await eventually('the task', () => getLink(b.store.db, 'case', c.id));
    const commentsOnTask = async () =>
      (
        (await (
          await fetch(`${w.cu.url}/v2/task/${link.cuTaskId}/comment`, { headers: { authorization: w.cu.token } })
        ).json()) as { comments: Array<{ comment_text: string }> }
      ).comments.filter((x) => x.comment_text.includes('Delivered short by two pallets'));
    await eventually('the comment on the task', async () => (await commentsOnTask()).length > 0);
    // The same two events again (a redelivery, the poll's copy): nothing more.
    await post({ ...event(w, 'case.comment_added', (d) => d.id === comment.id), id: 'again-comment' });
    await post({ ...event(w, 'case.opened', (d) => d.id === c.id), id: 'again-opened' });
    await quiet(b);
    expect(await commentsOnTask()).toHaveLength(1);
    const tasksOfCase = w.cu
      .tasks()
      .filter((t: any) => (t.custom_fields ?? []).some((f: any) => f.name === 'TG case id' && f.value === c.id));
    expect(tasksOfCase).toHaveLength(1);
    expect(await listDeadLetters(b.store.db)).toEqual([]);
  });

  it('a partner document: the case gets its task with the file once, nothing dead-letters', async () => {
    const { w, b, post } = await orderedWorld();
    const c = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Document first' });
    await w.tg.uploadDocument(c.id, {
      name: 'pod.pdf',
      kind: 'other',
      contentType: 'application/pdf',
      content: Buffer.from('%PDF proof of delivery'),
    });
    await post(event(w, 'document.added', (d) => d.case_id === c.id));
    await post(event(w, 'case.opened', (d) => d.id === c.id));
    const link = await eventually('the task', () => getLink(b.store.db, 'case', c.id));
    const attachments = () => ((w.cu.tasks().find((t) => t.id === link.cuTaskId) as any)?.attachments ?? []) as any[];
    await eventually('the file on the task', () => attachments().length > 0);
    await quiet(b);
    expect(attachments()).toHaveLength(1);
    expect(await listDeadLetters(b.store.db)).toEqual([]);
  });
});
