import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LocalDiskArtifactStore } from '../lib/artifacts/local-disk-store';
import { createApiToken } from '../lib/auth/api-tokens';
import { paddleslimGflops } from '../lib/compression/prune-to-flops';
import { sensitivityParams } from '../lib/compression/sensitivity';
import { DEMO_ZOO_DIR, readDemoZooManifest, type TDemoZooManifest } from '../lib/demo-zoo/manifest';
import { registerDemoZoo } from '../lib/demo-zoo/register-demo-zoo';
import { openPipeline } from '../lib/jobs/pipeline';
import { pruneChannels } from '../lib/onnx/channel-prune';
import { readModelFile } from '../lib/onnx/model-file';
import { formatRatio, formatRelativeChange, formatSignificant } from '../lib/zoo/number-format';
import { launchBrowser } from '../tests/setup/launch-browser';
import {
  closeWorkerTest,
  holdBackOtherJobs,
  quickWorkerEnv,
  spawnWorker,
  type HeldJobs,
  type WorkerProcess,
} from '../tests/setup/worker-process';

/**
 * The compression workbench's sensitivity and prune-to-target jobs, started from a model page with a token, in a real
 * browser against the real app, PostgreSQL and one real worker process.
 *
 * The e2e database has no demo zoo, so the test registers the demo baseline under its own manifest id (so its model is
 * not the one compress.e2e quantizes) at one evaluation size, with IMAGES val images, through the function `npm start`
 * calls. Every queued job of other runs is held back while the worker runs, so it serves this test's compress jobs
 * (the baseline's own measurements are held back too: nothing here needs them).
 *
 * 1. Refusals are shown in the form, each naming the problem and what to do, with no job queued: descending and
 *    out-of-range ratios and a bad image count (checked in the browser by the shared schema), an unregistered dataset
 *    (422) and prune-to-target before any analysis (409).
 * 2. Sensitivity of 3 convs x 2 ratios from the form: the model page's table and chart show exactly the job's stored
 *    SensitivityCell rows (read from the database here).
 * 3. Prune-to-target from the form: the new model's page shows its lineage and a "Made by a compress job" section whose
 *    numbers are the job's report in the database; pruning that model to a target again is refused (409).
 */

const appUrl = inject('appUrl');
const ROOT = path.resolve(import.meta.dirname, '..');
const SHIPPED = path.join(ROOT, DEMO_ZOO_DIR);
const SHOTS = path.join(ROOT, 'test-results');
const MANIFEST_ID = 'baseline_sens_e2e';
const SIZE = 320;
const IMAGES = 8;
const RATIOS = [0.3, 0.5];
const CONVS = 3;
const JOB_TIMEOUT_MS = 300_000;

let browser: Browser;
let page: Page;
let tmp: string;
let pool: pg.Pool;
let token: string;
let worker: WorkerProcess | null = null;
let held: HeldJobs | null = null;
let baseline: { runId: string; slug: string };
let params: string[];
/** The GFLOPs reduction asked for, in percent as typed into the form: half of what the 3 convs at the largest ratio remove. */
let targetPct: string;

const form = () => page.locator('[data-testid="compress-form"]');
const chooseMethod = (label: string) => form().locator('label.inline', { hasText: label }).locator('input[type="radio"]').check();

async function compressJobs(runId: string): Promise<Array<{ id: string; state: string; error: string | null }>> {
  const r = await pool.query(`SELECT id, state, error FROM "RunJob" WHERE "runId" = $1 AND kind = 'compress' ORDER BY "createdAt"`, [
    runId,
  ]);
  return r.rows;
}

/** Submit the form and return the refusal it shows (the page stays up: the heading is still there). */
async function refusal(): Promise<string> {
  await form().locator('button[type="submit"]').click();
  const error = page.locator('[data-testid="compress-error"]');
  await error.waitFor({ timeout: 15_000 });
  await expect(page.locator('h1').count()).resolves.toBe(1);
  return error.innerText();
}

