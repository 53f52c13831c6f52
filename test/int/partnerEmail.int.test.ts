import { afterEach, describe, expect, it } from 'vitest';
import { anyJob } from '../helpers/anyJob.ts';
import type { ScheduledKind } from '../../src/sync/engineJobs.ts';
import { eventually, postRolloutMarker, type World } from '../helpers/world.ts';
import {
  createEmailPartnerWorld,
  createNoEndpointEmailWorld,
  EDI_MAIL_PARTNER,
  GUS,
  MAIL_PARTNER,
  mailsTo,
  pageLink,
  waitForMail,
} from '../helpers/partnerEmailWorld.ts';
import type { TestSmtp } from '../helpers/smtpServer.ts';
import type { Bridge } from '../../src/server/bridge.ts';
import { getLink } from '../../src/store/ops/links.ts';
import { getFlowRecord } from '../../src/store/ops/flowRecords.ts';
import { enqueueJobs } from '../../src/store/ops/enqueueJobs.ts';
import { listDeadLetters } from '../../src/store/ops/replayDeadLetter.ts';
import { listAudit } from '../../src/store/ops/audit.ts';
import { periodOf } from '../../src/core/metrics/period.ts';
import { signPageToken } from '../../src/channels/partner-email/pageToken.ts';

let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

const UMA = 'uma@umbrella.example';
const FINN = 'finn@umbrella.example';
type Task = Record<string, any>;
const taskById = (w: World, id: string): Task | undefined => w.cu.tasks().find((t) => t.id === id);
const cuComments = (w: World, id: string): string[] => (w.cu.state.tasks.get(id)?.comments ?? []).map((c) => c.text);

async function quiet(w: World, b: Bridge): Promise<void> {
  for (let i = 0; i < 2; i++) {
    await w.tg.idle();
    await w.cu.webhooksSettled();
    await eventually(
      'no job due',
      async () => {
        const n = await b.store.db
          .selectFrom('jobs')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('state', 'in', ['ready', 'running'])
          .where('run_at', '<=', Date.now() + 2500)
          .executeTakeFirst();
        return Number(n?.n ?? 0) === 0 && b.dispatcher.inFlightCount === 0;
      },
      20_000,
    );
  }
}

async function postForm(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
}

async function openCaseFor(w: World, b: Bridge, smtp: TestSmtp) {
  const c = await w.tg.raiseCase({ partnerId: MAIL_PARTNER, kind: 'dispute', title: 'Short shipment on PO 7781' });
  const taskId = (await eventually('the case task', () => getLink(b.store.db, 'case', c.id))).cuTaskId;
  const mail = await waitForMail(smtp, UMA, /We received your case/);
  return { c, taskId, mail };
}

