import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getDb } from '../lib/db/client';
import { COST_AXIS_INFO } from '../lib/explorer/axes';
import { chartCsv } from '../lib/explorer/chart-csv';
import { buildChartModel, entriesByKey } from '../lib/explorer/chart-model';
import { formatTick } from '../lib/explorer/chart-scale';
import { compareRows, groupForCompare } from '../lib/explorer/compare-table';
import type { TExplorerEntry } from '../lib/explorer/entry';
import { headlineNumbers } from '../lib/explorer/overview';
import { compareHref, parseExplorerView } from '../lib/explorer/view-state';
import { biggestWins } from '../lib/explorer/wins';
import { listExplorerEntries } from '../lib/zoo/list-explorer-entries';
import { CHART_GEOMETRY_SOURCE, type TClientPoint } from '../tools/bench/chart-geometry';
import { gotoFresh } from '../tests/setup/goto-fresh';
import { launchBrowser } from '../tests/setup/launch-browser';

/**
 * The trade-off explorer, compare page and overview in headless Chromium against the built app and the
 * seeded test database. Every expected count is computed by lib/explorer from the SAME database rows the
 * app reads (listExplorerEntries), never typed in. Screenshots go to test-results/.
 */

const appUrl = inject('appUrl');
const SHOTS = path.resolve(import.meta.dirname, '..', 'test-results');
let browser: Browser;
let page: Page;
let entries: TExplorerEntry[];

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  entries = await listExplorerEntries(await getDb());
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 1000 }, acceptDownloads: true });
});
afterAll(async () => {
  await browser?.close();
});

/**
 * Markers and frontier rings drawn. The markers are painted on one canvas over the chart's SVG; the painter
 * counts what it actually drew and writes it on the canvas (data-points, data-frontier).
 */
async function drawnCounts(): Promise<{ points: number; frontier: number }> {
  return page.evaluate(() => {
    const canvas = document.querySelector('.sb-chart-host canvas.sb-data-canvas');
    return { points: Number(canvas?.getAttribute('data-points')), frontier: Number(canvas?.getAttribute('data-frontier')) };
  });
}

/** Alpha (0-255) of the chart canvas at a viewport point: a marker drawn there is opaque. */
async function canvasAlphaAt(at: TClientPoint): Promise<number> {
  return page.evaluate(`(() => {
    const c = document.querySelector('.sb-chart-host canvas.sb-data-canvas');
    const b = c.getBoundingClientRect();
    const k = c.width / b.width;
    return c.getContext('2d').getImageData(Math.floor((${at.x} - b.left) * k), Math.floor((${at.y} - b.top) * k), 1, 1).data[3];
  })()`) as Promise<number>;
}

/** Markers and frontier rings in an exported SVG: sums of data-count over the groups the exporter wrote. */
function svgCounts(svg: string): { points: number; frontier: number } {
  const sum = (cls: string) =>
    [...svg.matchAll(new RegExp(`class="${cls}"[^>]*?data-count="(\\d+)"`, 'g'))].reduce((a, m) => a + Number(m[1]), 0);
  return { points: sum('sb-marker-group'), frontier: sum('sb-frontier-markers') };
}

const VIEWS = [
  // VOC latency on the Kirin 970 (published ms/image), log cost axis
  'dataset=voc&x=latency&device=kirin-970&log=1',
  // COCO GFLOPs at two input sizes, three methods
  'x=gflops&sizes=416,608&methods=baseline,prune,prune_distill',
  // WIDER FACE hard set against model size (BlazeFace rows print no size: nothing to draw)
  'dataset=widerface&y=widerHard&x=size',
];

