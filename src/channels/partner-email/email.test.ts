import { afterEach, beforeEach, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { parse as parseYaml } from 'yaml';
import { startTestSmtp, type TestSmtp } from '../../../test/helpers/smtpServer.ts';
import { storesUnderTest, type StoreKind } from '../../../test/helpers/pgStore.ts';
import { MINIMAL_CONFIG_YAML } from '../../config/minimalConfig.fixture.ts';
import { validateConfig } from '../../config/load.ts';
import { Dispatcher, type JobHandler } from '../../sync/dispatcher.ts';
import type { SyncContext } from '../../sync/context.ts';
import { buildPartnerChannel } from './setup.ts';
import { queuePartnerMail, type PartnerMail } from './outbox.ts';
import { partnerDigestHandler, partnerEmailHandler } from './sendHandlers.ts';
import { listDeadLetters } from '../../store/ops/replayDeadLetter.ts';
import { listAudit } from '../../store/ops/audit.ts';
import { verifyPageToken } from './pageToken.ts';

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});
const stores = await storesUnderTest('src/channels/partner-email/email.test.ts');
let kind: StoreKind = 'sqlite';

const pageKey = randomBytes(32);

async function setup(smtp: TestSmtp, extra: Record<string, unknown> = {}, clock = { t: Date.UTC(2026, 11, 7, 9, 0) }) {
  const tmp = await stores.make(kind);
  const raw = parseYaml(MINIMAL_CONFIG_YAML);
  raw.partners = { map: { 'P-MAIL': { name: 'Mail Only GmbH' } } };
  raw.partner_channel = {
    partners: {
      'P-MAIL': {
        channels: ['email'],
        contacts: [
          { name: 'Erika Muster', email: 'erika@mailonly.example', role: 'ops' },
          { name: 'Fritz Finance', email: 'fritz@mailonly.example', role: 'finance' },
        ],
      },
    },
    roles: {
      ops: ['case_status', 'case_comment', 'case_document', 'notice', 'notice_reminder', 'decision'],
      finance: ['scorecard', 'decision'],
    },
    ...extra,
    smtp: {
      host: '127.0.0.1',
      port: smtp.port,
      security: 'none',
      from: 'Acme Partner Desk <partners@acme.example>',
      timeout_ms: 2000,
      ...(extra['smtp'] as object),
    },
  };
  const v = validateConfig(raw);
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  const built = buildPartnerChannel({
    section: v.config.partner_channel,
    smtpPassword: 's3cret',
    pageKey,
    pagesBaseUrl: () => 'https://bridge.example',
    senderName: 'Acme',
  });
  expect(built.problems).toEqual([]);
  cleanups.push(async () => built.runtime.mailer?.close());
  const ctx = {
    store: tmp.store,
    config: v.config,
    now: () => clock.t,
    logger: pino({ level: 'silent' }),
    partnerChannel: built.runtime,
    wake: () => undefined,
  } as unknown as SyncContext;
  const d = new Dispatcher(
    tmp.store,
    new Map<string, JobHandler>([
      ['partner.email', partnerEmailHandler(ctx) as JobHandler],
      ['partner.digest', partnerDigestHandler(ctx) as JobHandler],
    ]),
    { concurrency: 4, leaseMs: 10_000, pollMs: 10, backoffBaseMs: 1, backoffMaxMs: 5, now: () => clock.t },
  );
  const queue = (m: PartnerMail) => tmp.store.db.transaction().execute((trx) => queuePartnerMail(ctx, trx, m));
  return { ctx, d, db: tmp.store.db, clock, queue };
}

const statusMail: PartnerMail<'case_status'> = {
  partnerId: 'P-MAIL',
  kind: 'case_status',
  entity: 'case',
  entityId: 'C-77',
  key: 'case_status:C-77:in_review:1',
  facts: {
    caseRef: 'C-77',
    caseTitle: 'Short shipment PO 4711',
    status: 'in_review',
    statusLabel: 'in review',
    received: false,
    note: 'We are checking <the> ASN & the invoice.',
  },
};

