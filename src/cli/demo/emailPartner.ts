import { randomBytes } from 'node:crypto';
import type { ClickUpSandbox } from '../../sandbox/clickup/server.ts';
import type { TradingGridSandbox } from '../../sandbox/tradinggrid/index.ts';
import type { MailCatcher } from '../../sandbox/mail/server.ts';
import type { Bridge } from '../../server/bridge.ts';
import { getLink } from '../../store/ops/links.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { newJob } from '../../flows/catalogue.ts';
import { periodOf } from '../../core/metrics/period.ts';

export const EMAIL_PARTNER = 'P-HOOLI';
const CONTACT = 'hana@hooli-foods.example';
const FINANCE = 'felix@hooli-foods.example';
const PAGES_KEY_ENV = 'GRIDBRIDGE_DEMO_PARTNER_PAGES_KEY';

/** Hooli Foods has no community API and no EDI map: it is reached by e-mail and partner pages only. */
export function demoEmailPartnerConfig(mail: MailCatcher): Record<string, unknown> {
  process.env[PAGES_KEY_ENV] ??= randomBytes(32).toString('base64url');
  return {
    partner_channel: {
      partners: {
        [EMAIL_PARTNER]: {
          channels: ['email'],
          contacts: [
            { name: 'Hana Operations', email: CONTACT, role: 'operations' },
            { name: 'Felix Finance', email: FINANCE, role: 'finance' },
          ],
        },
      },
      roles: {
        operations: ['case_status', 'case_comment', 'case_document', 'decision', 'notice', 'notice_reminder'],
        finance: ['scorecard', 'decision'],
      },
      smtp: {
        host: mail.host,
        port: mail.port,
        security: 'none',
        from: 'Gridbridge Demo Partner Desk <partners@gridbridge.example>',
      },
      pages: { key: { env: PAGES_KEY_ENV } },
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  check: () => Promise<T | null | undefined> | T | null | undefined,
  timeoutMs = 30_000,
): Promise<T | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) return null;
    await sleep(50);
  }
}

/**
 * Night: Hooli Foods, a partner without an API, goes through flows 2, 3, 6, 7 and 8 by e-mail; the demo
 * prints every mail it was sent and the page link in it.
 */