/** Poll the form's job status until the job is done (or fail with the job row and the worker's log). */
async function waitForFormJob(status: Locator, until: (text: string) => boolean): Promise<string> {
  const deadline = Date.now() + JOB_TIMEOUT_MS;
  for (;;) {
    const text = (await status.count()) ? await status.innerText() : '';
    if (until(text)) return text;
    const failed = text.includes(': failed') || (await page.locator('[data-testid="compress-error"]').count()) > 0;
    if (failed || Date.now() > deadline) {
      await page.screenshot({ path: path.join(SHOTS, 'compress-sensitivity-failed.png'), fullPage: true });
      const jobs = await compressJobs(baseline.runId);
      throw new Error(`compress job not done: "${text}"\njobs: ${JSON.stringify(jobs)}\nworker log: ${worker?.logTail(3000)}`);
    }
    await page.waitForTimeout(1000);
  }
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'slimboard-e2e-compress-sens-'));
  const dataDir = path.join(tmp, 'data');
  const shipped = await readDemoZooManifest(SHIPPED);
  const base = shipped.models.find((m) => m.lineage.method === 'baseline')!;
  const own = { ...base, id: MANIFEST_ID, lineage: { ...base.lineage, baseline: MANIFEST_ID } };
  const zooDir = path.join(tmp, 'zoo');
  fs.mkdirSync(zooDir);
  const sub: TDemoZooManifest = {
    ...shipped,
    adapter: { ...shipped.adapter, resize: { ...shipped.adapter.resize, evalSizes: [SIZE] } },
    models: [own],
  };
  await copyFile(path.join(SHIPPED, base.file), path.join(zooDir, base.file));
  await writeFile(path.join(zooDir, 'manifest.json'), JSON.stringify(sub));

  const pipeline = await openPipeline({
    databaseUrl: inject('databaseUrl'),
    supervise: false,
    poolSize: 4,
    store: new LocalDiskArtifactStore(path.join(dataDir, 'artifacts')),
  });
  try {
    const report = await registerDemoZoo(pipeline, { zooDir, dataDir, maxBytes: 1e9, valCount: IMAGES, facesPerEvent: 1 });
    expect(report.problems).toEqual([]);
    const m = report.models.find((x) => x.id === MANIFEST_ID)!;
    baseline = { runId: m.runId!, slug: m.modelSlug! };
  } finally {
    await pipeline.close();
  }

  // Three prunable convs (the analysis' own default order) and a target they can reach: half of what they remove at the
  // largest ratio, counted by the library the job uses.
  const model = readModelFile(path.join(zooDir, base.file)).model;
  params = sensitivityParams(model, base.file, RATIOS)
    .slice(0, CONVS)
    .map((p) => p.param);
  const max = Math.max(...RATIOS);
  const pruned = pruneChannels(model, { params, ratios: params.map(() => max), inputSize: SIZE }).model;
  const reachable = 1 - paddleslimGflops(pruned, SIZE) / paddleslimGflops(model, SIZE);
  expect(reachable).toBeGreaterThan(0);
  targetPct = ((reachable / 2) * 100).toFixed(2);

  pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 2 });
  token = (await createApiToken(pool, `e2e compress sensitivity ${Date.now()}`)).token;
  held = await holdBackOtherJobs(pool, []);
  worker = spawnWorker(quickWorkerEnv(inject('databaseUrl'), dataDir));
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
});

afterAll(() => closeWorkerTest({ browser, worker, held, pool, tmp }));

