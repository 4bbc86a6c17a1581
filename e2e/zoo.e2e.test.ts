import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser } from '../tests/setup/launch-browser';

/**
 * The zoo in a real browser (headless Chromium, tests/setup/launch-browser.ts) against the built app and the seeded test
 * database (tests/setup/app.ts, tests/setup/db.ts). Screenshots go to test-results/.
 */

const appUrl = inject('appUrl');
const SHOTS = path.resolve(import.meta.dirname, '..', 'test-results');
let browser: Browser;
let page: Page;

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
});
afterAll(async () => {
  await browser?.close();
});

/** The numbers in one column of one section's table, top to bottom. */
async function columnValues(sectionSlug: string, column: string): Promise<number[]> {
  return page.$$eval(`table.zoo-table[data-section="${sectionSlug}"] tbody td[data-column="${column}"] .metric`, (els) =>
    els.map((e) => Number((e as HTMLElement).dataset.value)),
  );
}

describe('zoo page', () => {
  it('shows all 85 published rows with computed deltas', async () => {
    // source=reported: other areas' tests may add measured rows to the shared test database.
    await page.goto(`${appUrl}/zoo?source=reported`);
    await expect.poll(() => page.locator('table.zoo-table tbody tr').count()).toBe(85);
    await expect(page.locator('[data-testid="result-count"]').innerText()).resolves.toMatch(/Showing 85 of \d+ rows/);
    const sensity = page.locator('table[data-section="prune-coco"] tr[data-row-id="prune-coco/2"]');
    await expect(sensity.locator('td[data-column="gflops"]').innerText()).resolves.toBe('37.53(\u221216.06%)');
    await expect(sensity.locator('td[data-column="boxAp"]').innerText()).resolves.toBe('39.8(+0.7)');
    await expect(sensity.locator('td[data-column="boxAp"] .delta').getAttribute('class')).resolves.toContain('better');
    const r578 = page.locator('table[data-section="prune-coco"] tr[data-row-id="prune-coco/3"] td[data-column="boxAp"] .delta');
    await expect(r578.getAttribute('class')).resolves.toContain('worse');
    await page.screenshot({ path: path.join(SHOTS, 'zoo-all.png'), fullPage: true });
  });

  it('sorts a column by clicking its header (state goes to the URL)', async () => {
    await page.goto(`${appUrl}/zoo`);
    const before = await columnValues('prune-coco', 'gflops');
    expect(before).toHaveLength(12);
    await page.locator('table[data-section="prune-coco"] th[data-column="gflops"] button').click();
    await page.waitForURL(/sort=gflops/);
    await expect.poll(() => columnValues('prune-coco', 'gflops')).toEqual([...before].sort((a, b) => a - b));
    expect(page.url()).toContain('dir=asc');
    await page.locator('table[data-section="prune-coco"] th[data-column="gflops"] button').click();
    await page.waitForURL(/dir=desc/);
    await expect.poll(() => columnValues('prune-coco', 'gflops')).toEqual([...before].sort((a, b) => b - a));
    await expect(page.locator('table[data-section="prune-coco"] th[data-column="gflops"]').getAttribute('aria-sort')).resolves.toBe(
      'descending',
    );
    await page.screenshot({ path: path.join(SHOTS, 'zoo-sorted-gflops-desc.png') });
  });

  it('applies filters from the URL', async () => {
    await page.goto(`${appUrl}/zoo?backbone=ResNet34&inputSize=608&source=reported`);
    // ResNet34 at 608 in the quantization table: baseline 36.2, post 35.7, aware 35.2
    const rows = page.locator('table.zoo-table tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    const names = await page.$$eval('table.zoo-table tbody td[data-column="backbone"]', (els) => els.map((e) => e.textContent));
    expect(names).toEqual(['ResNet34', 'ResNet34', 'ResNet34']);
    await expect(page.locator('[data-testid="filter-backbone"]').inputValue()).resolves.toBe('ResNet34');
    await page.screenshot({ path: path.join(SHOTS, 'zoo-filter-resnet34.png') });

    await page.goto(`${appUrl}/zoo?dataset=voc&strategy=r578&hide=download&source=reported`);
    // VOC r578 rows: pruning 3, distilled pruning 3, latency 3
    await expect.poll(() => rows.count()).toBe(9);
    await expect(page.locator('th[data-column="download"]').count()).resolves.toBe(0);
  });

  it('filters with the controls and exports exactly the filtered rows', async () => {
    await page.goto(`${appUrl}/zoo?source=reported`);
    await page.locator('[data-testid="filter-method"]').selectOption('quant');
    await page.waitForURL(/method=quant/);
    // quantized models: 6 MobileNetV1 + 4 ResNet34 + 3 R50vd-dcn + 6 BlazeFace = 19
    await expect.poll(() => page.locator('table.zoo-table tbody tr').count()).toBe(19);
    const csvHref = await page.locator('[data-testid="export-csv"]').getAttribute('href');
    expect(csvHref).toContain('method=quant');
    const csv = await (await fetch(`${appUrl}${csvHref}`)).text();
    expect(csv.trimEnd().split('\r\n')).toHaveLength(1 + 19);
    const json = (await (await fetch(`${appUrl}${(await page.locator('[data-testid="export-json"]').getAttribute('href'))!}`)).json()) as {
      count: number;
    };
    expect(json.count).toBe(19);
  });

  it('hides a column with the column picker', async () => {
    await page.goto(`${appUrl}/zoo?dataset=widerface`);
    await page.locator('.column-picker summary').click();
    await page.locator('[data-testid="column-widerHard"]').uncheck();
    await page.waitForURL(/hide=widerHard/);
    await expect.poll(() => page.locator('th[data-column="widerHard"]').count()).toBe(0);
  });
});

describe('model page', () => {
  it('shows lineage, the full pruning parameters and provenance', async () => {
    await page.goto(`${appUrl}/models/yolov3-mobilenet-v1-coco-prune-r578-distill`);
    const lineage = await page.locator('[data-testid="lineage"] li').allInnerTexts();
    expect(lineage.slice(0, 3).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual([
      'YOLOv3-MobileNetV1 baseline',
      'YOLOv3-MobileNetV1 r578',
      'YOLOv3-MobileNetV1 r578',
    ]);
    await expect(page.locator('[data-testid="pruned-params"] tbody tr').count()).resolves.toBe(18);
    await expect(page.locator('[data-testid="numbers"]').innerText()).resolves.toContain('reported');
    await page.screenshot({ path: path.join(SHOTS, 'model-page.png'), fullPage: true });
  });
});

describe('bad input never 500s', () => {
  it.each([
    ['/api/zoo?inputSize=abc', 400],
    ['/api/zoo?method=pruning', 400],
    ['/api/zoo?bogus=1', 400],
    ['/api/zoo?sort=nope', 400],
    ['/zoo?inputSize=abc', 400],
    ['/zoo?sort=%3Cscript%3E', 400],
    ['/models/no-such-model', 404],
    ['/models/%E2%9C%93', 404],
    ['/no/such/page', 404],
  ])('%s -> %i', async (url, status) => {
    const res = await fetch(`${appUrl}${url}`);
    expect(res.status).toBe(status);
    const body = await res.text();
    expect(body).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
    if (url.startsWith('/api/')) expect(JSON.parse(body).error.message).toMatch(/^bad query: /);
  });

  it.each([
    ['/models/%ff', 'GET'],
    ['/api/runs/%ff', 'GET'],
    ['/api/runs/%ff', 'DELETE'],
    ['/api/runs/%ff/rerun', 'POST'],
    ['/api/artifacts/%ff', 'GET'],
  ])('malformed percent-encoding %s (%s) -> 400 naming the segment', async (url, method) => {
    const res = await fetch(`${appUrl}${url}`, { method });
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toContain('malformed percent-encoding');
    if (url.startsWith('/api/')) expect(JSON.parse(body).error.code).toBe('bad_encoding');
  });

  it('an explorer link naming an unknown dataset -> 404 listing the datasets there are', async () => {
    const res = await fetch(`${appUrl}/explorer?dataset=nope`);
    expect(res.status).toBe(404);
    const body = await res.text();
    expect(body).toContain('No such dataset in the explorer');
    expect(body).toContain('/explorer?dataset=coco');
  });

  it('GET /api/zoo returns the 85 rows with provenance', async () => {
    const res = await fetch(`${appUrl}/api/zoo?source=reported`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { count: number; rows: Array<{ cells: Record<string, { provenance: { kind: string } }> }> };
    expect(body.count).toBe(85);
    expect(body.rows.every((r) => Object.values(r.cells).every((c) => c.provenance.kind === 'reported'))).toBe(true);
  });

  it('GET /api/zoo pages by nextCursor to the same 85 rows; a cursor sent with another sort is a 400 that says so', async () => {
    const all = (await (await fetch(`${appUrl}/api/zoo?source=reported&sort=gflops&dir=desc`)).json()) as { rows: Array<{ id: string }> };
    const ids: string[] = [];
    let cursor: string | null = null;
    const pages: number[] = [];
    do {
      const res = await fetch(`${appUrl}/api/zoo?source=reported&sort=gflops&dir=desc&limit=40${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { rows: Array<{ id: string }>; total: number; nextCursor: string | null };
      expect(body.total).toBe(85);
      ids.push(...body.rows.map((r) => r.id));
      pages.push(body.rows.length);
      if (cursor === null && body.nextCursor) {
        const other = await fetch(`${appUrl}/api/zoo?source=reported&sort=gflops&limit=40&cursor=${body.nextCursor}`);
        expect(other.status).toBe(400);
        expect(((await other.json()) as { error: { message: string } }).error.message).toMatch(/cursor was issued for another query/);
      }
      cursor = body.nextCursor;
    } while (cursor);
    expect(pages).toEqual([40, 40, 5]);
    expect(ids).toEqual(all.rows.map((r) => r.id));
    // An offset cursor issued before the keyset one still gives the rows from its offset, and pages on by offsets.
    const v1 = (o: number) => Buffer.from(JSON.stringify({ v: 1, o })).toString('base64url');
    const old = (await (await fetch(`${appUrl}/api/zoo?source=reported&sort=gflops&dir=desc&limit=3&cursor=${v1(80)}`)).json()) as {
      rows: Array<{ id: string }>;
      nextCursor: string | null;
    };
    expect(old.rows.map((r) => r.id)).toEqual(ids.slice(80, 83));
    expect(old.nextCursor).toBe(v1(83));
  });
});