describe('an e-mail partner, with no community API and no EDI map, in a full day of flows 2, 3, 6, 7 and 8', () => {
  it('every partner-facing message reaches it by e-mail with a page link, its page actions reach ClickUp once, and nothing partner-facing goes to the community API for it', async () => {
    const t = await createEmailPartnerWorld();
    close = t.close;
    const { w, b, smtp } = t;
    const db = b.store.db;

    // Flow 2: received, then a status with the @partner note; an internal comment is never sent.
    const { c, taskId, mail: received } = await openCaseFor(w, b, smtp);
    expect(received.parsed.text).toContain('Short shipment on PO 7781');
    w.cu.moveStatus(taskId, 'awaiting documents');
    await waitForMail(smtp, UMA, /is now: awaiting documents from you/);
    w.cu.postComment(taskId, '@partner Please send the signed delivery note for PO 7781.');
    w.cu.postComment(taskId, 'Internal: this carrier has been late three times.');
    const note = await waitForMail(smtp, UMA, /New comment on your case/);
    expect(note.parsed.text).toContain('Please send the signed delivery note for PO 7781.');
    expect(note.parsed.text).not.toContain('@partner');

    // Flow 3: a file marked for the partner by the sharing rules (here its name prefix) arrives attached; an internal one never.
    const credit = Buffer.from('%PDF-1.4 credit note 7781');
    w.cu.attachFile(taskId, {
      filename: 'internal-margin-calc.pdf',
      contentType: 'application/pdf',
      data: Buffer.from('%PDF-1.4 internal'),
    });
    w.cu.attachFile(taskId, { filename: 'partner-credit-note-7781.pdf', contentType: 'application/pdf', data: credit });
    const doc = await waitForMail(smtp, UMA, /A document for your case/);
    expect(doc.parsed.attachments.map((a) => a.filename)).toEqual(['partner-credit-note-7781.pdf']);
    expect(doc.parsed.attachments[0]!.content.equals(credit)).toBe(true);

    // The case page: status and the partner-visible history only; a comment and a document from the partner.
    const caseUrl = pageLink(doc);
    const page = await fetch(caseUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('awaiting documents from you');
    expect(html).toContain('Please send the signed delivery note');
    expect(html).toContain('credit-note-7781.pdf');
    expect(html).not.toContain('late three times');
    expect(html).not.toContain('internal-margin-calc');
    const nonce = /name="nonce" value="([\w-]+)"/.exec(html)![1]!;
    const posted = await postForm(`${caseUrl}/comment`, { nonce, body: 'Signed delivery note attached below.' });
    expect(posted.status).toBe(303);
    // The same form sent twice (a double click, a resubmitted POST) is one comment.
    expect((await postForm(`${caseUrl}/comment`, { nonce, body: 'Signed delivery note attached below.' })).status).toBe(
      303,
    );
    const form = new FormData();
    form.set('nonce', nonce);
    form.set('file', new Blob([Buffer.from('%PDF-1.4 signed POD')], { type: 'application/pdf' }), 'signed-pod.pdf');
    expect((await fetch(`${caseUrl}/upload`, { method: 'POST', body: form, redirect: 'manual' })).status).toBe(303);
    await quiet(w, b);
    expect(cuComments(w, taskId).filter((x) => x.includes('Signed delivery note attached below.'))).toHaveLength(1);
    expect(cuComments(w, taskId).find((x) => x.includes('Signed delivery note'))).toContain(
      'Partner comment from Umbrella Foods (uma@umbrella.example) via the partner page',
    );
    expect(taskById(w, taskId)!.attachments.map((a: any) => a.title)).toContain('Partner - signed-pod.pdf');
    // The partner's own file is not mailed back to it.
    expect(mailsTo(smtp, UMA, /signed-pod|internal-margin/)).toEqual([]);

    // Flow 6: the decision with the comments flagged for the partner, not the internal ones.
    const r = await w.tg.requestApproval({
      partnerId: MAIL_PARTNER,
      kind: 'pricing_exception',
      summary: 'Hold Q3 price on SKU 9902',
      details: 'Freight surcharge.',
      value: { amount: 4_000, currency: 'USD' },
    });
    const approvalTask = (await eventually('the approval task', () => getLink(db, 'approval', r.id))).cuTaskId;
    w.cu.postComment(
      approvalTask,
      '@partner Approved for Q3 only; list price again from Q4.',
      'dora.manager@gridbridge.example',
    );
    w.cu.postComment(approvalTask, 'Margin is thin but the account matters.', 'dora.manager@gridbridge.example');
    // Files on the approval task follow sharing.approvals.files (here the "partner-" name prefix): only the marked one goes, attached to the decision.
    const sheet = Buffer.from('%PDF-1.4 price sheet 9902');
    w.cu.attachFile(
      approvalTask,
      {
        filename: 'internal-margin-9902.pdf',
        contentType: 'application/pdf',
        data: Buffer.from('%PDF-1.4 internal margin'),
      },
      'dora.manager@gridbridge.example',
    );
    w.cu.attachFile(
      approvalTask,
      { filename: 'partner-price-sheet-9902.pdf', contentType: 'application/pdf', data: sheet },
      'dora.manager@gridbridge.example',
    );
    w.cu.moveStatus(approvalTask, 'approved', 'dora.manager@gridbridge.example');
    const decision = await waitForMail(smtp, UMA, /Decision on your request/);
    expect(decision.parsed.attachments.map((a) => a.filename)).toEqual(['partner-price-sheet-9902.pdf']);
    expect(decision.parsed.attachments[0]!.content.equals(sheet)).toBe(true);
    expect(mailsTo(smtp, UMA, /internal-margin-9902/)).toEqual([]);
    expect(
      (await listAudit(db, 'approval', r.id))
        .filter((a) => a.action === 'kept_internal' || a.action === 'document_to_partner')
        .map((a) => [a.action, JSON.parse(a.after!).name]),
    ).toEqual([
      ['kept_internal', 'internal-margin-9902.pdf'],
      ['document_to_partner', 'partner-price-sheet-9902.pdf'],
    ]);
    expect(decision.parsed.subject).toBe(`Decision on your request ${r.id}: approved`);
    expect(decision.parsed.text).toContain('Approved for Q3 only; list price again from Q4.');
    expect(decision.parsed.text).not.toContain('Margin is thin');
    const decisionPage = await (await fetch(pageLink(decision))).text();
    expect(decisionPage).toContain('approved');
    expect(decisionPage).toContain('Hold Q3 price on SKU 9902');

    // Flow 7: the period's scorecard to the finance contact, with its CSV.
    const period = periodOf(Date.now(), w.config.metrics.period_kind, w.config.calendar.time_zone).label;
    await enqueueJobs(
      db,
      [anyJob({ kind: 'metrics.push', key: `test:metrics:${period}`, payload: { slot: 1, period } })],
      Date.now(),
    );
    b.dispatcher.wake();
    const score = await waitForMail(smtp, FINN, /Your scorecard for/);
    expect(score.parsed.attachments[0]!.filename).toBe(`scorecard-${MAIL_PARTNER}-${period}.csv`);
    expect(score.parsed.attachments[0]!.content.toString()).toContain(`${MAIL_PARTNER},Umbrella Foods,${period}`);
    expect(await (await fetch(pageLink(score))).text()).toContain('Open cases');

    // Flow 8: the notice with its acknowledge link, a reminder while silent, the acknowledgement counted on the rollout.
    const marker = {
      id: await postRolloutMarker(
        w.cu,
        'Pallet labels: GS1-128 from March',
        'Every pallet needs a GS1-128 label from 1 March.',
      ),
    };
    const tick = async (kind: ScheduledKind) => {
      expect(await b.scheduler.runNow({ kind, cron: '* * * * *' })).not.toBeNull();
      b.dispatcher.wake();
      await quiet(w, b);
    };
    await tick('rollouts.scan');
    const notice = await waitForMail(smtp, UMA, /Please acknowledge: Pallet labels/);
    await tick('rollouts.remind');
    const reminder = await waitForMail(smtp, UMA, /Reminder: please acknowledge "Pallet labels/);
    const noticeUrl = pageLink(notice);
    expect(pageLink(reminder)).not.toBe(noticeUrl);
    const ackPage = await (await fetch(noticeUrl)).text();
    expect(ackPage).toContain('id="acknowledge"');
    expect((await postForm(`${noticeUrl}/ack`, { nonce: 'x' })).status).toBe(303);
    expect((await postForm(`${pageLink(reminder)}/ack`, { nonce: 'y' })).status).toBe(303);
    await quiet(w, b);
    const rollout = (await getFlowRecord<any>(db, 'rollout', `cu:${marker.id}`))!;
    expect(Object.keys(rollout.data.acks)).toEqual([MAIL_PARTNER]);
    const checklist = taskById(w, marker.id)!.checklists.find((x: any) => x.name === 'Partner acknowledgements');
    expect(checklist.items.find((i: any) => i.name.includes(MAIL_PARTNER)).resolved).toBe(true);
    expect(await (await fetch(noticeUrl)).text()).toContain('id="acknowledged"');

    // Nothing partner-facing for Umbrella went to the community API.
    await quiet(w, b);
    const tg = w.tg.state();
    expect(tg.cases.get(c.id)!.status).toBe('open');
    expect((tg.comments.get(c.id) ?? []).filter((x) => (x as any).author !== MAIL_PARTNER)).toEqual([]);
    expect(
      [...tg.documents.values()].filter((d: any) => d.meta.case_id === c.id && d.meta.uploaded_by === 'internal'),
    ).toEqual([]);
    expect(tg.requests.get(r.id)!.status).toBe('pending');
    expect(tg.scorecards.has(MAIL_PARTNER)).toBe(false);
    expect(
      [...tg.notices.values()].filter((n) => n.title.startsWith('Reminder:')).map((n) => n.audience),
    ).not.toContainEqual({ partner_ids: expect.arrayContaining([MAIL_PARTNER]) });

    // Every message once: one per kind and contact (the reminder aside, which is its own message).
    const subjects = smtp.received.map((m) => `${m.envelopeTo[0]} ${m.parsed.subject}`);
    expect(new Set(subjects).size).toBe(subjects.length);
    expect(await listDeadLetters(db)).toEqual([]);
    const actions = (await listAudit(db, 'case', c.id)).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'email_sent',
        'partner_page_viewed',
        'partner_page_comment',
        'partner_page_upload',
        'comment_to_clickup',
        'document_to_clickup',
      ]),
    );
  }, 120_000);

  it('a link that is altered, expired, revoked from the console, or for another partner is refused; the admin cookie opens nothing; every refusal is audited', async () => {
    const t = await createEmailPartnerWorld();
    close = t.close;
    const { w, b, smtp, pagesKey } = t;
    const db = b.store.db;
    const { c, mail } = await openCaseFor(w, b, smtp);
    const good = pageLink(mail);
    expect((await fetch(good)).status).toBe(200);
    const token = good.split('/p/')[1]!;
    const [v, body, sig] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());

    // Altered: the claims point at another partner, the old signature kept.
    const altered = `${v}.${Buffer.from(JSON.stringify({ ...claims, p: 'P-ACME' })).toString('base64url')}.${sig}`;
    const r1 = await fetch(`${b.url}/p/${altered}`);
    expect(r1.status).toBe(403);
    expect(await r1.text()).toContain('This link is not valid.');
    // Expired (signed with the real key, so only the expiry refuses it).
    const expired = signPageToken(pagesKey, {
      jti: claims.j,
      partnerId: claims.p,
      entity: 'case',
      entityId: c.id,
      exp: Date.now() - 1000,
    });
    expect((await fetch(`${b.url}/p/${expired}`)).status).toBe(410);
    // Another partner's case with a validly signed token of this partner (issued for this jti): refused.
    const acmeCase = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Acme only' });
    await eventually('the Acme task', () => getLink(db, 'case', acmeCase.id));
    const other = signPageToken(pagesKey, {
      jti: claims.j,
      partnerId: MAIL_PARTNER,
      entity: 'case',
      entityId: acmeCase.id,
      exp: claims.x,
    });
    expect((await fetch(`${b.url}/p/${other}`)).status).toBe(403);
    await db
      .insertInto('partner_tokens')
      .values({
        jti: 'forged-for-acme',
        partner_id: MAIL_PARTNER,
        entity: 'case',
        entity_id: acmeCase.id,
        recipient: null,
        created_at: Date.now(),
        expires_at: claims.x,
        revoked_at: null,
        revoked_by: null,
        last_used_at: null,
      })
      .execute();
    const issuedButNotTheirs = signPageToken(pagesKey, {
      jti: 'forged-for-acme',
      partnerId: MAIL_PARTNER,
      entity: 'case',
      entityId: acmeCase.id,
      exp: claims.x,
    });
    expect((await fetch(`${b.url}/p/${issuedButNotTheirs}`)).status).toBe(404);
    // A comment posted with an altered link is not stored.
    expect((await postForm(`${b.url}/p/${altered}/comment`, { nonce: 'n', body: 'sneaky' })).status).toBe(403);
    expect(await db.selectFrom('partner_actions').selectAll().execute()).toEqual([]);

    // The admin session cookie does not open a partner page, and a partner link does not open the admin API.
    const admin = await fetch(`${b.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'nope' }),
    });
    expect(admin.status).toBe(401);
    expect((await fetch(`${b.url}/p/not-a-token`, { headers: { cookie: 'gb_session=anything' } })).status).toBe(403);
    expect((await fetch(`${b.url}/api/cases`, { headers: { cookie: `x=${token}` } })).status).toBe(401);

    // Revoked from the console: refused from then on.
    const jti = claims.j as string;
    await db
      .updateTable('partner_tokens')
      .set({ revoked_at: Date.now(), revoked_by: 'test' })
      .where('jti', '=', jti)
      .execute();
    const r5 = await fetch(good);
    expect(r5.status).toBe(403);
    expect(await r5.text()).toContain('withdrawn');
    const refusals = (await listAudit(db, 'partner_page', 'refused')).map(
      (a) => JSON.parse(a.after!).reason ?? JSON.parse(a.after!).message,
    );
    expect(refusals).toEqual(
      expect.arrayContaining(['bad_signature', 'expired', 'claims_differ_from_issued', 'revoked', 'malformed']),
    );
  }, 60_000);
});

describe('an e-mail partner in a deployment with no community endpoint at all (tradinggrid.driver: mailbox)', () => {
  it('flows 2, 3, 6, 7 and 8 reach it by e-mail: an EDI-derived case, a request made on its page and decided in ClickUp, the scorecard, a notice acknowledged on its page that opens the rollout gate', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const t = await createNoEndpointEmailWorld();
    close = t.close;
    const { w, b, smtp, dir } = t;
    const db = b.store.db;
    expect(w.config.tradinggrid).toEqual({ driver: 'mailbox' });
    expect(w.config.flows.rollouts).toBeDefined();
    writeFileSync(
      join(dir('in'), '214-at7.x12'),
      readFileSync(new URL('../fixtures/edi/214-at7.x12', import.meta.url)),
    );
    expect(await b.scheduler.runNow({ kind: 'mailbox.scan', cron: '* * * * *' })).not.toBeNull();
    b.dispatcher.wake();

    // Flows 2 and 3.
    const link = await eventually(
      'the EDI case task',
      async () => (await db.selectFrom('links').selectAll().where('entity', '=', 'case').executeTakeFirst()) ?? null,
      30_000,
    );
    await waitForMail(smtp, GUS, /We received your case/);
    w.cu.moveStatus(link.cu_task_id!, 'awaiting documents');
    w.cu.postComment(link.cu_task_id!, '@partner Please resend the 214 with the corrected stop.');
    w.cu.attachFile(link.cu_task_id!, {
      filename: 'partner-carrier-note.pdf',
      contentType: 'application/pdf',
      data: Buffer.from('%PDF-1.4 carrier note'),
    });
    await waitForMail(smtp, GUS, /is now: awaiting documents/);
    const comment = await waitForMail(smtp, GUS, /New comment on your case/);
    expect(comment.parsed.text).toContain('Please resend the 214 with the corrected stop.');
    const doc = await waitForMail(smtp, GUS, /A document for your case/);
    expect(doc.parsed.attachments.map((a) => a.filename)).toEqual(['partner-carrier-note.pdf']);

    // Flow 7.
    const period = periodOf(Date.now(), w.config.metrics.period_kind, w.config.calendar.time_zone).label;
    await enqueueJobs(
      db,
      [anyJob({ kind: 'metrics.push', key: `test:edi-metrics:${period}`, payload: { slot: 1, period } })],
      Date.now(),
    );
    b.dispatcher.wake();
    const score = await waitForMail(smtp, GUS, /Your scorecard for/);
    expect(score.parsed.attachments[0]!.filename).toBe(`scorecard-${EDI_MAIL_PARTNER}-${period}.csv`);

    // The partner answers on its case page; the comment lands on the task once.
    const caseUrl = pageLink(comment);
    const html = await (await fetch(caseUrl)).text();
    const nonce = /name="nonce" value="([\w-]+)"/.exec(html)![1]!;
    expect((await postForm(`${caseUrl}/comment`, { nonce, body: 'Corrected 214 sent this morning.' })).status).toBe(
      303,
    );
    await eventually(
      'the page comment on the task',
      () => cuComments(w, link.cu_task_id!).some((x) => x.includes('Corrected 214 sent this morning.')),
      30_000,
    );

    // Flow 6 without the community API: the partner makes a request from its page (there is no other way in).
    expect(html).toContain('id="new-request"');
    const form = await fetch(`${caseUrl}/request`);
    expect(form.status).toBe(200);
    const formNonce = /name="nonce" value="([\w-]+)"/.exec(await form.text())![1]!;
    const request = {
      nonce: formNonce,
      kind: 'shipment_change',
      summary: 'Move the 12 May pickup to 14 May',
      details: 'Dock closed for inventory.',
      amount: '',
      currency: 'USD',
    };
    const sent = await postForm(`${caseUrl}/request`, request);
    expect(sent.status).toBe(303);
    const ref = /ref=(PR-[0-9A-F]{10})/.exec(sent.headers.get('location') ?? '')![1]!;
    // The same form sent again is the same request.
    expect((await postForm(`${caseUrl}/request`, request)).headers.get('location')).toContain(ref);
    expect(await (await fetch(`${caseUrl}?done=request&ref=${ref}`)).text()).toContain(
      `your request ${ref} was received`,
    );
    const approvalTask = (
      await eventually('the approval task of the page request', () => getLink(db, 'approval', ref), 30_000)
    ).cuTaskId;
    expect(taskById(w, approvalTask)!.name).toBe(
      '[Globex Logistics] Approve shipment change: Move the 12 May pickup to 14 May',
    );
    expect(w.cu.tasks().filter((x) => (x as Task).name?.includes('Move the 12 May pickup'))).toHaveLength(1);
    w.cu.postComment(approvalTask, '@partner Fine, the carrier confirmed 14 May.', 'dora.manager@gridbridge.example');
    w.cu.postComment(approvalTask, 'Costs us a second dock slot.', 'dora.manager@gridbridge.example');
    w.cu.moveStatus(approvalTask, 'approved', 'dora.manager@gridbridge.example');
    const decision = await waitForMail(smtp, GUS, /Decision on your request/);
    expect(decision.parsed.subject).toBe(`Decision on your request ${ref}: approved`);
    expect(decision.parsed.text).toContain('Move the 12 May pickup to 14 May');
    expect(decision.parsed.text).toContain('Fine, the carrier confirmed 14 May.');
    expect(decision.parsed.text).not.toContain('second dock slot');
    // A comment the rule shares, written after the decision, follows by e-mail once; an internal one never.
    w.cu.postComment(approvalTask, '@partner The new pickup window is 08:00-10:00.', 'dora.manager@gridbridge.example');
    w.cu.postComment(approvalTask, 'Tell the dock lead.', 'dora.manager@gridbridge.example');
    const later = await waitForMail(smtp, GUS, /New comment on your request/);
    expect(later.parsed.subject).toBe(`New comment on your request ${ref}`);
    expect(later.parsed.text).toContain('The new pickup window is 08:00-10:00.');
    expect(later.parsed.text).not.toContain('@partner');
    const requestPage = await (await fetch(pageLink(later))).text();
    expect(requestPage).toContain('id="decision">approved');
    expect(requestPage).toContain('The new pickup window is 08:00-10:00.');
    expect(requestPage).not.toContain('dock lead');

    // Flow 8 without the community API: the notice by e-mail, a reminder, the acknowledgement on the page, the gate.
    const marker = {
      id: await postRolloutMarker(w.cu, 'Carrier SCAC on every 214', 'From 1 June every 214 carries the SCAC in B2.'),
    };
    const tick = async (kind: ScheduledKind) => {
      expect(await b.scheduler.runNow({ kind, cron: '* * * * *' })).not.toBeNull();
      b.dispatcher.wake();
      await quiet(w, b);
    };
    await tick('rollouts.scan');
    const notice = await waitForMail(smtp, GUS, /Please acknowledge: Carrier SCAC/);
    const rollout0 = (await getFlowRecord<any>(db, 'rollout', `cu:${marker.id}`))!;
    expect(rollout0.data.recipients).toEqual([EDI_MAIL_PARTNER]);
    expect(rollout0.data.noticeId).toBe(`gb-notice:cu:${marker.id}`);
    await tick('rollouts.remind');
    await waitForMail(smtp, GUS, /Reminder: please acknowledge "Carrier SCAC/);
    const noticeUrl = pageLink(notice);
    expect(await (await fetch(noticeUrl)).text()).toContain('id="acknowledge"');
    expect((await postForm(`${noticeUrl}/ack`, { nonce: 'x' })).status).toBe(303);
    expect((await postForm(`${noticeUrl}/ack`, { nonce: 'y' })).status).toBe(303);
    await quiet(w, b);
    const rollout = (await getFlowRecord<any>(db, 'rollout', `cu:${marker.id}`))!;
    expect(Object.keys(rollout.data.acks)).toEqual([EDI_MAIL_PARTNER]);
    expect(
      taskById(w, marker.id)!
        .checklists.find((x: any) => x.name === 'Partner acknowledgements')
        .items.map((i: any) => [i.name, i.resolved]),
    ).toEqual([['Globex Logistics (P-GLOBEX)', true]]);
    expect(
      (await listAudit(db, 'rollout', `cu:${marker.id}`)).filter((a) => a.action === 'notice_acknowledged'),
    ).toHaveLength(1);
    const subs = w.cu.tasks().filter((x) => (x as Task).parent === marker.id) as Task[];
    for (const n of ['Training', 'Documentation updates', 'Testing'])
      w.cu.moveStatus(subs.find((x) => x.name.startsWith(n))!.id, 'live');
    await quiet(w, b);
    expect(taskById(w, marker.id)!.status.status).toBe('go-live ready');

    // Nothing called the community API, nothing dead-lettered, every message once.
    const tg = w.tg.state();
    expect(tg.notices.size).toBe(0);
    expect(tg.requests.size).toBe(0);
    expect(await listDeadLetters(db)).toEqual([]);
    const subjects = smtp.received.map((m) => `${m.envelopeTo[0]} ${m.parsed.subject}`);
    expect(new Set(subjects).size).toBe(subjects.length);
    expect(mailsTo(smtp, GUS).filter((m) => /dock lead|second dock slot/.test(m.parsed.text ?? ''))).toEqual([]);
  }, 180_000);
});
