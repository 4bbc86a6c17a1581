import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { metricOfColumn } from '../lib/zoo/metrics';
import {
  DISPLAY_DECIMALS,
  EXPLORER_QUANTITY_METRIC,
  PERCENT_DELTA_DECIMALS,
  POINTS_DELTA_DECIMALS,
  type TExplorerQuantity,
} from '../lib/zoo/number-format';
import { launchBrowser } from '../tests/setup/launch-browser';

/**
 * A UI that holds up (issue 13, item 4) in headless Chromium against the built app and the seeded test
 * database: at 390, 768 and 1440 px no page is wider than the viewport, wide tables scroll inside their
 * own frame with a "more columns →" hint and a sticky model column, titles end with "· Slimboard", and no
 * page prints a number with more decimals than its metric allows (lib/zoo/number-format.ts).
 * Screenshots: test-results/responsive-<page>-<width>.png.
 */

const appUrl = inject('appUrl');
const SHOTS = path.resolve(import.meta.dirname, '..', 'test-results');
/** Screenshots at these widths; the layout checks also run at the extremes the app supports (360, 1920). */
const SHOT_WIDTHS: readonly number[] = [390, 768, 1440];
const WIDTHS = [360, 390, 768, 1440, 1920] as const;
let browser: Browser;
let page: Page;
let modelSlug: string;
let compareIds: string[];

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  // A published compressed model with deltas, GFLOPs, size and latency: the zoo's sensity row.
  await page.goto(`${appUrl}/zoo?source=reported`);
  modelSlug = (await page.locator('table[data-section="prune-coco"] tr[data-row-id="prune-coco/2"]').getAttribute('data-model'))!;
  expect(modelSlug).toBeTruthy();
  await page.goto(`${appUrl}/explorer`);
  await page.waitForSelector('[data-testid="points-table"] tbody tr[data-key]');
  const keys = await page.$$eval('[data-testid="points-table"] tbody tr[data-key]', (trs) =>
    trs.map((t) => (t as HTMLElement).dataset.key!),
  );
  compareIds = [...new Set(keys.map((k) => k.slice(0, k.lastIndexOf('@'))))].slice(0, 3);
  expect(compareIds.length).toBe(3);
});
afterAll(async () => {
  await browser?.close();
});

/** Page name -> path, resolved after beforeAll. */
function pages(): Array<[string, string]> {
  return [
    ['overview', '/'],
    ['zoo', '/zoo'],
    ['explorer', '/explorer'],
    ['model', `/models/${modelSlug}`],
    ['compare', `/compare?models=${compareIds.join(',')}`],
    ['upload', '/upload'],
    ['jobs', '/jobs'],
  ];
}

async function open(url: string, width: number) {
  await page.setViewportSize({ width, height: 900 });
  await page.goto(`${appUrl}${url}`, { waitUntil: 'load' });
  // Client components (scroll frames, the explorer's chart and table) settle after hydration.
  await page.waitForFunction(() => document.readyState === 'complete');
  await page.waitForTimeout(400);
}

