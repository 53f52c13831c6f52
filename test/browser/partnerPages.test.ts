import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { haveChromium, launchChromium, signInToConsole } from '../helpers/chromium.ts';
import { eventually, postRolloutMarker, type World } from '../helpers/world.ts';
import {
  createEmailPartnerWorld,
  createNoEndpointEmailWorld,
  EDI_MAIL_PARTNER,
  GUS,
  MAIL_PARTNER,
  pageLink,
  waitForMail,
} from '../helpers/partnerEmailWorld.ts';
import type { TestSmtp } from '../helpers/smtpServer.ts';
import type { Bridge } from '../../src/server/bridge.ts';
import { getLink } from '../../src/store/ops/links.ts';
import { getFlowRecord } from '../../src/store/ops/flowRecords.ts';
import { signPageToken } from '../../src/channels/partner-email/pageToken.ts';

const ARTIFACTS = 'test-artifacts/partner-pages';
const ADMIN = 'browser-test-admin-token-partner-0123456789';
const UMA = 'uma@umbrella.example';

const withChromium = haveChromium('partner page browser tests');

let w: World;
let b: Bridge;
let smtp: TestSmtp;
let pagesKey: Buffer;
let close: () => Promise<void>;
let browser: Browser;

const shot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
const comments = (id: string): string[] => (w.cu.state.tasks.get(id)?.comments ?? []).map((c) => c.text);

describe.skipIf(!withChromium)('partner pages in Chromium, from the links in the received e-mails', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    ({ w, b, smtp, pagesKey, close } = await createEmailPartnerWorld({
      admin: { tokens: [{ name: 'ops', role: 'admin', token: ADMIN }], users: [] },
    }));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await close?.();
  });

  it('the partner comments on its case and uploads a document; the notice is acknowledged; both reach ClickUp once; the console shows what went out by which channel', async () => {
    const c = await w.tg.raiseCase({
      partnerId: MAIL_PARTNER,
      kind: 'shipment_exception',
      title: 'Damaged pallets on ASN 556',
    });
    const taskId = (await eventually('the case task', () => getLink(b.store.db, 'case', c.id))).cuTaskId;
    const mail = await waitForMail(smtp, UMA, /We received your case/);
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

    await page.goto(pageLink(mail));
    await page.locator('#status').waitFor();
    expect(await page.locator('h1').textContent()).toContain('Damaged pallets on ASN 556');
    expect(await page.locator('#status').textContent()).toBe('received');
    await shot(page, '01-case');
    await page.locator('#comment').fill('Photos of the damaged pallets follow; the driver signed with a remark.');
    await page.locator('#send-comment').click();
    await page.locator('#flash').waitFor();
    expect(await page.locator('#flash').textContent()).toContain('comment was received');
    const pdf = join(ARTIFACTS, 'damage-report.pdf');
    writeFileSync(pdf, '%PDF-1.4 damage report');
    await page.locator('#file').setInputFiles(pdf);
    await page.locator('#send-file').click();
    await page.locator('#flash').waitFor();
    expect(await page.locator('#flash').textContent()).toContain('document was received');
    expect(await page.locator('#history').textContent()).toContain('damage-report.pdf');
    await shot(page, '02-case-after-comment-and-upload');
    // Reloading the page after the POST is a GET: nothing is sent twice.
    await page.reload();
    await eventually('the partner comment on the task', () =>
      comments(taskId).some((x) => x.includes('Photos of the damaged pallets')),
    );
    await eventually('the partner document on the task', () =>
      ((w.cu.tasks().find((t) => t.id === taskId) as any)?.attachments ?? []).some(
        (a: any) => a.title === 'Partner - damage-report.pdf',
      ),
    );

    // Flow 8 from the notice e-mail.
    const marker = {
      id: await postRolloutMarker(
        w.cu,
        'Temperature log with every reefer ASN',
        'From 1 May every reefer ASN carries the temperature log.',
      ),
    };
    // A scan of its own (not this second's slot: the minute tick may have scanned in it before the marker existed).
    expect(await b.scheduler.runNow({ kind: 'rollouts.scan', cron: '* * * * *' })).not.toBeNull();
    b.dispatcher.wake();
    const notice = await waitForMail(smtp, UMA, /Please acknowledge: Temperature log/);
    await page.goto(pageLink(notice));
    await page.locator('#acknowledge').waitFor();
    await shot(page, '03-notice');
    await page.locator('#acknowledge').click();
    await page.locator('#acknowledged').waitFor();
    await shot(page, '04-notice-acknowledged');
    await eventually(
      'the acknowledgement counted',
      async () => (await getFlowRecord<any>(b.store.db, 'rollout', `cu:${marker.id}`))?.data.acks[MAIL_PARTNER],
    );
    expect(errors).toEqual([]);

    // The console: the case page lists the e-mails with their channel, and an admin can withdraw a link.
    const admin = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const ops = await admin.newPage();
    await signInToConsole(ops, b.url, ADMIN);
    await ops.goto(`${b.url}/ui/#/case/${encodeURIComponent(c.id)}`);
    await ops.locator('#partner-sends').waitFor();
    expect(await ops.locator('#partner-sends').textContent()).toMatch(
      /email.*We received your case.*uma@umbrella\.example.*sent/,
    );
    await shot(ops, '05-console-case-sends');
    await ops.locator('#partner-links button.revoke-link').first().click();
    await expect.poll(() => ops.locator('#toast').textContent()).toMatch(/withdrawn/);
    // The admin's session cookie is in this browser context: it does not open a withdrawn partner link.
    await ops.goto(pageLink(mail));
    await ops.locator('#refused').waitFor();
    expect(await ops.locator('#refused').textContent()).toContain('withdrawn');
    await admin.close();
    await ctx.close();
  });

  it("an expired, an altered and another partner's link are refused in the browser, and nothing can be posted with them", async () => {
    const c = await w.tg.raiseCase({ partnerId: MAIL_PARTNER, kind: 'dispute', title: 'Invoice 8841 price' });
    await eventually('the case task', () => getLink(b.store.db, 'case', c.id));
    const mail = await eventually('the received mail of the second case', () =>
      smtp.received.find((m) => m.parsed.subject?.includes(c.id)),
    );
    const good = pageLink(mail);
    const token = good.split('/p/')[1]!;
    const [v, body, sig] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const acme = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Acme private case' });
    await eventually('the Acme task', () => getLink(b.store.db, 'case', acme.id));
    const links = {
      expired: `${b.url}/p/${signPageToken(pagesKey, { jti: claims.j, partnerId: claims.p, entity: 'case', entityId: c.id, exp: Date.now() - 60_000 })}`,
      altered: `${b.url}/p/${v}.${Buffer.from(JSON.stringify({ ...claims, i: acme.id })).toString('base64url')}.${sig}`,
      otherPartner: `${b.url}/p/${signPageToken(pagesKey, { jti: claims.j, partnerId: 'P-ACME', entity: 'case', entityId: acme.id, exp: claims.x })}`,
    };
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    for (const [name, url] of Object.entries(links)) {
      const r = await page.goto(url);
      expect(r!.status(), name).toBe(name === 'expired' ? 410 : 403);
      await page.locator('#refused').waitFor();
      expect(await page.content(), name).not.toContain('Acme private case');
      await shot(page, `06-refused-${name}`);
    }
    expect((await page.request.post(`${links.altered}/comment`, { form: { body: 'x', nonce: 'n' } })).status()).toBe(
      403,
    );
    expect(
      await b.store.db.selectFrom('partner_actions').selectAll().where('entity_id', '=', acme.id).execute(),
    ).toEqual([]);
    // The good link still works.
    expect((await page.goto(good))!.status()).toBe(200);
    await ctx.close();
  });
});