stores.describeStores('partner e-mail over a real SMTP server (%s store)', (k) => {
  beforeEach(() => {
    kind = k;
  });
  it('a status change goes to the contacts whose role receives it: headers, text and HTML bodies, a signed page link', async () => {
    const smtp = await startTestSmtp();
    cleanups.push(smtp.close);
    const { d, db, queue } = await setup(smtp);
    expect(await queue(statusMail)).toBe(1);
    await d.runUntilIdle();
    expect(smtp.received).toHaveLength(1);
    const m = smtp.received[0]!;
    expect(m.envelopeTo).toEqual(['erika@mailonly.example']);
    expect(m.parsed.subject).toBe('Your case C-77 is now: in review');
    expect(m.parsed.from?.value).toEqual([{ name: 'Acme Partner Desk', address: 'partners@acme.example' }]);
    expect(m.parsed.messageId).toMatch(/^<gb\.[0-9a-f]{32}@acme\.example>$/);
    expect(m.parsed.headers.get('x-gridbridge-partner')).toBe('P-MAIL');
    expect(m.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(m.parsed.text).toContain('We are checking <the> ASN & the invoice.');
    expect(m.parsed.html).toContain('We are checking &lt;the&gt; ASN &amp; the invoice.');
    const link = /https:\/\/bridge\.example\/p\/(\S+)/.exec(m.parsed.text!)![1]!;
    const check = verifyPageToken(pageKey, link, Date.now());
    expect(check).toMatchObject({ ok: true, claims: { partnerId: 'P-MAIL', entity: 'case', entityId: 'C-77' } });
    const row = await db.selectFrom('partner_messages').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'sent', attempts: 1, recipient: 'erika@mailonly.example' });
    expect(row.smtp_response).toContain('OK queued as T1');
    expect((await listAudit(db, 'case', 'C-77')).map((a) => a.action)).toEqual(['email_sent']);
  });

  it('queued twice and its job run again after success, the message is sent once', async () => {
    const smtp = await startTestSmtp();
    cleanups.push(smtp.close);
    const { d, db, queue } = await setup(smtp);
    await queue(statusMail);
    await queue(statusMail);
    await d.runUntilIdle();
    // The job is made ready again as a crash after the commit's sibling would (same key, same row).
    await db.updateTable('jobs').set({ state: 'ready', run_at: 0 }).execute();
    await d.runUntilIdle();
    expect(smtp.received).toHaveLength(1);
  });

  it('a crash after the server accepted but before we recorded it: the run after sends again with the same Message-ID, and says so', async () => {
    const smtp = await startTestSmtp();
    cleanups.push(smtp.close);
    const { d, db, queue } = await setup(smtp);
    await queue(statusMail);
    await d.runUntilIdle();
    // The state the crash leaves: the row was marked "sending" before the hand-over, the outcome never recorded.
    await db.updateTable('partner_messages').set({ state: 'sending' }).execute();
    await db.updateTable('jobs').set({ state: 'ready', run_at: 0 }).execute();
    await d.runUntilIdle();
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received[1]!.parsed.messageId).toBe(smtp.received[0]!.parsed.messageId);
    expect((await listAudit(db, 'case', 'C-77')).map((a) => a.action)).toEqual([
      'email_sent',
      'email_resent_after_uncertain_outcome',
    ]);
  });

  it('a server answering 451 twice and then accepting: the message is retried and delivered once', async () => {
    const smtp = await startTestSmtp();
    cleanups.push(smtp.close);
    smtp.script.push(451, 451);
    const { d, db, queue } = await setup(smtp);
    await queue(statusMail);
    await d.runUntilIdle();
    for (let i = 0; i < 50 && smtp.received.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 10)); // sleep-ok: the poll interval of a loop that waits for the delivery
      await db.updateTable('jobs').set({ run_at: 0 }).where('state', '=', 'ready').execute();
      await d.runUntilIdle();
    }
    expect(smtp.attempts).toBe(3);
    expect(smtp.received).toHaveLength(1);
    expect(await db.selectFrom('partner_messages').select(['state', 'attempts']).executeTakeFirstOrThrow()).toEqual({
      state: 'sent',
      attempts: 3,
    });
    expect(await listDeadLetters(db)).toHaveLength(0);
  });

  it('a server refusing for good (550): one attempt, the job is a dead letter carrying the server answer', async () => {
    const smtp = await startTestSmtp({ always: 550 });
    cleanups.push(smtp.close);
    const { d, db, queue } = await setup(smtp);
    await queue(statusMail);
    await d.runUntilIdle();
    expect(smtp.attempts).toBe(1);
    const dead = await listDeadLetters(db);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.error).toContain('550');
    expect(dead[0]!.error).toContain('5.1.1 user unknown');
    expect(
      await db.selectFrom('partner_messages').select(['state', 'smtp_response']).executeTakeFirstOrThrow(),
    ).toMatchObject({ state: 'failed', smtp_response: expect.stringContaining('5.1.1 user unknown') });
  });

  it('SMTP auth: the password from its SecretRef is used, and a wrong one is a permanent failure with the server answer', async () => {
    const smtp = await startTestSmtp({ user: 'bridge', password: 's3cret' });
    cleanups.push(smtp.close);
    const ok = await setup(smtp, { smtp: { user: 'bridge', password: { env: 'UNUSED_IN_TEST' } } });
    await ok.queue(statusMail);
    await ok.d.runUntilIdle();
    expect(smtp.received).toHaveLength(1);
    const bad = await startTestSmtp({ user: 'bridge', password: 'other' });
    cleanups.push(bad.close);
    const refused = await setup(bad, { smtp: { user: 'bridge', password: { env: 'UNUSED_IN_TEST' } } });
    await refused.queue(statusMail);
    await refused.d.runUntilIdle();
    expect((await listDeadLetters(refused.db))[0]?.error).toMatch(/535/);
  });

  it('the scorecard goes to the finance role with its CSV attached; a shared file is attached with its bytes', async () => {
    const smtp = await startTestSmtp();
    cleanups.push(smtp.close);
    const { d, db, queue, clock } = await setup(smtp);
    await queue({
      partnerId: 'P-MAIL',
      kind: 'scorecard',
      entity: 'scorecard',
      entityId: 'P-MAIL:2026-11',
      key: 'scorecard:P-MAIL:2026-11',
      facts: {
        period: '2026-11',
        resolvedCases: 4,
        avgResolutionHours: 12.5,
        openCases: 1,
        overdueTasks: 0,
        slaMetPct: 75,
        csv: 'partner_id,period\r\nP-MAIL,2026-11\r\n',
      },
    });
    const pdf = Buffer.from('%PDF-1.4 corrected invoice');
    await db
      .insertInto('partner_files')
      .values({
        case_id: 'C-77',
        sha256: 'abc',
        name: 'invoice-corrected.pdf',
        content_type: 'application/pdf',
        size_bytes: pdf.length,
        content: pdf,
        created_at: clock.t,
      })
      .execute();
    await queue({
      partnerId: 'P-MAIL',
      kind: 'case_document',
      entity: 'case',
      entityId: 'C-77',
      key: 'doc:C-77:abc',
      facts: {
        caseRef: 'C-77',
        caseTitle: 'Short shipment',
        fileName: 'invoice-corrected.pdf',
        sha256: 'abc',
        contentType: 'application/pdf',
        sizeBytes: pdf.length,
      },
    });
    await d.runUntilIdle();
    const score = smtp.received.find((m) => m.envelopeTo[0] === 'fritz@mailonly.example')!;
    expect(score.parsed.subject).toBe('Your scorecard for 2026-11');
    expect(score.parsed.attachments.map((a) => [a.filename, a.contentType, a.content.toString()])).toEqual([
      ['scorecard-P-MAIL-2026-11.csv', 'text/csv', 'partner_id,period\r\nP-MAIL,2026-11\r\n'],
    ]);
    const doc = smtp.received.find((m) => m.parsed.subject?.startsWith('A document'))!;
    expect(doc.envelopeTo).toEqual(['erika@mailonly.example']);
    expect(doc.parsed.attachments[0]!.content.equals(pdf)).toBe(true);
    expect(doc.parsed.text).toContain('It is attached to this message.');
  });

  it('with the digest on, the messages of one window go out as one mail when the window ends; notices never wait', async () => {
    const smtp = await startTestSmtp();
    cleanups.push(smtp.close);
    const { d, queue, clock } = await setup(smtp, { digest: { enabled: true, window_minutes: 60 } });
    await queue(statusMail);
    await queue({
      ...statusMail,
      key: 'case_status:C-77:resolved:2',
      facts: { ...statusMail.facts, status: 'resolved', statusLabel: 'resolved', note: null },
    });
    await queue({
      partnerId: 'P-MAIL',
      kind: 'notice',
      entity: 'rollout',
      entityId: 'R-1',
      key: 'notice:R-1',
      facts: {
        rolloutId: 'R-1',
        title: 'New ASN rules',
        body: 'From January, send the ASN before the truck leaves.',
        effectiveAt: '2027-01-01',
      },
    });
    await d.runUntilIdle();
    expect(smtp.received.map((m) => m.parsed.subject)).toEqual(['Please acknowledge: New ASN rules']);
    clock.t += 60 * 60_000;
    await d.runUntilIdle();
    expect(smtp.received).toHaveLength(2);
    const digest = smtp.received[1]!;
    expect(digest.parsed.subject).toBe('2 updates for Mail Only GmbH');
    expect(digest.parsed.text).toContain('Your case C-77 is now: in review');
    expect(digest.parsed.text).toContain('Your case C-77 is now: resolved');
  });
});