describe('compression workbench from the model page: sensitivity and prune-to-target', () => {
  it('EXPECTED FAILURE: bad ratios, a bad image count, an unknown dataset (422) and prune-to-target without an analysis (409) are shown in the form; no job queued', async () => {
    await page.goto(`${appUrl}/models/${baseline.slug}`);
    await form().locator('#compress-token').fill(token);
    await chooseMethod('sensitivity analysis');

    await form().locator('#sens-ratios').fill('0.5, 0.3');
    expect(await refusal()).toBe('request: ratios.1: 0.3 does not follow 0.5 (ratios must be strictly ascending)');
    await form().locator('#sens-ratios').fill('0.3, 1.2');
    expect(await refusal()).toBe('request: ratios.1: give each ratio as a fraction of channels above 0 and below 1 (e.g. 0.3)');
    await form().locator('#sens-ratios').fill('0.3, 0.5');
    for (const images of ['0', 'many']) {
      await form().locator('#sens-images').fill(images);
      expect(await refusal()).toBe('request: images: give a whole number of images, at least 1 (e.g. 40)');
    }
    await form().locator('#sens-images').fill(String(IMAGES));

    // Valid in the browser, refused by the server before queueing.
    await form().locator('#sens-dataset').fill('no-such-dataset-e2e');
    const unknown = await refusal();
    expect(unknown).toMatch(/^422: dataset: no registered dataset "no-such-dataset-e2e"/);
    expect(unknown).toContain('dataset list');
    await form().locator('#sens-dataset').fill('');

    await chooseMethod('prune to a GFLOPs target');
    const noAnalysis = await refusal();
    expect(noAnalysis).toMatch(
      /^409: run .* has no sensitivity analysis to read ratios from: start a "sensitivity" compression of it first$/,
    );
    await page.screenshot({ path: path.join(SHOTS, 'compress-sensitivity-refused.png'), fullPage: true });
    expect(await compressJobs(baseline.runId)).toEqual([]);
  });

  it('sensitivity of 3 convs x 2 ratios from the form: the page shows exactly the stored SensitivityCell rows', async () => {
    await page.goto(`${appUrl}/models/${baseline.slug}`);
    await expect(page.locator('[data-testid="sensitivity"]').count()).resolves.toBe(0);
    await form().locator('#compress-token').fill(token);
    await chooseMethod('sensitivity analysis');
    await form().locator('#sens-images').fill(String(IMAGES));
    await form().locator('#sens-ratios').fill(RATIOS.join(', '));
    await form().locator('#sens-params').fill(params.join(', '));
    await form().locator('button[type="submit"]').click();
    await waitForFormJob(page.locator('[data-testid="compress-status"]'), (t) => t.includes('analysis stored'));

    const [job] = await compressJobs(baseline.runId);
    expect(job.state).toBe('done');
    const cells = await pool.query<{ param: string; ratio: number; ap: number }>(
      `SELECT param, ratio, ap FROM "SensitivityCell" WHERE "jobId" = $1 ORDER BY param, ratio`,
      [job.id],
    );
    // The unpruned baseline (param '' at ratio 0), then every conv at every ratio.
    expect(cells.rows).toHaveLength(1 + CONVS * RATIOS.length);
    const baselineAp = cells.rows.find((c) => c.param === '')!.ap;
    expect(new Set(cells.rows.filter((c) => c.param !== '').map((c) => c.param))).toEqual(new Set(params));

    await page.reload();
    const section = page.locator('[data-testid="sensitivity"]');
    await expect(section.count()).resolves.toBe(1);
    const caption = await section.locator('figcaption').innerText();
    expect(caption).toContain(`${IMAGES} val images`);
    expect(caption).toContain(`baseline AP ${baselineAp}`);
    expect(caption).toContain(`Slimboard compress job ${job.id}`);
    const rows = section.locator('[data-testid="sensitivity-table"] tbody tr');
    await expect(rows.count()).resolves.toBe(CONVS);
    for (const p of params) {
      const shown = await section.locator(`[data-testid="sensitivity-table"] tbody tr[data-param="${p}"] td`).allInnerTexts();
      const expected = RATIOS.flatMap((r) => {
        const c = cells.rows.find((x) => x.param === p && x.ratio === r)!;
        return [(((baselineAp - c.ap) / baselineAp) * 100).toFixed(2), c.ap.toFixed(4)];
      });
      expect(shown, p).toEqual(expected);
    }
    // The chart: one recharts line per conv, each through ratio 0 and both measured ratios.
    const curves = section.locator('figure [role="img"] svg path.recharts-line-curve');
    await expect.poll(() => curves.count(), { timeout: 15_000 }).toBe(CONVS);
    const vertices = await curves.evaluateAll((ps) => ps.map((p) => (p.getAttribute('d') ?? '').match(/[ML]/g)?.length ?? 0));
    expect(vertices).toEqual(params.map(() => 1 + RATIOS.length));
    await page.screenshot({ path: path.join(SHOTS, 'compress-sensitivity-analysis.png'), fullPage: true });
  });

  it('prune-to-target from the form: a new model with its lineage and the job report on its page; pruning it to a target again is 409', async () => {
    await page.goto(`${appUrl}/models/${baseline.slug}`);
    await form().locator('#compress-token').fill(token);
    await chooseMethod('prune to a GFLOPs target');
    await form().locator('#flops-target').fill(targetPct);
    await form().locator('#ratio-rule').selectOption('paddleslim');
    await form().locator('button[type="submit"]').click();
    const link = page.locator('[data-testid="compress-result-link"]');
    await waitForFormJob(page.locator('[data-testid="compress-status"]'), (t) => t.includes('new model'));
    const newSlug = (await link.innerText()).trim();

    const jobs = await compressJobs(baseline.runId);
    expect(jobs).toHaveLength(2);
    const { rows } = await pool.query(`SELECT id, metadata FROM "RegisteredRun" WHERE metadata->'compression'->>'jobId' = $1`, [
      jobs[1].id,
    ]);
    expect(rows).toHaveLength(1);
    const meta = rows[0].metadata;
    const report = meta.compression.report as {
      flopsTarget: number;
      lossThreshold: number;
      rule: string;
      inputSize: number;
      gflopsBefore: number;
      gflopsAfter: number;
      reduction: number;
      predictedReduction: number;
      ratios: Array<{ param: string; ratio: number; interpolatedLoss: number }>;
    };
    expect(report.flopsTarget).toBe(Number(targetPct) / 100);
    expect(report.rule).toBe('paddleslim');
    expect(report.inputSize).toBe(SIZE);

    await link.click();
    await page.waitForURL(`**/models/${newSlug}`);
    await expect(page.locator('[data-testid="lineage"]').locator(`a[href="/models/${baseline.slug}"]`).count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('h1 .tag').innerText()).resolves.toBe('sensity');
    // The derived name and the request's line print the target as every relative change on these pages: "−1.6 %".
    await expect(page.locator('h1').innerText()).resolves.toContain(`pruned ${formatRelativeChange(-report.flopsTarget)} GFLOPs`);

    // "Made by a compress job": the job's report, number for number (data-value keeps the stored value).
    const made = page.locator('[data-testid="made-by-compress-job"]');
    await expect(made.count()).resolves.toBe(1);
    await expect(made.innerText()).resolves.toContain(jobs[1].id);
    const value = async (testId: string, attr = 'data-value') => Number(await made.locator(`[data-testid="${testId}"]`).getAttribute(attr));
    const text = (testId: string) => made.locator(`[data-testid="${testId}"]`).innerText();
    expect(await value('compress-target')).toBe(report.flopsTarget);
    expect(await text('compress-target')).toBe(formatRelativeChange(-report.flopsTarget));
    expect(await value('compress-threshold')).toBe(report.lossThreshold);
    expect(await text('compress-threshold')).toBe(formatRelativeChange(-report.lossThreshold, 2));
    expect(await text('compress-rule')).toBe('paddleslim');
    expect(await value('compress-gflops', 'data-before')).toBe(report.gflopsBefore);
    expect(await value('compress-gflops', 'data-after')).toBe(report.gflopsAfter);
    expect(await text('compress-gflops')).toBe(
      `${formatSignificant(report.gflopsBefore, 4)} → ${formatSignificant(report.gflopsAfter, 4)}`,
    );
    expect(await value('compress-actual')).toBe(report.reduction);
    expect(await text('compress-actual')).toBe(formatRelativeChange(-report.reduction, 2));
    expect(await value('compress-predicted')).toBe(report.predictedReduction);
    expect(await text('compress-predicted')).toBe(formatRelativeChange(-report.predictedReduction, 2));
    expect(report.reduction).toBeCloseTo(1 - report.gflopsAfter / report.gflopsBefore, 12);
    const chosen = report.ratios.filter((r) => r.ratio > 0);
    const ratioRows = made.locator('[data-testid="compress-ratios"] tbody tr');
    await expect(ratioRows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-param')))).resolves.toEqual(
      chosen.map((r) => r.param),
    );
    for (const r of chosen) {
      const tds = made.locator(`[data-testid="compress-ratios"] tbody tr[data-param="${r.param}"] td`);
      expect(Number(await tds.nth(1).getAttribute('data-value'))).toBe(r.ratio);
      expect(Number(await tds.nth(2).getAttribute('data-value'))).toBe(r.interpolatedLoss);
      expect(await tds.nth(2).innerText()).toBe(formatRelativeChange(-r.interpolatedLoss, 2));
    }

    // Its pruned parameters, and the analysis they were read from with its rule: no chosen ratio flagged.
    const prunedParams = await page.locator('[data-testid="pruned-params"] tbody tr td code').allInnerTexts();
    expect(prunedParams).toEqual(chosen.map((r) => r.param));
    // The ratios as the recipe table prints them (at most 4 decimals), the exact value kept in the cell's title.
    const ratioCells = page.locator('[data-testid="pruned-params"] tbody tr td.num');
    expect(await ratioCells.allInnerTexts()).toEqual(chosen.map((r) => formatRatio(r.ratio)));
    expect((await ratioCells.evaluateAll((tds) => tds.map((td) => td.getAttribute('title')))).map(Number)).toEqual(
      chosen.map((r) => r.ratio),
    );
    const sensitivity = page.locator('[data-testid="sensitivity"]');
    await expect(sensitivity.locator('[data-testid="sensitivity-rule"] code').first().innerText()).resolves.toBe('paddleslim');
    await expect(sensitivity.locator('[data-testid="sensitivity-disagreeing"]').count()).resolves.toBe(0);
    await expect(sensitivity.locator('[data-testid="sensitivity-threshold"]').innerText()).resolves.toBe(
      formatRelativeChange(-report.lossThreshold, 2),
    );
    await page.screenshot({ path: path.join(SHOTS, 'compress-sensitivity-pruned-model.png'), fullPage: true });

    // Pruning the pruned model to a target again would read its parent's curves: refused in the form, nothing queued.
    await expect(form().count()).resolves.toBe(1);
    await form().locator('#compress-token').fill(token);
    await chooseMethod('prune to a GFLOPs target');
    const again = await refusal();
    expect(again).toMatch(/^409: run .* was itself pruned with ratios chosen from the sensitivity analysis of /);
    expect(again).toContain('start a "sensitivity" compression of this model first');
    expect(await compressJobs(rows[0].id)).toEqual([]);
  });
});
