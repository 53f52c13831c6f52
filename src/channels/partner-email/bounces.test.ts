// Bounces end to end over real SMTP both ways: the partner e-mail goes to the mail sandbox (src/sandbox/mail),
// which takes it, finds the address dead and sends a real RFC 3464 delivery report to the return path, routed
// to the bridge's bounce listener; the report is read, matched and recorded.
import { afterEach, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { parse as parseYaml } from 'yaml';
import { tempSqliteStore } from '../../../test/helpers/tempStore.ts';
import { eventually } from '../../../test/helpers/world.ts';
import { startMailCatcher } from '../../sandbox/mail/server.ts';
import { MINIMAL_CONFIG_YAML } from '../../config/minimalConfig.fixture.ts';
import { validateConfig } from '../../config/load.ts';
import { Dispatcher, type JobHandler } from '../../sync/dispatcher.ts';
import type { SyncContext } from '../../sync/context.ts';
import { startBounceInbox } from '../../connectors/email/bounceInbox.ts';
import { listAudit } from '../../store/ops/audit.ts';
import { listCaseTimeline } from '../../store/ops/timeline.ts';
import { getPartnerMessage } from '../../store/ops/partnerMessages.ts';
import { createBridgeMetrics } from '../../server/bridgeMetrics.ts';
import { buildPartnerChannel } from './setup.ts';
import { queuePartnerMail, type PartnerMail } from './outbox.ts';
import { partnerEmailHandler } from './sendHandlers.ts';
import { BounceRecorder } from './bounces.ts';

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const DEAD = 'erika@mailonly.example';
const RETURN_PATH = 'bounces@acme.example';

const mail = (caseId: string, n: number): PartnerMail<'case_status'> => ({
  partnerId: 'P-MAIL',
  kind: 'case_status',
  entity: 'case',
  entityId: caseId,
  key: `case_status:${caseId}:in_review:${n}`,
  facts: {
    caseRef: caseId,
    caseTitle: 'Short shipment',
    status: 'in_review',
    statusLabel: 'in review',
    received: false,
    note: null,
  },
});

async function world() {
  const catcher = await startMailCatcher({ deadAddresses: [DEAD] });
  cleanups.push(catcher.close);
  const tmp = await tempSqliteStore();
  cleanups.push(tmp.cleanup);
  const raw = parseYaml(MINIMAL_CONFIG_YAML);
  raw.partners = { map: { 'P-MAIL': { name: 'Mail Only GmbH' } } };
  raw.partner_channel = {
    partners: {
      'P-MAIL': { channels: ['email'], contacts: [{ name: 'Erika Muster', email: DEAD, role: 'ops' }] },
    },
    smtp: {
      host: catcher.host,
      port: catcher.port,
      security: 'none',
      from: 'Acme Partner Desk <partners@acme.example>',
    },
    bounces: { return_path: RETURN_PATH, listen_port: 0 },
  };
  const v = validateConfig(raw);
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  const built = buildPartnerChannel({
    section: v.config.partner_channel,
    pageKey: randomBytes(32),
    pagesBaseUrl: () => 'https://bridge.example',
    senderName: 'Acme',
  });
  cleanups.push(() => built.runtime.mailer?.close());
  const now = () => Date.UTC(2026, 11, 7, 9, 0);
  const ctx = {
    store: tmp.store,
    config: v.config,
    now,
    logger: pino({ level: 'silent' }),
    partnerChannel: built.runtime,
    wake: () => undefined,
  } as unknown as SyncContext;
  const d = new Dispatcher(
    tmp.store,
    new Map<string, JobHandler>([['partner.email', partnerEmailHandler(ctx) as JobHandler]]),
    {
      concurrency: 1,
      leaseMs: 10_000,
      pollMs: 10,
      backoffBaseMs: 1,
      backoffMaxMs: 5,
      now,
    },
  );
  const recorder = new BounceRecorder({ db: tmp.store.db, now });
  const section = v.config.partner_channel.bounces!;
  const inbox = await startBounceInbox({
    host: section.listen_host,
    port: section.listen_port,
    returnPath: section.return_path,
    maxBytes: section.max_bytes,
    take: (r) => recorder.take(r),
  });
  cleanups.push(inbox.close);
  catcher.routeReportsTo(inbox.host, inbox.port);
  const queue = (m: PartnerMail) => tmp.store.db.transaction().execute((trx) => queuePartnerMail(ctx, trx, m));
  const metrics = createBridgeMetrics({
    db: tmp.store.db,
    dispatcher: () => null,
    clickup: {
      rateLimitState: () => ({
        known: true,
        assumed: false,
        limit: 100,
        remaining: 100,
        resetAt: null,
        queued: 0,
        inFlight: 0,
        paceMs: 600,
        rateLimited: 0,
        issued: 0,
      }),
    },
    partnerBounces: () => recorder.counts,
  });
  return { catcher, db: tmp.store.db, d, recorder, inbox, queue, metrics };
}

it('a delivery report that arrives after the SMTP server took the mail marks it bounced, on the case timeline as a failed send, counted in /metrics; the address is not mailed again', async () => {
  const { catcher, db, d, recorder, inbox, queue, metrics } = await world();
  await queue(mail('C-1', 1));
  await d.runUntilIdle();
  // The server took it (250): as far as SMTP is concerned it was sent, with our return path as envelope sender.
  expect(catcher.caught).toHaveLength(1);
  expect(catcher.caught[0]!.mailFrom).toBe(RETURN_PATH);
  const key = (await db.selectFrom('partner_messages').select('key').executeTakeFirstOrThrow()).key;
  // Then the report comes back, a real multipart/report through real SMTP.
  const row = await eventually('the bounce recorded', async () => {
    const r = await getPartnerMessage(db, key);
    return r?.state === 'bounced' ? r : undefined;
  });
  // The sandbox notes a report once its SMTP answer came back, which is after the listener recorded it.
  await eventually('the sandbox done sending its report', () => catcher.reportsSent.length === 1 || undefined);
  expect(catcher.reportsSent[0]).toContain('report-type=delivery-status');
  // We sent the Message-ID as the ENVID (the sandbox offers DSN), and the report carries it back.
  expect(catcher.reportsSent[0]).toContain(`Original-Envelope-Id: ${row.message_id}`);
  expect(row.smtp_response).toMatch(
    /^bounced: 5\.1\.1 550 5\.1\.1 <erika@mailonly\.example>: Recipient address rejected/,
  );
  const bounced = (await listAudit(db, 'case', 'C-1')).filter((a) => a.action === 'email_bounced');
  expect(bounced).toHaveLength(1);
  expect(JSON.parse(bounced[0]!.after!)).toMatchObject({ to: DEAD, status: '5.1.1', messageId: row.message_id });
  const failedSend = (await listCaseTimeline(db, 'C-1')).filter((i) => i.kind === 'sent_to_partner');
  expect(failedSend).toEqual([
    expect.objectContaining({ status: 'fail', detail: expect.stringMatching(/^email_bounced/) }),
  ]);
  expect(await metrics.metrics()).toContain('gridbridge_partner_email_bounces_total{outcome="recorded"} 1');

  // The same report again (an MTA retrying its delivery): recorded once.
  await catcher.close();
  const { createTransport } = await import('nodemailer');
  const t = createTransport({ host: inbox.host, port: inbox.port, ignoreTLS: true });
  cleanups.push(() => t.close());
  await t.sendMail({ envelope: { from: '', to: [RETURN_PATH] }, raw: catcher.reportsSent[0]! });
  expect(recorder.counts).toEqual({ recorded: 1, ignored: 1 });
  expect((await listAudit(db, 'case', 'C-1')).filter((a) => a.action === 'email_bounced')).toHaveLength(1);

  // Mail for any other address than the return path is refused: the listener is no relay.
  await expect(
    t.sendMail({ envelope: { from: '', to: ['someone@else.example'] }, raw: 'Subject: x\r\n\r\nx' }),
  ).rejects.toThrow(/550/);

  // The next message to the dead address is withheld, not sent: nothing reaches the SMTP server.
  await queue(mail('C-2', 1));
  await d.runUntilIdle();
  expect(catcher.caught).toHaveLength(1);
  const second = await db
    .selectFrom('partner_messages')
    .selectAll()
    .where('entity_id', '=', 'C-2')
    .executeTakeFirstOrThrow();
  expect(second.state).toBe('failed');
  expect(second.smtp_response).toMatch(/^not sent: mail to erika@mailonly\.example bounced before/);
  expect((await listAudit(db, 'case', 'C-2')).map((a) => a.action)).toEqual(['email_withheld_address_bounced']);
  // Its job ran again (a replay): still nothing sent, the bounced message stays bounced.
  await db.updateTable('jobs').set({ state: 'ready', run_at: 0 }).execute();
  await d.runUntilIdle();
  expect(catcher.caught).toHaveLength(1);
  expect((await getPartnerMessage(db, key))?.state).toBe('bounced');
});

it('a report that is not a delivery status notification, or names no message of ours, changes nothing', async () => {
  const { db, recorder, queue, d } = await world();
  await queue(mail('C-3', 1));
  await d.runUntilIdle();
  expect(await recorder.take('From: a@b.example\r\nSubject: Out of office\r\n\r\nI am away.')).toMatchObject({
    kind: 'ignore',
    reason: 'not a delivery status notification',
  });
  const { deliveryReport } = await import('../../sandbox/mail/server.ts');
  const foreign = deliveryReport({
    reportingMta: 'mx.example',
    envelopeId: '<someone.else@other.example>',
    recipient: DEAD,
    originalHeaders: 'Message-ID: <someone.else@other.example>\r\nSubject: hi',
    arrival: new Date(),
  });
  expect((await recorder.take(foreign)).kind).toBe('ignore');
  expect(recorder.counts.recorded).toBe(0);
  expect((await db.selectFrom('partner_messages').select('state').executeTakeFirstOrThrow()).state).not.toBe('bounced');
});
