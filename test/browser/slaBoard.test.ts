import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createWorld, eventually, settle, type World } from '../helpers/world.ts';
import { raiseMorningCases } from '../../src/cli/demo/partnerDay.ts';
import { demoSlaConfig, playSlaEvening } from '../../src/cli/demo/slaEvening.ts';
import type { Bridge } from '../../src/server/bridge.ts';
import { haveChromium, launchChromium } from '../helpers/chromium.ts';

const ARTIFACTS = 'test-artifacts/console';
const ADMIN = 'sla-board-admin-token-0123456789';
const withChromium = haveChromium('SLA board browser tests');

let world: World;
let bridge: Bridge;
let browser: Browser;
let escalatedId: string;
const auth = { authorization: `Bearer ${ADMIN}` };

/**
 * The demo's evening: Acme's compliance case ages past its 3.6-second SLA and is escalated at level 1 to a
 * manager. The SLA board, the case page and the API read the rung, the manager, the escalation task and
 * the task's ClickUp status, which live beside the case record, not on it.
 */
describe.skipIf(!withChromium)("SLA board on the demo's escalated case", () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    world = await createWorld({ extra: demoSlaConfig() });
    bridge = await world.startBridge({ admin: { tokens: [{ name: 'ops', role: 'admin', token: ADMIN }], users: [] } });
    const cases = await raiseMorningCases(world.tg);
    await eventually(
      'the morning cases linked',
      async () => (await bridge.store.db.selectFrom('links').selectAll().execute()).length >= 3,
      20_000,
    );
    await settle(world);
    await playSlaEvening(world.tg, bridge, cases, () => settle(world));
    escalatedId = cases.find((c) => c.label === 'compliance issue')!.id;
    await eventually(
      'the escalation task',
      async () => {
        const r = (await (await fetch(`${bridge.url}/api/cases/${escalatedId}`, { headers: auth })).json()) as any;
        return r.case.escalation?.taskId;
      },
      20_000,
    );
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  it('/api/cases/{id} and /api/sla carry the rung, the manager, the escalation task and the ClickUp status', async () => {
    const one = (await (await fetch(`${bridge.url}/api/cases/${escalatedId}`, { headers: auth })).json()) as any;
    expect(one.case.escalation).toMatchObject({ level: 1, manager: expect.any(String) });
    expect(one.case.escalation.manager).not.toBe('(not routed yet)');
    expect(one.case.clickupStatus).toEqual(expect.any(String));
    const sla = (await (await fetch(`${bridge.url}/api/sla`, { headers: auth })).json()) as any;
    const row = sla.cases.find((c: any) => c.id === escalatedId);
    expect(row.manager).toBe(one.case.escalation.manager);
    expect(row.escalation.taskId).toBe(one.case.escalation.taskId);
    expect(row.clickupStatus).toBe(one.case.clickupStatus);
    expect(sla.byManager.map((g: any) => g.key)).toContain(one.case.escalation.manager);
  });

  it('the SLA board and the case page show them', async () => {
    const one = (await (await fetch(`${bridge.url}/api/cases/${escalatedId}`, { headers: auth })).json()) as any;
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${bridge.url}/ui`);
    await page.locator('#token').fill(ADMIN);
    await page.locator('#sign-in').click();
    await page.locator('#cases').waitFor();
    await page.locator('#nav a[data-view=sla]').click();
    await page.locator('#sla-cases').waitFor();
    const row = page.locator('#sla-cases tr', { hasText: escalatedId });
    expect(await row.locator('td.manager').textContent()).toBe(one.case.escalation.manager);
    expect(await row.locator('td.rung').textContent()).toContain('level 1');
    expect(await row.locator('td.rung').textContent()).toContain(`escalation task ${one.case.escalation.taskId}`);
    expect(await row.locator('.cu-status').textContent()).toBe(one.case.clickupStatus);
    await page.screenshot({ path: `${ARTIFACTS}/12-sla-escalated.png`, fullPage: true });
    await page.goto(`${bridge.url}/ui/#/case/${encodeURIComponent(escalatedId)}`);
    await page.locator('#escalation').waitFor();
    expect(await page.locator('#escalation').textContent()).toContain(`level 1 → ${one.case.escalation.manager}`);
    expect(await page.locator('.cu-status').first().textContent()).toContain(one.case.clickupStatus);
    await page.screenshot({ path: `${ARTIFACTS}/13-case-escalated.png`, fullPage: true });
  });
});