describe('explorer', () => {
  it.each(VIEWS)('opens /explorer?%s with the point and frontier counts the data gives', async (query) => {
    const expected = buildChartModel(entries, parseExplorerView(new URLSearchParams(query)));
    await gotoFresh(page, `${appUrl}/explorer?${query}`);
    const summary = page.locator('[data-testid="chart-summary"]');
    await expect.poll(() => summary.getAttribute('data-points')).toBe(String(expected.points.length));
    await expect(summary.getAttribute('data-frontier')).resolves.toBe(String(expected.frontier.length));
    await expect.poll(() => drawnCounts()).toEqual({ points: expected.points.length, frontier: expected.frontier.length });
    // the table is the text alternative: one row per point, frontier rows marked
    await expect(page.locator('[data-testid="points-table"]').getAttribute('data-rows')).resolves.toBe(String(expected.points.length));
    // axis titles carry units
    const svgText = await page.locator('.sb-chart-host svg.sb-chart-svg').innerHTML();
    expect(svgText).toContain(expected.xTitle.replace(/&/g, '&amp;'));
    expect(svgText).toContain(expected.yTitle);
    // tick labels: at least two per axis, each one of the model's ticks as formatted
    for (const [axis, ticks] of [
      ['x', expected.xTicks],
      ['y', expected.yTicks],
    ] as const) {
      const shown = await page.locator(`.sb-chart-host svg.sb-chart-svg .sb-axis-${axis} .sb-tick-label`).allTextContents();
      expect(shown.length).toBeGreaterThanOrEqual(2);
      for (const t of shown) expect(ticks.map(formatTick)).toContain(t);
    }
    // the cost axis' counting convention is stated under the chart
    await expect(page.locator('[data-testid="cost-convention"]').innerText()).resolves.toContain(COST_AXIS_INFO[expected.sel.x].convention);
    await page.screenshot({ path: path.join(SHOTS, `explorer-${query.replace(/[^a-z0-9]+/gi, '_')}.png`), fullPage: true });
  });

  it('sanity: the views above are not all empty', () => {
    const counts = VIEWS.map((q) => buildChartModel(entries, parseExplorerView(new URLSearchParams(q))).points.length);
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBeGreaterThan(0);
  });

  it('hovering a point shows its lineage and provenance; clicking opens the model page', async () => {
    const query = 'x=gflops&sizes=608';
    const model = buildChartModel(entries, parseExplorerView(new URLSearchParams(query)));
    // aim at the most accurate frontier point (top right: no neighbours on top of it)
    const target = model.frontier[model.frontier.length - 1];
    const entry = entriesByKey(entries).get(target.key)!;
    await gotoFresh(page, `${appUrl}/explorer?${query}`);
    await expect.poll(() => drawnCounts().then((c) => c.points)).toBe(model.points.length);
    await page.evaluate(CHART_GEOMETRY_SOURCE);
    const at = (await page.evaluate(`window.__pointToClient(${target.cost}, ${target.accuracy}, false)`)) as TClientPoint;
    // the marker is painted where the axes say it is
    expect(await canvasAlphaAt(at)).toBeGreaterThan(200);
    await page.mouse.move(at.x, at.y);
    const tooltip = page.locator('[data-testid="chart-tooltip"]');
    await expect(tooltip.locator('[data-testid="point-details"]').getAttribute('data-key')).resolves.toBe(target.key);
    const text = await tooltip.innerText();
    expect(text).toContain(entry.name);
    expect(text).toContain(entry.strategy);
    expect(text).toContain(entry.provenance);
    await page.screenshot({ path: path.join(SHOTS, 'explorer-hover.png') });
    await page.mouse.click(at.x, at.y);
    await page.waitForURL(`**/models/${target.modelId}`);
    await page.screenshot({ path: path.join(SHOTS, 'explorer-click-model-page.png') });
  });

  it('after an axis change and a log-scale toggle the markers are painted where the new axes put them', async () => {
    await gotoFresh(page, `${appUrl}/explorer?sizes=608`);
    await page.locator('select[name="x"]').selectOption('size');
    await page.locator('input[name="log"]').check();
    const query = 'x=size&log=1&sizes=608';
    const model = buildChartModel(entries, parseExplorerView(new URLSearchParams(query)));
    await expect.poll(() => new URL(page.url()).search).toBe(`?${query}`);
    await expect.poll(() => drawnCounts()).toEqual({ points: model.points.length, frontier: model.frontier.length });
    await expect(page.locator('.sb-chart-host svg.sb-chart-svg .sb-axis-x .sb-axis-title').textContent()).resolves.toBe(model.xTitle);
    await page.evaluate(CHART_GEOMETRY_SOURCE);
    for (const target of [model.frontier[0], model.frontier[model.frontier.length - 1]]) {
      const at = (await page.evaluate(`window.__pointToClient(${target.cost}, ${target.accuracy}, true)`)) as TClientPoint;
      expect(await canvasAlphaAt(at)).toBeGreaterThan(200);
    }
    await page.screenshot({ path: path.join(SHOTS, 'explorer-size-log.png') });
  });

  it('keeps the view in the URL as controls change, and the frontier-only table toggle works', async () => {
    await gotoFresh(page, `${appUrl}/explorer`);
    await page.locator('select[name="dataset"]').selectOption('voc');
    await page.locator('input[name="log"]').check();
    await page.locator('input[name="frontier"]').check();
    await expect.poll(() => new URL(page.url()).search).toBe('?dataset=voc&log=1&frontier=1');
    const expected = buildChartModel(entries, parseExplorerView(new URLSearchParams('dataset=voc&log=1&frontier=1')));
    await expect.poll(() => page.locator('[data-testid="points-table"] tbody tr').count()).toBe(expected.frontier.length);
    await expect(page.locator('[data-testid="points-table"] tbody tr[data-frontier="0"]').count()).resolves.toBe(0);
    // the same URL opened fresh reproduces the view
    await page.goto(page.url());
    await expect(page.locator('input[name="frontier"]').isChecked()).resolves.toBe(true);
    await expect(page.locator('[data-testid="points-table"] tbody tr').count()).resolves.toBe(expected.frontier.length);
  });

  it('exports the chart data as CSV, the chart as SVG and PNG', async () => {
    const query = 'x=size&sizes=608';
    const model = buildChartModel(entries, parseExplorerView(new URLSearchParams(query)));
    await gotoFresh(page, `${appUrl}/explorer?${query}`);
    await expect.poll(() => drawnCounts().then((c) => c.points)).toBe(model.points.length);
    const [csvDl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = fs.readFileSync((await csvDl.path())!, 'utf8');
    expect(csv).toBe(chartCsv(model.points, model.frontierKeys, entriesByKey(entries), model.sel));
    const [svgDl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export SVG' }).click()]);
    const svg = fs.readFileSync((await svgDl.path())!, 'utf8');
    expect(svg).toMatch(/^<\?xml/);
    expect(svg).toContain('Model size (MB)');
    // the exported SVG carries every point and frontier ring as vectors (on screen they are a canvas)
    expect(svgCounts(svg)).toEqual({ points: model.points.length, frontier: model.frontier.length });
    const [pngDl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export PNG' }).click()]);
    const png = fs.readFileSync((await pngDl.path())!);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    fs.writeFileSync(path.join(SHOTS, 'explorer-export.png'), png);
    expect(pngDl.suggestedFilename()).toMatch(/\.png$/);
  });

  it('picks models in the table and opens the compare link', async () => {
    await gotoFresh(page, `${appUrl}/explorer?sizes=608`);
    const rows = page.locator('[data-testid="points-table"] tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(2);
    const keys = [await rows.nth(0).getAttribute('data-key'), await rows.nth(1).getAttribute('data-key')] as string[];
    const ids = keys.map((k) => k.slice(0, k.lastIndexOf('@')));
    await rows.nth(0).locator('input[type="checkbox"]').check();
    await rows.nth(1).locator('input[type="checkbox"]').check();
    await expect.poll(() => new URL(page.url()).searchParams.get('compare')).toBe(ids.join(','));
    await page.locator('[data-testid="compare-link"]').click();
    await page.waitForURL(/\/compare\?models=/);
    await expect(page.locator('[data-testid="compare-page"]').getAttribute('data-models')).resolves.toBe(ids.join(','));
  });
});

describe('compare', () => {
  it('shows every number side by side with deltas against the first model', async () => {
    const ids = ['yolov3-r50vd-dcn-coco', 'yolov3-r50vd-dcn-coco-prune-r578'].filter((id) => entries.some((e) => e.modelId === id));
    // fall back to the first baseline and one of its compressed models when the slugs differ
    const base = entries.find((e) => e.method === 'baseline' && entries.some((c) => c.baselineModelId === e.modelId))!;
    const child = entries.find((c) => c.baselineModelId === base.modelId)!;
    const pick = ids.length === 2 ? ids : [base.modelId, child.modelId];
    const rows = compareRows(groupForCompare(entries, pick));
    await page.goto(`${appUrl}${compareHref(pick)}`);
    const table = page.locator('[data-testid="compare-metrics"] tbody tr');
    await expect(table.count()).resolves.toBe(rows.length);
    const firstValues = await table
      .nth(0)
      .locator('td[data-value]')
      .evaluateAll((tds) => tds.map((td) => td.getAttribute('data-value')));
    expect(firstValues).toEqual(rows[0].cells.map((c) => (c.value === null ? '' : String(c.value))));
    await expect(page.locator('[data-testid="no-distribution"]').count()).resolves.toBe(
      pick.some((id) => entries.some((e) => e.modelId === id && e.latency.some((l) => l.samplesMs.length > 0))) ? 0 : 1,
    );
    await page.screenshot({ path: path.join(SHOTS, 'compare.png'), fullPage: true });
  });

  it.each([
    ['/compare?models=only-one', 400],
    ['/compare?models=a,b,c,d,e,f,g', 400],
    ['/explorer?x=watts', 400],
    ['/explorer?sizes=608,abc', 400],
  ])('bad link %s -> %i with one line naming the problem', async (url, status) => {
    const res = await fetch(`${appUrl}${url}`);
    expect(res.status).toBe(status);
    const body = await res.text();
    expect(body).toMatch(/models|x:|sizes/);
    expect(body).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('an unknown model or a metric the dataset lacks gets a message, not a crash', async () => {
    await page.goto(`${appUrl}/compare?models=yolov3-nope,yolov3-nada`);
    await expect(page.locator('.error-text[role="alert"]').innerText()).resolves.toContain('compare: no model "yolov3-nope"');
    await gotoFresh(page, `${appUrl}/explorer?dataset=voc&y=boxAp`);
    await expect(page.locator('.error-text[role="alert"]').innerText()).resolves.toContain('dataset "voc" has no metric "boxAp"');
  });
});

describe('overview', () => {
  it('shows headline numbers, the default chart and the computed biggest wins', async () => {
    const head = headlineNumbers(entries);
    const wins = biggestWins(entries, { axis: 'gflops' }).slice(0, 8);
    const chart = buildChartModel(entries, parseExplorerView(new URLSearchParams('dataset=coco&x=gflops&sizes=608')));
    await gotoFresh(page, `${appUrl}/`);
    await expect(page.locator('[data-testid="headline-models"]').innerText()).resolves.toBe(String(head.models));
    await expect(page.locator('[data-testid="headline-published"]').innerText()).resolves.toBe(String(head.publishedModels));
    await expect.poll(() => drawnCounts()).toEqual({ points: chart.points.length, frontier: chart.frontier.length });
    const winKeys = await page
      .locator('[data-testid="wins-gflops"] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key')));
    expect(winKeys).toEqual(wins.map((w) => w.key));
    expect(wins.length).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SHOTS, 'overview.png'), fullPage: true });
  });
});
