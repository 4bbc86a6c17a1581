import fs from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiToken } from '../lib/auth/api-tokens';
import { SHAPE_CLASSES, writeSyntheticSplit } from '../lib/datasets/synthetic';
import { waitForRun } from '../lib/runs/run-report';
import { gotoFresh } from '../tests/setup/goto-fresh';
import { launchBrowser } from '../tests/setup/launch-browser';
import {
  closeWorkerTest,
  holdBackOtherJobs,
  quickWorkerEnv,
  spawnWorker,
  type HeldJobs,
  type WorkerProcess,
} from '../tests/setup/worker-process';
import { tinyDetector } from '../tests/pipeline/tiny-models';
import { parseRfc4180 } from '../tests/rfc4180';

/**
 * A model uploaded through /upload with the form fields only (declared prune / sensity, no parameters of its own)
 * appears wherever published models do: the zoo's measured section for its dataset (with its progress while
 * queued, filterable by submitter, optional AP50 column), the explorer's points, the compare picker and the
 * overview's counts; /jobs links it; the CSV export links it absolutely; its page shows only its own lineage (none
 * of the published sensity ratios) and the adapter that measured its Box AP.
 *
 * One real worker process measures it, configured as a remote worker: it reads the uploaded file over HTTP from
 * the e2e web app (SLIMBOARD_REMOTE_URL + a worker token) and evaluates on its own data dir, where `coco` is an
 * 8-image synthetic shapes split. The uploaded file is the tests' tiny detector (convolutions, so GFLOPs > 0 and the
 * explorer can draw it on its log cost axis).
 */

const appUrl = inject('appUrl');
const ROOT = path.resolve(import.meta.dirname, '..');
const SHOTS = path.join(ROOT, 'test-results');
// A token name that is also a valid owner handle: the zoo shows the owner (docs/owners.md).
const SUBMITTER = `e2e-measured-${Date.now()}`;
let browser: Browser;
let page: Page;
let pool: pg.Pool;
let tmp: string;
let modelFile: string;
let worker: WorkerProcess | null = null;
let held: HeldJobs | null = null;
let run: { id: string; modelSlug: string };

async function headline(): Promise<{ models: number; measured: number }> {
  await gotoFresh(page, `${appUrl}/`);
  return {
    models: Number(await page.locator('[data-testid="headline-models"]').innerText()),
    measured: Number(await page.locator('[data-testid="headline-measured"]').innerText()),
  };
}

/** The value the worker published for one metric of the run at 320 (the zoo must show this number). */
async function published(metric: string): Promise<number> {
  const { rows } = await pool.query<{ value: number }>(
    `SELECT m.value FROM "Measurement" m JOIN "RunJob" j ON j.id = m."jobId" WHERE j."runId" = $1 AND m.metric = $2 AND m."inputSize" = 320`,
    [run.id, metric],
  );
  expect(rows, `one published ${metric}`).toHaveLength(1);
  return rows[0].value;
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'slimboard-e2e-measured-'));
  // The worker's own data dir: dataset `coco` (the seed's row has no stored archive) is a folder installed there.
  await writeSyntheticSplit({ outDir: path.join(tmp, 'data', 'datasets', 'coco'), split: 'val', count: 8, seed: 7 });
  modelFile = path.join(tmp, 'tiny-detector.onnx');
  await writeFile(modelFile, tinyDetector({ numClasses: SHAPE_CLASSES.length, seed: 23 }));
  pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 2 });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
});
afterAll(() => closeWorkerTest({ browser, worker, held, pool, tmp }));