export async function playEmailPartner(
  cu: ClickUpSandbox,
  tg: TradingGridSandbox,
  bridge: Bridge,
  mail: MailCatcher,
  quiet: () => Promise<void>,
): Promise<string[]> {
  const lines = [
    '',
    'Night: Hooli Foods has no community API and no EDI map; it gets e-mail with signed page links (partner_channel)…',
  ];
  await tg.addPartner({ id: EMAIL_PARTNER, name: 'Hooli Foods', tier: 'standard', status: 'active' });
  const c = await tg.raiseCase({ partnerId: EMAIL_PARTNER, kind: 'dispute', title: 'Short delivery on PO 9120' });
  const link = await until(() => getLink(bridge.store.db, 'case', c.id));
  if (!link) return [...lines, `  the Hooli case ${c.id} got no task in time; e-mail part skipped`];
  await quiet();
  cu.moveStatus(link.cuTaskId, 'in review', 'chen.it@gridbridge.example');
  cu.postComment(
    link.cuTaskId,
    "@partner We are checking the carrier's proof of delivery.",
    'chen.it@gridbridge.example',
  );
  cu.attachFile(
    link.cuTaskId,
    {
      filename: 'partner-credit-note-9120.pdf',
      contentType: 'application/pdf',
      data: Buffer.from('%PDF-1.4 demo credit note'),
    },
    'chen.it@gridbridge.example',
  );
  const req = await tg.requestApproval({
    partnerId: EMAIL_PARTNER,
    kind: 'shipment_change',
    summary: 'Deliver PO 9120 rest on Friday',
  });
  const approval = await until(() => getLink(bridge.store.db, 'approval', req.id));
  if (approval) {
    cu.postComment(approval.cuTaskId, '@partner Friday works; same dock.', 'dora.manager@gridbridge.example');
    cu.moveStatus(approval.cuTaskId, 'approved', 'dora.manager@gridbridge.example');
  }
  const cfg = bridge.ctx.config;
  const period = periodOf(Date.now(), cfg.metrics.period_kind, cfg.calendar.time_zone).label;
  await enqueueJobs(
    bridge.store.db,
    [newJob('metrics.push', { slot: 0, period }, { key: `demo:metrics:${period}` })],
    Date.now(),
  );
  const list = cu.lists.rollouts;
  const field = cu.state.lists.get(list)?.fieldIds.find((id) => cu.state.fields.get(id)?.name === 'Audience');
  if (field) {
    await fetch(`${cu.url}/v2/list/${list}/task`, {
      method: 'POST',
      headers: { authorization: cu.token, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Delivery notes signed on paper no longer accepted',
        description: 'From next month only e-signed delivery notes are accepted.',
        tags: ['rollout'],
        custom_fields: [{ id: field, value: EMAIL_PARTNER }],
      }),
    });
    await bridge.scheduler.runNow({ kind: 'rollouts.scan', cron: '* * * * *' });
  }
  bridge.dispatcher.wake();
  await quiet();
  await until(() => mail.caught.length >= 7, 20_000);
  // Flow 6 the partner's way: Hana makes a request on her page (no community request needed), it is decided
  // in ClickUp, and a comment shared after the decision follows by e-mail.
  const hanaLink = mail.caught.map((m) => /(https?:\/\/\S+\/p\/[\w.-]+)/.exec(m.text)?.[1]).find(Boolean);
  if (hanaLink) {
    const form = await (await fetch(`${hanaLink}/request`)).text();
    const nonce = /name="nonce" value="([\w-]+)"/.exec(form)?.[1] ?? 'demo';
    const sent = await fetch(`${hanaLink}/request`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({
        nonce,
        kind: 'document_correction',
        summary: 'Correct the unit price on invoice 9120',
        details: 'Billed 4.20, agreed 3.95.',
        amount: '250',
        currency: 'USD',
      }),
    });
    const ref = /ref=(PR-[0-9A-F]+)/.exec(sent.headers.get('location') ?? '')?.[1];
    lines.push(`  Hana's "new request" page: ${hanaLink}/request${ref ? ` (she sent request ${ref} there)` : ''}`);
    const pageReq = ref ? await until(() => getLink(bridge.store.db, 'approval', ref)) : null;
    if (pageReq) {
      cu.postComment(
        pageReq.cuTaskId,
        '@partner Agreed: a credit note for the difference follows.',
        'dora.manager@gridbridge.example',
      );
      cu.moveStatus(pageReq.cuTaskId, 'approved', 'dora.manager@gridbridge.example');
      if (await until(() => mail.caught.some((m) => m.subject.includes(`Decision on your request ${ref}`)), 20_000)) {
        cu.postComment(
          pageReq.cuTaskId,
          '@partner The credit note number is CN-9120-1.',
          'dora.manager@gridbridge.example',
        );
        await until(() => mail.caught.some((m) => m.subject.includes(`New comment on your request ${ref}`)), 20_000);
      }
    }
  }
  for (const m of mail.caught.filter((x) => x.to.some((t) => t.endsWith('@hooli-foods.example')))) {
    const url = /(https?:\/\/\S+\/p\/[\w.-]+)/.exec(m.text)?.[1] ?? '(no link)';
    const files = m.parsed.attachments.map((a) => a.filename).filter(Boolean);
    lines.push(
      `  to ${m.to.join(', ')}: "${m.subject}"${files.length ? ` [attached: ${files.join(', ')}]` : ''}`,
      `      ${url}`,
    );
  }
  const tgCase = tg.state().cases.get(c.id);
  lines.push(
    `  The community API got no status, comment, file, decision or scorecard for Hooli (its case there is still "${tgCase?.status ?? '?'}"). Open a link above: comment, upload, acknowledge; it reaches ClickUp once.`,
  );
  return lines;
}
