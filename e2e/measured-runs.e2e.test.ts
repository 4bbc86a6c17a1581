import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiToken } from '../lib/auth/api-tokens';
import { withPgTransaction } from '../lib/db/pg-transaction';
import { publishMeasurements, scalarsFromResult } from '../lib/runs/publish-measurements';
import { recordResult } from '../lib/runs/record-result';

/**
 * A model registered through POST /api/runs appears wherever published models do: the zoo's measured
 * section for its dataset (with progress while measured, filterable by submitter, optional AP50 column),
 * the explorer's points, the compare picker and the overview's counts; /jobs links it; the CSV export links
 * it absolutely. No worker runs beside the e2e server: the test publishes the jobs' results the way a
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

  it('registers through POST /api/runs and is a zoo row showing its progress while measured', async () => {
    before = await headline();
    const token = (await createApiToken(pool, SUBMITTER)).token;
    const fd = new FormData();
    fd.append(
      'meta',
      JSON.stringify({
        name: `E2E measured ${Date.now()}`,
        family: 'YOLOv3',
        backbone: 'mobilenet_v1',
        dataset: 'coco',
        method: 'prune',
        strategy: 'r578',
        baseline: 'yolov3-mobilenet-v1-coco',
        inputSizes: [320],
        measurements: { analyse: true, benchmark: false, evaluate: true },
      }),
    );
    fd.append('file', new Blob([fs.readFileSync(MODEL_FILE)]), 'detector-decoded.onnx');
    const res = await fetch(`${appUrl}/api/runs`, { method: 'POST', body: fd, headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { run: typeof run };
    expect(res.status, JSON.stringify(body)).toBe(201);
    run = body.run;
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
    await finish('evaluate', { metrics: { AP: 0.25, AP50: 0.5, AP75: 0.2, APs: -1, APm: 0.1, APl: 0.3 } });
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
    await page.goto(`${appUrl}/models/${run.modelSlug}`);
    await page.locator('[data-testid="model-jobs-link"]').click();
    await page.waitForURL(new RegExp(`/jobs\\?run=${run.id}$`));
    await expect.poll(() => page.locator('table.jobs-table tbody tr').count()).toBe(2);
    await page.screenshot({ path: path.join(SHOTS, 'jobs-of-one-run.png'), fullPage: true });

    const csv = await (await fetch(`${appUrl}/api/zoo?format=csv&submitter=${encodeURIComponent(SUBMITTER)}`)).text();
    const [header, line] = csv.trimEnd().split('\r\n');
    const cols = header.split(',');
    const values = line.split(',');
    expect(values[cols.indexOf('model_url')]).toBe(`${appUrl}/models/${run.modelSlug}`);
    expect(values[cols.indexOf('download_url')]).toMatch(new RegExp(`^${appUrl}/api/artifacts/[0-9a-f]{64}$`));
    expect(values[cols.indexOf('ap50')]).toBe('50');
    expect(values[cols.indexOf('submitter')]).toBe(SUBMITTER);
  });
});
