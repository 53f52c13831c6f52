import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { isCi } from './pgStore.ts';

/** The browser tests' Chromium (CI installs it in .ci/run). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Whether the browser tests of `what` can run. A loud skip, not a silent pass: without Chromium they are skipped
 * with a warning, and under CI=true a missing Chromium fails the suite (a failed launch fails it anyway).
 */
export function haveChromium(what: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (isCi()) throw new Error(`${what} need ${CHROMIUM} and CI=true: .ci/run installs it (apt-get install chromium)`);
  console.warn(`SKIPPED: ${what} need ${CHROMIUM} (apt-get install chromium)`);
  return false;
}

/** Headless Chromium as every browser test starts it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Sign in to the operations console at `bridgeUrl` with an admin API token and wait for the case list. */
export async function signInToConsole(page: Page, bridgeUrl: string, token: string): Promise<void> {
  await page.goto(`${bridgeUrl}/ui`);
  await page.locator('#token').fill(token);
  await page.locator('#sign-in').click();
  await page.locator('#cases').waitFor();
}
