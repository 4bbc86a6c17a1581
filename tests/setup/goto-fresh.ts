import type { Page } from 'playwright-core';

/**
 * Opens `url` and reloads it while the page says its numbers are the last ones and newer are being computed
 * (app/zoo-version-note.tsx: after a write, lib/zoo/zoo-cache.ts cachedOrLastByZooVersion gives the last value of a
 * view whose last computation was slow, which a loaded test machine can make of a small zoo too). A test that wrote
 * and then reads the overview, the explorer or the zoo waits for its write the way a user would.
 */
export async function gotoFresh(page: Page, url: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  await page.goto(url);
  while ((await page.locator('[data-testid="zoo-version-stale"]').count()) > 0) {
    if (Date.now() > until) throw new Error(`${url} still shows stale numbers after ${timeoutMs} ms`);
    await page.waitForTimeout(250);
    await page.reload();
  }
}
