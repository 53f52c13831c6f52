import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createWorld, eventually, type World } from '../helpers/world.ts';
import { raiseMorningCases } from '../../src/cli/demo/partnerDay.ts';
import { listDeadLetters } from '../../src/store/ops/replayDeadLetter.ts';
import { recordTimeline } from '../../src/store/ops/timeline.ts';
import type { Bridge } from '../../src/server/bridge.ts';
import { haveChromium, launchChromium, signInToConsole } from '../helpers/chromium.ts';

const ARTIFACTS = 'test-artifacts/console';
const ADMIN = 'browser-test-admin-token-0123456789';
const VIEWER = 'browser-test-viewer-token-0123456789';

const withChromium = haveChromium('console browser tests');

let world: World;
let bridge: Bridge;
let browser: Browser;
let restoreOption: () => void;
let badCaseId: string;

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
}

const signIn = (page: Page, token: string) => signInToConsole(page, bridge.url, token);

describe.skipIf(!withChromium)('operations console in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    world = await createWorld();
    bridge = await world.startBridge({
      admin: {
        tokens: [
          { name: 'ops', role: 'admin', token: ADMIN },
          { name: 'auditor', role: 'read_only', token: VIEWER },
        ],
        users: [],
      },
    });
    // An issue type ClickUp does not offer: the EDI exception case fails for good and becomes a dead letter.
    const field = bridge.ctx.fields.field(world.config.clickup.list_id, 'issue_type') as any;
    const options = field.type_config.options;
    field.type_config.options = options.filter((o: any) => (o.name ?? o.label) !== 'edi exception');
    restoreOption = () => (field.type_config.options = options);
    const cases = await raiseMorningCases(world.tg);
    badCaseId = cases.find((c) => c.label === 'EDI exception')!.id;
    await eventually(
      'the dead letter of the EDI exception case',
      async () => (await listDeadLetters(bridge.store.db)).find((d) => d.key === `cu.create_task:${badCaseId}`),
      20_000,
    );
    await eventually(
      'the other cases linked',
      async () => (await bridge.store.db.selectFrom('links').selectAll().execute()).length >= 3,
      20_000,
    );
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  it('an operator signs in, finds a case, opens its timeline, and replays a dead letter that then succeeds', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await ctx.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(e.message));

    await page.goto(`${bridge.url}/ui`);
    await page.locator('form.signin').waitFor();
    await shot(page, '01-sign-in');
    await page.locator('#token').fill('not-the-token-at-all');
    await page.locator('#sign-in').click();
    await expect.poll(() => page.locator('form.signin .error').textContent()).toMatch(/refused/);

    await page.locator('#token').fill(ADMIN);
    await page.locator('#sign-in').click();
    await page.locator('#cases').waitFor();
    expect(await page.locator('#who').textContent()).toContain('token:ops');
    await shot(page, '02-cases');

    // Find a case by its purchase order number.
    await page.locator('input[name=q]').fill('4500012345');
    await page.locator('form.filters button[type=submit]').click();
    await expect.poll(() => page.locator('#cases tbody tr').count()).toBe(1);
    const row = page.locator('#cases tbody tr').first();
    expect(await row.textContent()).toContain('Acme Retail');
    await shot(page, '03-case-search');
    // A job of the case parked with it (outcome 'wait', as the timeline recorder writes it).
    const caseId = (await row.locator('a.caseid').textContent())!;
    await recordTimeline(bridge.store.db, [
      {
        caseId,
        at: Date.now(),
        kind: 'decision',
        detail: 'clickup.set_status — attempt 1/10 — parked until its case can take it',
        status: 'wait',
        durationMs: 3,
        jobId: null,
      },
    ]);
    await row.locator('a.caseid').click();
    await page.locator('#timeline').waitFor();
    // Parked: a paused look (muted, dashed), neither the green of done nor the red of a failure.
    const parked = page.locator('#timeline li.st-wait');
    expect(await parked.locator('.icon').textContent()).toBe('⏸');
    expect(await parked.locator('.pill').getAttribute('class')).toBe('pill muted');
    expect(
      await parked.locator('.icon').evaluate((e) => {
        // In the page: the browser's getComputedStyle (this file is typed for Node).
        const st = (
          globalThis as unknown as {
            getComputedStyle(x: unknown): Record<'borderTopStyle' | 'borderTopColor' | 'color', string>;
          }
        ).getComputedStyle(e);
        return [st.borderTopStyle, st.borderTopColor, st.color];
      }),
    ).toEqual(['dashed', 'rgb(101, 109, 118)', 'rgb(101, 109, 118)']);
    const timeline = await page.locator('#timeline').textContent();
    expect(timeline).toMatch(/received Trading Grid case\.opened/);
    expect(timeline).toMatch(/ClickUp: create task/);
    expect(timeline).toMatch(/ClickUp: upload attachment/);
    expect(timeline).toMatch(/task_created/);
    await shot(page, '04-case-timeline');

    // Fix the cause, then replay from the console.
    restoreOption();
    await page.locator('#nav a[data-view=dead-letters]').click();
    await page.locator('#dead-letters').waitFor();
    const dlRow = page.locator('#dead-letters tbody tr', { hasText: badCaseId });
    expect(await dlRow.textContent()).toMatch(/is not an option of drop-down field "Issue type"/);
    await dlRow.locator('details summary').click();
    await shot(page, '05-dead-letters');
    await dlRow.locator('details summary').click();
    await dlRow.locator('button.replay').click();
    await expect.poll(() => page.locator('#toast').textContent()).toMatch(/sent back to the queue/);
    await page.locator('a[href="#/dead-letters?all=true"]').click();
    await expect
      .poll(
        async () => page.locator('#dead-letters tbody tr', { hasText: badCaseId }).locator('td.state').textContent(),
        { timeout: 20_000 },
      )
      .toMatch(/replayed · succeeded/);
    await shot(page, '06-dead-letter-replayed');
    await eventually(
      'the replayed case linked to a task',
      async () =>
        (await bridge.store.db.selectFrom('links').selectAll().where('entity_id', '=', badCaseId).executeTakeFirst()) ??
        null,
    );

    // The case's timeline shows the failure, the replay and the success in order.
    await page.goto(`${bridge.url}/ui/#/case/${encodeURIComponent(badCaseId)}`);
    await page.locator('#timeline').waitFor();
    const kinds = await page.locator('#timeline li .kind').allTextContents();
    const errorAt = kinds.indexOf('error');
    const replayAt = kinds.indexOf('replay');
    expect(errorAt).toBeGreaterThanOrEqual(0);
    expect(replayAt).toBeGreaterThan(errorAt);
    expect(kinds.slice(replayAt)).toContain('call');
    await shot(page, '07-replayed-case-timeline');

    for (const [view, name] of [
      ['sla', '08-sla'],
      ['scorecards', '09-scorecards'],
      ['rollouts', '10-rollouts'],
      ['health', '11-health'],
      ['held', '14-held'],
    ] as const) {
      await page.locator(`#nav a[data-view=${view}]`).click();
      // The link turns active in the same tick as the view starts loading (aria-busy), so waiting for
      // both means the new view, not the previous one, is what is checked. Locators, not
      // waitForFunction: the console's CSP (no unsafe-eval) refuses evaluated strings.
      await page.locator(`#nav a[data-view=${view}].active`).waitFor();
      await page.locator('main:not([aria-busy]) h1').waitFor();
      expect(await page.locator('main .error:visible').count(), view).toBe(0);
      await shot(page, name);
    }
    // The 401s are the session probe before sign-in and the wrong token on purpose.
    expect(consoleErrors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    await ctx.close();
  });

  it('a read-only operator sees dead letters without replay buttons, and the API refuses a replay', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await ctx.newPage();
    await signIn(page, VIEWER);
    expect(await page.locator('#who').textContent()).toContain('read-only');
    await page.goto(`${bridge.url}/ui/#/dead-letters?all=true`);
    await page.locator('main h1').waitFor();
    await page.locator('main:not([aria-busy])').waitFor();
    expect(await page.locator('button.replay').count()).toBe(0);
    // Even a hand-made request with the session's CSRF token is refused for the role.
    const status = await page.evaluate(async () => {
      const s = (await (await fetch('/api/session')).json()) as { csrfToken: string };
      return (
        await fetch('/api/dead-letters/replay', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken },
          body: '{"all":true}',
        })
      ).status;
    });
    expect(status).toBe(403);
    await shot(page, '12-read-only');
    await ctx.close();
  });
});
