import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createWorld, eventually, settle, type World } from '../helpers/world.ts';
import { getLink } from '../../src/store/ops/links.ts';
import { listHeldChanges } from '../../src/store/ops/partnerChanges.ts';
import type { Bridge } from '../../src/server/bridge.ts';
import { haveChromium, launchChromium, signInToConsole } from '../helpers/chromium.ts';

const ARTIFACTS = 'test-artifacts/console';
const ADMIN = 'mapping-health-admin-token-0123456789';
const withChromium = haveChromium('mapping health browser tests');

let world: World;
let bridge: Bridge;
let browser: Browser;
let caseId: string;

const signIn = (page: Page) => signInToConsole(page, bridge.url, ADMIN);

/**
 * What an operator sees in the console: on the case page, what reached the partner apart from what stayed
 * internal; on the health page, a status renamed on the approvals list and a case status the status map
 * does not know, each with the changes it holds.
 */
describe.skipIf(!withChromium)('the console shows what reached the partner and what the mapping holds', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    world = await createWorld();
    world.config.clickup.mapping_check_minutes = 0; // the renames below are read at the next check
    bridge = await world.startBridge({ admin: { tokens: [{ name: 'ops', role: 'admin', token: ADMIN }], users: [] } });
    const c = await world.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Credit note dispute' });
    caseId = c.id;
    const { cuTaskId } = await eventually('the task', () => getLink(bridge.store.db, 'case', c.id));
    await settle(world);
    world.cu.postComment(cuTaskId, 'Margin is thin here, keep it between us.', 'ana.ops@gridbridge.example');
    world.cu.postComment(cuTaskId, '@partner We credit the difference this week.', 'ana.ops@gridbridge.example');
    world.cu.addListStatus(world.cu.lists.cases, 'on hold');
    world.cu.moveStatus(cuTaskId, 'on hold', 'ana.ops@gridbridge.example');
    world.cu.renameListStatus(world.cu.lists.approvals, 'approved', 'accepted');
    await settle(world);
    await bridge.scheduler.enqueueSlot(
      { kind: 'clickup.webhook_health', cron: world.config.clickup.webhook.health_cron },
      Date.now() + 12_345,
    );
    await settle(world);
    await eventually('the held move', async () => (await listHeldChanges(bridge.store.db)).length === 1);
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  it('the case page lists the shared comment under "Sent to partner" with its rule, the internal one only in the timeline; the health page names the renamed status and the unmapped one with what they hold', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await ctx.newPage();
    await signIn(page);

    await page.goto(`${bridge.url}/ui/#/case/${encodeURIComponent(caseId)}`);
    await page.locator('#timeline').waitFor();
    const sent = (await page.locator('#sent-to-partner').textContent()) ?? '';
    // Two comments were made: one reached the partner, with the rule that let it through; the other stayed.
    expect(sent.match(/comment_to_partner/g)).toHaveLength(1);
    expect(sent).toMatch(/comment_to_partner by Ana Ops — allowed by sharing\.cases\.comments: starts with "@partner"/);
    expect(sent).not.toContain('kept_internal');
    expect(await page.locator('#timeline').textContent()).toMatch(/kept_internal/);
    await page.screenshot({ path: `${ARTIFACTS}/15-case-sent-to-partner.png`, fullPage: true });

    await page.locator('#nav a[data-view=health]').click();
    await page.locator('#nav a[data-view=health].active').waitFor();
    await page.locator('main:not([aria-busy]) h1').waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toMatch(/Mapping against our lists\s*1 renamed or missing in ClickUp, 0 change\(s\) held/);
    expect(text).toContain(`list ${world.cu.lists.approvals} has no status "approved"`);
    expect(text).toMatch(/ClickUp statuses the status map lacks\s*1 case status change\(s\) held: "on hold" \(1\)/);
    await page.screenshot({ path: `${ARTIFACTS}/16-health-mapping.png`, fullPage: true });

    // The Held page gives the held move's reason: what to add to the config.
    await page.locator('#nav a[data-view=held]').click();
    await page.locator('#nav a[data-view=held].active').waitFor();
    await page.locator('main:not([aria-busy]) h1').waitFor();
    const row = page.locator('#held tbody tr').first();
    expect(await row.textContent()).toMatch(/ClickUp status of task \w+ → "on hold"/);
    expect(await row.locator('.reason').textContent()).toContain('"on hold"');
    expect(await row.locator('.reason').textContent()).toContain('is not in clickup.status_map');
    await ctx.close();
  });
});