describe('a registered run in every view', () => {
  let before: { models: number; measured: number };

  it('uploaded through /upload with the form fields only, it is a zoo row showing its progress while measured', async () => {
    before = await headline();
    const token = (await createApiToken(pool, SUBMITTER)).token;
    const name = `E2E measured ${Date.now()}`;
    // Form fields only (no JSON typed): declared prune / sensity with no pruning parameters of its own.
    await page.goto(`${appUrl}/upload`);
    await page.setInputFiles('input[type="file"]', modelFile);
    await expect(page.locator('[data-testid="adapter-kind"]').innerText()).resolves.toBe('decoded');
    await page.fill('[data-testid="baseline-search"]', 'mobilenet coco');
    await page.locator('[data-testid="baseline-matches"] button[data-slug="yolov3-mobilenet-v1-coco"]').click();
    await page.fill('input[name="name"]', name);
    await page.selectOption('select[name="method"]', 'prune');
    await page.selectOption('select[name="strategy"]', 'sensity');
    for (const size of ['608', '416']) await page.locator(`[data-testid="input-sizes"] input[value="${size}"]`).uncheck();
    await page.locator('[data-testid="input-sizes"] input[value="320"]').check();
    await page.locator('label.inline', { hasText: 'benchmark' }).locator('input[type="checkbox"]').uncheck();
    await page.fill('#token', token);
    await page.locator('[data-testid="upload-submit"]').click();
    await expect(page.locator('[data-testid="upload-done"]').innerText()).resolves.toContain('Registered run');
    const { rows } = await pool.query<{ id: string; slug: string; door: string; params: unknown }>(
      `SELECT r.id, m.slug, r.door, r.metadata->'strategyParams' AS params FROM "RegisteredRun" r JOIN "Model" m ON m.id = r."modelId" WHERE r.name = $1`,
      [name],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].door).toBe('web');
    expect(rows[0].params ?? {}).toEqual({});
    const jobs = await pool.query<{ kind: string }>(`SELECT kind FROM "RunJob" WHERE "runId" = $1`, [rows[0].id]);
    expect(jobs.rows.map((j) => j.kind).sort()).toEqual(['analyse', 'evaluate']);
    run = { id: rows[0].id, modelSlug: rows[0].slug };

    // No worker yet: the row is in its dataset's measured section, with no numbers and its progress.
    await gotoFresh(page, `${appUrl}/zoo?source=measured&submitter=${encodeURIComponent(SUBMITTER)}`);
    const row = page.locator(`table[data-section="runs-coco"] tr[data-model="${run.modelSlug}"]`);
    await expect.poll(() => row.count()).toBe(1);
    await expect(page.locator('table.zoo-table tbody tr').count()).resolves.toBe(1);
    await expect(row.locator('[data-testid="run-progress"]').innerText()).resolves.toContain('0 of 2 jobs done');
    await expect(row.locator('td[data-column="gflops"]').innerText()).resolves.toBe('–');
    await expect(row.locator('td[data-column="boxAp"]').innerText()).resolves.toBe('–');
    await expect(page.locator('[data-testid="filter-submitter"]').inputValue()).resolves.toBe(SUBMITTER);
    await page.screenshot({ path: path.join(SHOTS, 'zoo-measured-run-queued.png'), fullPage: true });
  });

  it('measured by a real worker: accuracy, optional AP50 column, explorer point, compare option, overview counts, jobs links, CSV', async () => {
    // Other e2e files leave runs queued (no worker serves them). Hold their jobs back, so that this worker measures
    // this run alone and the overview's counts change by this model only (released in afterAll).
    held = await holdBackOtherJobs(pool, [run.id]);
    const workerToken = (await createApiToken(pool, `e2e measured worker ${Date.now()}`, 'worker')).token;
    worker = spawnWorker(
      quickWorkerEnv(inject('databaseUrl'), path.join(tmp, 'data'), {
        SLIMBOARD_REMOTE_URL: appUrl,
        SLIMBOARD_API_TOKEN: workerToken,
        SLIMBOARD_STORE_URL: '',
      }),
    );
    // Jobs other e2e files left queued may go first; each takes seconds (quick benchmarks, tiny models).
    const done = await waitForRun(pool, run.id, { timeoutMs: 400_000, pollMs: 1000 });
    expect(done.state, `${done.failureReason ?? ''}\nworker log: ${worker.logTail(3000)}`).toBe('done');

    const boxAp = await published('box_ap');
    const gflops = await published('gflops');
    expect(boxAp).toBeGreaterThanOrEqual(0);
    expect(gflops).toBeGreaterThan(0);
    const { rows: results } = await pool.query<{ metrics: { metrics: { AP50: number } } }>(
      `SELECT metrics FROM "MeasuredResult" WHERE "runId" = $1 AND kind = 'evaluate'`,
      [run.id],
    );
    const ap50 = results[0].metrics.metrics.AP50 * 100;

    await gotoFresh(page, `${appUrl}/zoo?source=measured&submitter=${encodeURIComponent(SUBMITTER)}&show=ap50`);
    const row = page.locator(`table[data-section="runs-coco"] tr[data-model="${run.modelSlug}"]`);
    await expect.poll(() => row.locator('td[data-column="boxAp"] .metric').getAttribute('data-value')).toBe(String(boxAp));
    await expect(row.locator('td[data-column="gflops"] .metric').getAttribute('data-value')).resolves.toBe(String(gflops));
    await expect(row.locator('[data-testid="run-progress"]').count()).resolves.toBe(0);
    await expect(row.locator('td[data-column="ap50"]').innerText()).resolves.toBe(ap50.toFixed(1));
    await page.screenshot({ path: path.join(SHOTS, 'zoo-measured-run-done.png'), fullPage: true });

    await gotoFresh(page, `${appUrl}/explorer?dataset=coco&sizes=320`);
    await expect(page.locator(`[data-testid="points-table"] tr[data-key="${run.modelSlug}@320"]`).count()).resolves.toBe(1);

    await page.goto(`${appUrl}/compare`);
    await expect(page.locator(`select[name="add"] option[value="${run.modelSlug}"]`).count()).resolves.toBe(1);

    const after = await headline();
    expect(after).toEqual({ models: before.models + 1, measured: before.measured + 1 });

    await page.goto(`${appUrl}/jobs`);
    const jobRow = page.locator('table.jobs-table tbody tr', { has: page.locator(`a[href="/models/${run.modelSlug}"]`) });
    await expect.poll(() => jobRow.count()).toBe(2);
    // Its page shows only its own lineage: sensity, but none of the published sensity ratios; its Box AP says which adapter.
    await page.goto(`${appUrl}/models/${run.modelSlug}`);
    await expect(page.locator('[data-testid="model-lineage-params"] h2').innerText()).resolves.toContain('sensity');
    await expect(page.locator('[data-testid="no-lineage-params"]').count()).resolves.toBe(1);
    await expect(page.locator('[data-testid="pruned-params"]').count()).resolves.toBe(0);
    const adapterCell = page.locator('[data-testid="number-adapter"]');
    await expect(adapterCell.count()).resolves.toBe(1);
    await expect(adapterCell.getAttribute('data-adapter-origin')).resolves.toBe('auto-detected');
    await expect(adapterCell.innerText()).resolves.toContain('auto-detected: decoded xyxy boxes');
    await page.screenshot({ path: path.join(SHOTS, 'model-page-own-lineage.png'), fullPage: true });
    await page.locator('[data-testid="model-jobs-link"]').click();
    await page.waitForURL(new RegExp(`/jobs\\?run=${run.id}$`));
    await expect.poll(() => page.locator('table.jobs-table tbody tr').count()).toBe(2);
    await page.screenshot({ path: path.join(SHOTS, 'jobs-of-one-run.png'), fullPage: true });

    const csv = await (await fetch(`${appUrl}/api/zoo?format=csv&submitter=${encodeURIComponent(SUBMITTER)}`)).text();
    // Fields with commas (the adapter's summary) are quoted: read it as CSV.
    const [cols, values] = parseRfc4180(csv);
    expect(values[cols.indexOf('model_url')]).toBe(`${appUrl}/models/${run.modelSlug}`);
    expect(values[cols.indexOf('download_url')]).toMatch(new RegExp(`^${appUrl}/api/artifacts/[0-9a-f]{64}$`));
    expect(Number(values[cols.indexOf('ap50')])).toBe(ap50);
    expect(values[cols.indexOf('submitter')]).toBe(SUBMITTER);
    expect(values[cols.indexOf('adapter_origin')]).toBe('auto-detected');
  });
});
