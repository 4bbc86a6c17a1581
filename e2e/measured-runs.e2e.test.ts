import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiToken } from '../lib/auth/api-tokens';
import { withPgTransaction } from '../lib/db/pg-transaction';
import { publishMeasurements, scalarsFromResult } from '../lib/runs/publish-measurements';
import { recordResult } from '../lib/runs/record-result';
import { measuredAdapterOf } from '../lib/inference/detection/measured-adapter';
import { parseModelAdapter } from '../lib/inference/detection/model-adapter';
import { parseRfc4180 } from '../tests/rfc4180';

/**
 * A model uploaded through /upload with the form fields only (declared prune / sensity, no parameters of its own)
 * appears wherever published models do: the zoo's measured
 * section for its dataset (with progress while measured, filterable by submitter, optional AP50 column),
 * the explorer's points, the compare picker and the overview's counts; /jobs links it; the CSV export links
 * it absolutely; its page shows only its own lineage (none of the published sensity ratios) and the adapter that
 * measured its Box AP. No worker runs beside the e2e server: the test publishes the jobs' results the way a
 * worker does (lib/runs/record-result.ts + publish-measurements.ts).
 */

const appUrl = inject('appUrl');
const SHOTS = path.resolve(import.meta.dirname, '..', 'test-results');
const MODEL_FILE = path.resolve(import.meta.dirname, '..', 'lib', 'inference', '__fixtures__', 'detector-decoded.onnx');
// A token name that is also a valid owner handle: the zoo shows the owner (docs/owners.md).
const SUBMITTER = `e2e-measured-${Date.now()}`;
let browser: Browser;
let page: Page;
let pool: pg.Pool;
let run: { id: string; modelSlug: string; jobs: Array<{ id: string; kind: string }> };

async function finish(kind: 'analyse' | 'evaluate', result: Record<string, unknown>) {
  const job = run.jobs.find((j) => j.kind === kind)!;
  await withPgTransaction(pool, async (client) => {
    await recordResult(client, { runId: run.id, kind, dataset: kind === 'evaluate' ? 'coco' : '', inputSize: 320, device: '' }, result, { jobId: job.id, attempt: 1 });
    const scalars = scalarsFromResult(kind, 320, result);
    await publishMeasurements(client, { runId: run.id, jobId: job.id, scalars, deviceId: null, deviceSlug: null, datasetSlug: kind === 'evaluate' ? 'coco' : null });
    await client.query(`UPDATE "RunJob" SET state = 'done', progress = 1, "finishedAt" = now() WHERE id = $1`, [job.id]);
  });
}

async function headline(): Promise<{ models: number; measured: number }> {
  await page.goto(`${appUrl}/`);
  return {
    models: Number(await page.locator('[data-testid="headline-models"]').innerText()),
    measured: Number(await page.locator('[data-testid="headline-measured"]').innerText()),
  };
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 2 });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
});
afterAll(async () => {
  await browser?.close();
  await pool?.end();
});

describe('a registered run in every view', () => {
  let before: { models: number; measured: number };

  it('uploaded through /upload with the form fields only, it is a zoo row showing its progress while measured', async () => {
    before = await headline();
    const token = (await createApiToken(pool, SUBMITTER)).token;
    const name = `E2E measured ${Date.now()}`;
    // Form fields only (no JSON typed): declared prune / sensity with no pruning parameters of its own.
    await page.goto(`${appUrl}/upload`);
    await page.setInputFiles('input[type="file"]', MODEL_FILE);
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
    await page.locator('button[type="submit"]').click();
    await expect(page.locator('[data-testid="upload-done"]').innerText()).resolves.toContain('Registered run');
    const { rows } = await pool.query<{ id: string; slug: string; door: string; params: unknown }>(
      `SELECT r.id, m.slug, r.door, r.metadata->'strategyParams' AS params FROM "RegisteredRun" r JOIN "Model" m ON m.id = r."modelId" WHERE r.name = $1`,
      [name],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].door).toBe('web');
    expect(rows[0].params ?? {}).toEqual({});
    const jobs = await pool.query<{ id: string; kind: string }>(`SELECT id, kind FROM "RunJob" WHERE "runId" = $1`, [rows[0].id]);
    run = { id: rows[0].id, modelSlug: rows[0].slug, jobs: jobs.rows };
    expect(run.jobs.map((j) => j.kind).sort()).toEqual(['analyse', 'evaluate']);

    await finish('analyse', { gflops: 1.5, bytes: 3_000_000, params: 2_000_000 });
    await page.goto(`${appUrl}/zoo?source=measured&submitter=${encodeURIComponent(SUBMITTER)}`);
    const row = page.locator(`table[data-section="runs-coco"] tr[data-model="${run.modelSlug}"]`);
    await expect.poll(() => row.count()).toBe(1);
    await expect(page.locator('table.zoo-table tbody tr').count()).resolves.toBe(1);
    await expect(row.locator('[data-testid="run-progress"]').innerText()).resolves.toContain('1 of 2 jobs done');
    await expect(row.locator('td[data-column="gflops"] .metric').getAttribute('data-value')).resolves.toBe('1.5');
    await expect(row.locator('td[data-column="boxAp"]').innerText()).resolves.toBe('–');
    await expect(page.locator('[data-testid="filter-submitter"]').inputValue()).resolves.toBe(SUBMITTER);
    await page.screenshot({ path: path.join(SHOTS, 'zoo-measured-run-partial.png'), fullPage: true });
  });

  it('once measured: accuracy, optional AP50 column, explorer point, compare option, overview counts, jobs links, CSV', async () => {
    // As the worker stores it: the evaluation's numbers and the adapter that measured them (none declared: auto-detected).
    const adapter = parseModelAdapter({ name: 'auto:decoded', output: { kind: 'decoded', boxes: 'boxes', scores: 'scores' } }, 'auto');
    const measuredAdapter = measuredAdapterOf({ declaredAdapter: false, adapterFromRunId: null }, adapter);
    await finish('evaluate', { metrics: { AP: 0.25, AP50: 0.5, AP75: 0.2, APs: -1, APm: 0.1, APl: 0.3 }, measuredAdapter });
    await page.goto(`${appUrl}/zoo?source=measured&submitter=${encodeURIComponent(SUBMITTER)}&show=ap50`);
    const row = page.locator(`table[data-section="runs-coco"] tr[data-model="${run.modelSlug}"]`);
    await expect.poll(() => row.locator('td[data-column="boxAp"] .metric').getAttribute('data-value')).toBe('25');
    await expect(row.locator('[data-testid="run-progress"]').count()).resolves.toBe(0);
    await expect(row.locator('td[data-column="ap50"]').innerText()).resolves.toBe('50.0');
    await expect(page.locator('table[data-section="runs-coco"] th[data-column="apSmall"]').count()).resolves.toBe(0);

    await page.goto(`${appUrl}/explorer?dataset=coco&sizes=320`);
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
    expect(values[cols.indexOf('ap50')]).toBe('50');
    expect(values[cols.indexOf('submitter')]).toBe(SUBMITTER);
    expect(values[cols.indexOf('adapter_origin')]).toBe('auto-detected');
  });
});