describe.skipIf(!withChromium)('partner pages in Chromium with no community endpoint at all (flows 6 and 8)', () => {
  it('from the e-mailed link the partner makes a request in the browser, sees its decision, and acknowledges a notice, counted on the ClickUp rollout task', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const t = await createNoEndpointEmailWorld();
    const chrome = await launchChromium();
    try {
      const { w: world, b: bridge, smtp: mailbox, dir } = t;
      const { readFileSync, writeFileSync: write } = await import('node:fs');
      write(join(dir('in'), '214-at7.x12'), readFileSync(new URL('../fixtures/edi/214-at7.x12', import.meta.url)));
      expect(await bridge.scheduler.runNow({ kind: 'mailbox.scan', cron: '* * * * *' })).not.toBeNull();
      bridge.dispatcher.wake();
      const received = await waitForMail(mailbox, GUS, /We received your case/);
      const ctx = await chrome.newContext({ viewport: { width: 1100, height: 900 } });
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pageLink(received));
      await page.locator('#new-request').click();
      await page.locator('#request-form').waitFor();
      await page.locator('#request-kind').selectOption('pricing_exception');
      await page.locator('#request-summary').fill('Keep the 2026 rate for lane DE-PL');
      await page.locator('#request-details').fill('Volume doubles from March.');
      await page.locator('#request-amount').fill('1200');
      await shot(page, '07-new-request');
      await page.locator('#send-request').click();
      await page.locator('#flash').waitFor();
      const ref = /(PR-[0-9A-F]{10})/.exec((await page.locator('#flash').textContent()) ?? '')![1]!;
      const task = (await eventually('the approval task', () => getLink(bridge.store.db, 'approval', ref), 30_000))
        .cuTaskId;
      world.cu.postComment(task, '@partner Approved until the end of 2026.', 'dora.manager@gridbridge.example');
      world.cu.moveStatus(task, 'approved', 'dora.manager@gridbridge.example');
      const decision = await waitForMail(mailbox, GUS, /Decision on your request/);
      await page.goto(pageLink(decision));
      expect(await page.locator('#decision').textContent()).toBe('approved');
      expect(await page.locator('#decision-comments').textContent()).toContain('Approved until the end of 2026.');
      await shot(page, '08-request-decided');

      const marker = {
        id: await postRolloutMarker(
          world.cu,
          'Pallet height max 1.8 m',
          'From 1 April pallets above 1.8 m are refused.',
        ),
      };
      expect(await bridge.scheduler.runNow({ kind: 'rollouts.scan', cron: '* * * * *' })).not.toBeNull();
      bridge.dispatcher.wake();
      const notice = await waitForMail(mailbox, GUS, /Please acknowledge: Pallet height/);
      await page.goto(pageLink(notice));
      await page.locator('#acknowledge').click();
      await page.locator('#acknowledged').waitFor();
      await shot(page, '09-notice-acknowledged-no-endpoint');
      await eventually(
        'the acknowledgement on the rollout task',
        () =>
          ((world.cu.tasks().find((x) => x.id === marker.id) as any)?.checklists ?? [])
            .find((c: any) => c.name === 'Partner acknowledgements')
            ?.items.find((i: any) => i.name.includes(EDI_MAIL_PARTNER))?.resolved,
        30_000,
      );
      expect(errors).toEqual([]);
      expect(world.tg.state().notices.size).toBe(0);
      await ctx.close();
    } finally {
      await chrome.close();
      await t.close();
    }
  }, 120_000);
});