/** Elements sticking out of the viewport that no scrolling ancestor contains: what makes the page scroll sideways. */
async function offenders(): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const vw = document.documentElement.clientWidth;
    const scrolls = (el: Element | null): boolean => {
      for (let a = el?.parentElement; a && a !== document.body; a = a.parentElement) {
        const ox = getComputedStyle(a).overflowX;
        if (ox === 'auto' || ox === 'scroll' || ox === 'hidden' || ox === 'clip') return true;
      }
      return false;
    };
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= vw + 1 || scrolls(el)) continue;
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.split(/\s+/).join('.')}` : '';
      out.push(`${el.tagName.toLowerCase()}${cls} right=${Math.round(r.right)}`);
      if (out.length >= 8) break;
    }
    return out;
  });
}

describe('no page is wider than the viewport (360 to 1920 px); screenshots at 390, 768, 1440', () => {
  for (const width of WIDTHS) {
    it(`at ${width} px`, async () => {
      const problems: string[] = [];
      for (const [name, url] of pages()) {
        await open(url, width);
        if (SHOT_WIDTHS.includes(width))
          await page.screenshot({ path: path.join(SHOTS, `responsive-${name}-${width}.png`), fullPage: true });
        const { scrollWidth, innerWidth, title } = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          innerWidth: window.innerWidth,
          title: document.title,
        }));
        if (scrollWidth > innerWidth)
          problems.push(`${name} ${url}: scrollWidth ${scrollWidth} > innerWidth ${innerWidth}: ${(await offenders()).join(', ')}`);
        if (!title.endsWith('· Slimboard')) problems.push(`${name}: title "${title}" does not end with "· Slimboard"`);
      }
      expect(problems).toEqual([]);
    });
  }
});

describe('wide tables scroll in their own frame', () => {
  it('every table wider than its container sits in a scrolling frame with a visible "more columns →" hint (390 and 1440 px)', async () => {
    const problems: string[] = [];
    const cases = [390, 1440].flatMap((width) => pages().map(([n, url]) => ({ name: `${n}@${width}`, url, width })));
    for (const { name, url, width } of cases) {
      await open(url, width);
      const found = await page.$$eval('table', (tables) =>
        tables.map((t) => {
          let frame: HTMLElement | null = null;
          for (let a = t.parentElement; a && a !== document.body; a = a.parentElement) {
            const ox = getComputedStyle(a).overflowX;
            if (ox === 'auto' || ox === 'scroll') {
              frame = a;
              break;
            }
          }
          const wide = t.getBoundingClientRect().width > (t.parentElement?.clientWidth ?? 0) + 1;
          const hint = frame?.parentElement?.querySelector(':scope > [data-testid="more-columns"]') as HTMLElement | null;
          return {
            id: t.dataset.testid ?? t.dataset.section ?? t.className,
            wide,
            framed: frame !== null,
            hint: hint != null && hint.offsetParent !== null,
          };
        }),
      );
      for (const t of found) {
        if (t.wide && !t.framed) problems.push(`${name}: table ${t.id} is wider than its container and has no scroll frame`);
        if (t.wide && t.framed && !t.hint) problems.push(`${name}: table ${t.id} scrolls but shows no "more columns" hint`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the zoo keeps its first (model) column in view while the table scrolls, and the hint scrolls it', async () => {
    await open('/zoo?source=reported', 390);
    const table = page.locator('table[data-section="prune-coco"]');
    const frame = table.locator('xpath=..');
    const cell = table.locator('tbody tr').first().locator('td').first();
    const hint = frame.locator('xpath=..').locator('[data-testid="more-columns"]');
    await expect(hint.isVisible()).resolves.toBe(true);
    const frameLeft = await frame.evaluate((el) => el.getBoundingClientRect().left);
    await hint.click();
    await expect.poll(() => frame.evaluate((el) => el.scrollLeft)).toBeGreaterThan(50);
    const cellLeft = await cell.evaluate((el) => el.getBoundingClientRect().left);
    expect(Math.abs(cellLeft - frameLeft)).toBeLessThanOrEqual(2);
    await page.screenshot({ path: path.join(SHOTS, 'responsive-zoo-390-scrolled.png') });
  });
});

describe('the app has a favicon', () => {
  it('serves /favicon.ico and links an icon', async () => {
    const res = await fetch(`${appUrl}/favicon.ico`);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100);
    await open('/', 1440);
    await expect(page.locator('link[rel~="icon"]').count()).resolves.toBeGreaterThan(0);
  });
});

/** Decimals of every number in a text: `37.53(−16.06%)` -> [2, 2]. */
function decimalsIn(text: string): number[] {
  return [...text.matchAll(/\d+(?:\.(\d+))?/g)].map((m) => m[1]?.length ?? 0);
}

describe('no page shows a float with more digits than its metric allows', () => {
  it('zoo: every metric cell and its delta', async () => {
    await open('/zoo', 1440);
    const cells = await page.$$eval('table.zoo-table td[data-column] .metric', (els) =>
      els.map((e) => ({
        column: e.closest('td')!.dataset.column!,
        value: e.childNodes[0]?.textContent ?? '',
        delta: e.querySelector('.delta')?.textContent ?? '',
      })),
    );
    expect(cells.length).toBeGreaterThan(100);
    const bad: string[] = [];
    for (const c of cells) {
      const metric = metricOfColumn(c.column);
      if (!metric) continue;
      const [d] = decimalsIn(c.value);
      if (d > DISPLAY_DECIMALS[metric.kind]) bad.push(`${c.column}: ${c.value}`);
      const maxDelta =
        metric.kind.startsWith('wider') || metric.kind === 'box_ap' || metric.kind === 'voc_map'
          ? POINTS_DELTA_DECIMALS
          : PERCENT_DELTA_DECIMALS;
      if (c.delta && decimalsIn(c.delta).some((x) => x > maxDelta)) bad.push(`${c.column} delta: ${c.delta}`);
      if (c.delta.includes('-')) bad.push(`${c.column} delta with an ASCII hyphen: ${c.delta}`);
    }
    expect(bad).toEqual([]);
  });

  it('explorer table: cost and accuracy columns, for every cost axis', async () => {
    const bad: string[] = [];
    for (const x of ['gflops', 'params', 'size', 'latency'] as const) {
      await open(`/explorer?x=${x}`, 1440);
      if (x !== 'params') await page.waitForSelector('[data-testid="points-table"] td[data-quantity]');
      const cells = await page.$$eval('[data-testid="points-table"] td[data-quantity]', (els) =>
        els.map((e) => ({ q: (e as HTMLElement).dataset.quantity!, text: e.textContent ?? '' })),
      );
      // Published rows carry no parameter counts (only measured models do): the params view may be empty.
      if (x !== 'params') expect(cells.length, `explorer x=${x}`).toBeGreaterThan(0);
      for (const c of cells) {
        const max = DISPLAY_DECIMALS[EXPLORER_QUANTITY_METRIC[c.q as TExplorerQuantity]];
        if (decimalsIn(c.text).some((d) => d > max)) bad.push(`x=${x} ${c.q}: ${c.text}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('compare: every number and delta', async () => {
    await open(`/compare?models=${compareIds.join(',')}`, 1440);
    const cells = await page.$$eval('[data-testid="compare-metrics"] tbody tr', (trs) =>
      trs.flatMap((tr) =>
        Array.from(tr.querySelectorAll('td.sb-num')).map((td) => ({
          q: (tr as HTMLElement).dataset.quantity!,
          text: td.textContent ?? '',
        })),
      ),
    );
    expect(cells.length).toBeGreaterThan(0);
    const bad: string[] = [];
    for (const c of cells) {
      const [value, delta] = c.text.split('(');
      const max = DISPLAY_DECIMALS[EXPLORER_QUANTITY_METRIC[c.q as TExplorerQuantity]];
      if (decimalsIn(value).some((d) => d > max)) bad.push(`${c.q}: ${c.text}`);
      if (delta && decimalsIn(delta).some((d) => d > (c.q === 'accuracy' ? POINTS_DELTA_DECIMALS : PERCENT_DELTA_DECIMALS)))
        bad.push(`${c.q} delta: ${c.text}`);
    }
    expect(bad).toEqual([]);
  });

  it('model page: the numbers table, and no raw float or byte count anywhere on the page', async () => {
    await open(`/models/${modelSlug}`, 1440);
    const cells = await page.$$eval('[data-testid="numbers"] td[data-metric]', (els) =>
      els.map((e) => ({ metric: (e as HTMLElement).dataset.metric!, text: e.textContent ?? '' })),
    );
    expect(cells.length).toBeGreaterThan(0);
    const bad = cells.filter((c) => decimalsIn(c.text).some((d) => d > DISPLAY_DECIMALS[c.metric as keyof typeof DISPLAY_DECIMALS]));
    expect(bad).toEqual([]);
    const text = await page.locator('main').innerText();
    expect(text).not.toMatch(/\d\.\d{4,}/);
    expect(text).not.toMatch(/\d{4,} bytes/);
  });
});
