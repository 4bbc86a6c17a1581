import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LocalDiskArtifactStore } from '../lib/artifacts/local-disk-store';
import { DEMO_ZOO_DIR, readDemoZooManifest, type TDemoZooManifest } from '../lib/demo-zoo/manifest';
import { registerDemoZoo } from '../lib/demo-zoo/register-demo-zoo';
import { DEMO_SENSITIVITY_FILE } from '../lib/demo-zoo/sensitivity';
import { openPipeline } from '../lib/jobs/pipeline';
import { launchBrowser } from '../tests/setup/launch-browser';

/**
 * The sensitivity analysis on the model page of the demo's sensity model, in a real browser. The e2e
 * database has no demo zoo, so the test registers a sub-zoo (the baseline, the sensity model and the
 * shipped sensitivity.json; one evaluation size, no worker) through the same function `npm start` calls.
 */

const appUrl = inject('appUrl');
const ROOT = path.resolve(import.meta.dirname, '..');
const SHIPPED = path.join(ROOT, DEMO_ZOO_DIR);
const SHOTS = path.join(ROOT, 'test-results');
let browser: Browser;
let page: Page;
let tmp: string;
let slug: string;
let analysis: { metric: string; valImages: number; baselineAp: number; ratios: number[]; parameters: Record<string, Array<{ ratio: number; ap: number; loss: number }>> };
let chosen: { params: string[]; ratios: number[] };

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'slimboard-e2e-sens-'));
  const shipped = await readDemoZooManifest(SHIPPED);
  const sensity = shipped.models.find((m) => m.lineage.strategy === 'sensity')!;
  const base = shipped.models.find((m) => m.id === sensity.lineage.parent)!;
  chosen = { params: sensity.lineage.prunedParams!, ratios: sensity.lineage.ratios! };
  const zooDir = path.join(tmp, 'zoo');
  fs.mkdirSync(zooDir);
  const sub: TDemoZooManifest = { ...shipped, adapter: { ...shipped.adapter, resize: { ...shipped.adapter.resize, evalSizes: shipped.adapter.resize.evalSizes.slice(0, 1) } }, models: [base, sensity] };
  for (const m of sub.models) await copyFile(path.join(SHIPPED, m.file), path.join(zooDir, m.file));
  await copyFile(path.join(SHIPPED, DEMO_SENSITIVITY_FILE), path.join(zooDir, DEMO_SENSITIVITY_FILE));
  await writeFile(path.join(zooDir, 'manifest.json'), JSON.stringify(sub));
  analysis = JSON.parse(await readFile(path.join(SHIPPED, DEMO_SENSITIVITY_FILE), 'utf8'));

  const pipeline = await openPipeline({ databaseUrl: inject('databaseUrl'), supervise: false, poolSize: 4, store: new LocalDiskArtifactStore(path.join(tmp, 'artifacts')) });
  try {
    const report = await registerDemoZoo(pipeline, { zooDir, dataDir: path.join(tmp, 'data'), maxBytes: 1e9, valCount: 2, facesPerEvent: 2 });
    expect(report.problems).toEqual([]);
    expect(report.sensitivity.status).toMatch(/^(stored|unchanged)$/);
    slug = report.models.find((m) => m.id === sensity.id)!.modelSlug!;
  } finally {
    await pipeline.close();
  }

  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
});

afterAll(async () => {
  await browser?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('model page: sensitivity analysis', () => {
  it('draws one line per parameter (recharts), marks the chosen ratios, and gives the numbers as a table with provenance', async () => {
    const res = await page.goto(`${appUrl}/models/${slug}`);
    expect(res?.status()).toBe(200);
    const section = page.locator('[data-testid="sensitivity"]');
    await expect(section.locator('h2').innerText()).resolves.toBe('Sensitivity analysis');
    const params = Object.keys(analysis.parameters);
    const figure = section.locator('figure');
    const chart = figure.locator('[role="img"]');
    await expect(chart.getAttribute('aria-label')).resolves.toContain(`each of ${params.length} parameters`);
    // recharts draws each <Line> as one path.recharts-line-curve: one per parameter of the analysis.
    const curves = chart.locator('svg path.recharts-line-curve');
    await expect.poll(() => curves.count(), { timeout: 15_000 }).toBe(params.length);
    // Each curve goes through ratio 0 and every measured ratio: its path has 1 + ratios vertices.
    const vertices = await curves.evaluateAll((ps) => ps.map((p) => (p.getAttribute('d') ?? '').match(/[ML]/g)?.length ?? 0));
    expect(vertices).toEqual(params.map(() => 1 + analysis.ratios.length));
    // The model's chosen ratios, one diamond per pruned parameter within the measured range.
    const inRange = chosen.ratios.filter((r) => r <= Math.max(...analysis.ratios)).length;
    await expect(chart.locator('svg path.sensitivity-chosen').count()).resolves.toBe(inRange);
    // Axis titles with units, and the legend names every parameter.
    const labels = await chart.locator('svg .recharts-label').allTextContents();
    expect(labels).toContain('AP loss (%)');
    expect(labels.some((l) => l.startsWith('Pruning ratio'))).toBe(true);
    const legend = figure.locator('.sensitivity-legend button');
    await expect(legend.allInnerTexts()).resolves.toEqual(chosen.params.map((p) => p.replace(/\.conv\.weights$/, '')));

    // Provenance in the caption.
    const caption = await figure.locator('figcaption').innerText();
    expect(caption).toContain(analysis.metric);
    expect(caption).toContain(`${analysis.valImages} val images`);
    expect(caption).toContain(`baseline AP ${analysis.baselineAp}`);
    expect(caption).toContain('sensitivity.json');
    expect(caption).toContain('Slimboard demo zoo, trained by tools/demo-zoo');

    // The table: one row per parameter; loss in percent (2 decimals) and AP per ratio, then the chosen ratio.
    const rows = section.locator('[data-testid="sensitivity-table"] tbody tr');
    await expect(rows.count()).resolves.toBe(params.length);
    const first = chosen.params[0];
    const cells = await section.locator(`[data-testid="sensitivity-table"] tbody tr[data-param="${first}"] td`).allInnerTexts();
    const expectedCells = analysis.parameters[first].flatMap((p) => [(p.loss * 100).toFixed(2), p.ap.toFixed(4)]);
    expect(cells.slice(0, expectedCells.length)).toEqual(expectedCells);
    expect(cells[expectedCells.length]).toBe(chosen.ratios[0].toFixed(2));
    await expect(section.locator('[data-testid="sensitivity-disagreeing"]').count()).resolves.toBe(0);

    // Hovering (or focusing, from the keyboard) a legend entry highlights its line: the others fade.
    const opacities = () => curves.evaluateAll((ps) => ps.map((p) => p.getAttribute('stroke-opacity')));
    await legend.first().hover();
    await expect.poll(opacities).toEqual(params.map((_, i) => (i === 0 ? '1' : '0.15')));
    await page.mouse.move(0, 0);
    await expect.poll(opacities).toEqual(params.map(() => '1'));
    await legend.nth(2).focus();
    await expect.poll(opacities).toEqual(params.map((_, i) => (i === 2 ? '1' : '0.15')));
    await expect(legend.nth(2).getAttribute('aria-pressed')).resolves.toBe('true');
    await page.screenshot({ path: path.join(SHOTS, 'model-page-sensitivity.png'), fullPage: true });
  });
});
