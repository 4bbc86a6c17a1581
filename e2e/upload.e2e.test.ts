import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiToken } from '../lib/auth/api-tokens';
import { writeSyntheticSplit } from '../lib/datasets/synthetic';
import { launchBrowser } from '../tests/setup/launch-browser';

/**
 * Upload -> jobs -> model page in a real browser against the built app and this run's test database.
 * No worker runs beside the e2e web server, so the queued jobs stay queued: the test checks that the
 * upload registered the run and its jobs exactly as the metadata asked.
 */

const appUrl = inject('appUrl');
const SHOTS = path.resolve(import.meta.dirname, '..', 'test-results');
const MODEL_FILE = path.resolve(import.meta.dirname, '..', 'lib', 'inference', '__fixtures__', 'detector-decoded.onnx');
let browser: Browser;
let page: Page;
let pool: pg.Pool;
let token: string;

function metadata(name: string, overrides: Record<string, unknown> = {}) {
  return {
    name,
    family: 'YOLOv3',
    backbone: 'mobilenet_v1',
    dataset: 'coco',
    method: 'prune',
    strategy: 'r578',
    baseline: 'yolov3-mobilenet-v1-coco',
    inputSizes: [320, 416],
    measurements: { analyse: true, benchmark: false, evaluate: false },
    ...overrides,
  };
}

async function runsNamed(name: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "RegisteredRun" WHERE name = $1`, [name]);
  return Number(rows[0].n);
}

async function fillForm(meta: unknown, withToken: string) {
  await page.goto(`${appUrl}/upload`);
  await page.setInputFiles('input[type="file"]', MODEL_FILE);
  await expect(page.locator('[data-testid="drop-zone"]').innerText()).resolves.toContain('detector-decoded.onnx');
  // The JSON is the form's advanced view of the same metadata.
  await page.locator('[data-testid="advanced"] summary').click();
  await page.fill('#meta', JSON.stringify(meta, null, 2));
  await page.fill('#token', withToken);
  await page.locator('[data-testid="upload-submit"]').click();
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 2 });
  token = (await createApiToken(pool, 'e2e upload')).token;
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
  await pool?.end();
});

describe('upload page', () => {
  it('checks the metadata in the browser, names the bad field and uploads nothing', async () => {
    const name = `e2e bad metadata ${Date.now()}`;
    await fillForm(metadata(name, { method: 'shrink' }), token);
    const error = page.locator('[data-testid="upload-error"]');
    await expect(error.innerText()).resolves.toMatch(/^metadata: .*method/);
    expect(await runsNamed(name)).toBe(0);
  });

  it('refuses a wrong token with 401 and says how to get one', async () => {
    const name = `e2e bad token ${Date.now()}`;
    await fillForm(metadata(name), 'sb_not-a-real-token');
    const error = page.locator('[data-testid="upload-token-error"]');
    await expect(error.innerText()).resolves.toMatch(/^The server refused the API token .*Run `npm run -s slimboard -- token create --name YOUR_NAME`.*paste the token/);
    expect(await runsNamed(name)).toBe(0);
  });

  it('a missing token gets the same sentence before anything is sent', async () => {
    const name = `e2e no token ${Date.now()}`;
    await fillForm(metadata(name), '');
    await expect(page.locator('[data-testid="upload-token-error"]').innerText()).resolves.toMatch(/^An API token is needed to upload\. Run `npm run -s slimboard -- token create --name YOUR_NAME`.*paste the token/);
    expect(await runsNamed(name)).toBe(0);
  });

  it('uploads with the form fields only: baseline from a zoo search, selects, a parameters table, the adapter previewed', async () => {
    const name = `e2e fields ${Date.now()}`;
    await page.goto(`${appUrl}/upload`);
    await page.setInputFiles('input[type="file"]', MODEL_FILE);
    await expect(page.locator('[data-testid="adapter-kind"]').innerText()).resolves.toBe('decoded');
    await page.fill('[data-testid="baseline-search"]', 'mobilenet coco');
    await page.locator('[data-testid="baseline-matches"] button[data-slug="yolov3-mobilenet-v1-coco"]').click();
    await expect(page.locator('[data-testid="baseline-picked"]').innerText()).resolves.toContain('yolov3-mobilenet-v1-coco');
    await expect(page.locator('input[name="family"]').inputValue()).resolves.toBe('YOLOv3');
    await expect(page.locator('input[name="backbone"]').inputValue()).resolves.not.toBe('');
    await expect(page.locator('select[name="dataset"]').inputValue()).resolves.toBe('coco');
    await page.fill('input[name="name"]', name);
    await page.selectOption('select[name="method"]', 'prune');
    await page.selectOption('select[name="strategy"]', 'r578');
    for (const size of ['608', '416']) await page.locator(`[data-testid="input-sizes"] input[value="${size}"]`).uncheck();
    await page.locator('[data-testid="input-sizes"] input[value="320"]').check();
    await page.locator('[data-testid="add-param"]').click();
    await page.fill('input[aria-label="parameter 1"]', 'yolo_block.0.0.0.conv.weights');
    await page.fill('input[aria-label="ratio 1"]', '0.25');
    for (const k of ['benchmark', 'evaluate']) await page.locator('label.inline', { hasText: k }).locator('input[type="checkbox"]').uncheck();
    await page.fill('#token', token);
    await page.screenshot({ path: path.join(SHOTS, 'upload-fields-filled.png'), fullPage: true });
    await page.locator('[data-testid="upload-submit"]').click();
    await expect(page.locator('[data-testid="upload-done"]').innerText()).resolves.toContain('Registered run');
    const { rows } = await pool.query<{ metadata: Record<string, unknown> }>(`SELECT metadata FROM "RegisteredRun" WHERE name = $1`, [name]);
    expect(rows).toHaveLength(1);
    expect(rows[0].metadata).toMatchObject({
      name,
      family: 'YOLOv3',
      dataset: 'coco',
      method: 'prune',
      strategy: 'r578',
      baseline: 'yolov3-mobilenet-v1-coco',
      inputSizes: [320],
      strategyParams: { prunedParams: ['yolo_block.0.0.0.conv.weights'], prunedRatios: [0.25] },
      measurements: { analyse: true, benchmark: false, evaluate: false },
    });
  });

  it('uploads a model; its queued jobs show on /jobs and the run has a model page', async () => {
    const name = `e2e upload ${Date.now()}`;
    await fillForm(metadata(name), token);
    await expect(page.locator('[data-testid="upload-done"]').innerText()).resolves.toContain('Registered run');
    expect(await runsNamed(name)).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'upload-done.png') });

    await page.locator('[data-testid="upload-done"] a[href="/jobs"]').click();
    await page.waitForURL(/\/jobs$/);
    const rows = page.locator('table.jobs-table tbody tr', { has: page.locator('td[title]', { hasText: name }) });
    // analyse only (benchmark and evaluate switched off): the page must list exactly the run's jobs in the
    // database, all analyse jobs, all queued (no worker runs here), with their input sizes.
    const { rows: dbJobs } = await pool.query<{ kind: string; state: string; inputSize: number }>(
      `SELECT j.kind, j.state, j."inputSize" FROM "RunJob" j JOIN "RegisteredRun" r ON r.id = j."runId" WHERE r.name = $1`,
      [name],
    );
    expect(dbJobs.length).toBeGreaterThan(0);
    expect(dbJobs.every((j) => j.kind === 'analyse' && j.state === 'queued')).toBe(true);
    await expect.poll(() => rows.count()).toBe(dbJobs.length);
    const shown = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(shown.map((cells) => cells[3])).toEqual(dbJobs.map(() => 'queued'));
    expect(shown.map((cells) => Number(cells[2])).sort()).toEqual(dbJobs.map((j) => j.inputSize).sort());
    await page.screenshot({ path: path.join(SHOTS, 'jobs-after-upload.png'), fullPage: true });

    const { rows: models } = await pool.query<{ slug: string }>(
      `SELECT m.slug FROM "RegisteredRun" r JOIN "Model" m ON m.id = r."modelId" WHERE r.name = $1`,
      [name],
    );
    expect(models).toHaveLength(1);
    const res = await page.goto(`${appUrl}/models/${models[0].slug}`);
    expect(res?.status()).toBe(200);
    await expect(page.locator('h1').innerText()).resolves.toContain(name);
  });

  it('registers a dataset from a tar archive of its folder: the Dataset row and its sha256 as the CLI would store them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slimboard-e2e-dataset-'));
    try {
      await writeSyntheticSplit({ outDir: path.join(dir, 'voc'), split: 'val', count: 4, seed: 5 });
      const tar = path.join(dir, 'voc.tar');
      execFileSync('tar', ['-cf', tar, '-C', path.join(dir, 'voc'), '.']);
      const name = `E2E VOC ${Date.now()}`;
      await page.goto(`${appUrl}/upload`);
      const form = page.locator('[data-testid="dataset-form"]');
      await form.locator('#dataset-file').setInputFiles(tar);
      await form.locator('#dataset-name').fill(name);
      await form.locator('#dataset-format').selectOption('voc');
      await form.locator('#dataset-split').fill('val');
      await form.locator('#dataset-token').fill(token);
      await form.locator('button[type="submit"]').click();
      const done = page.locator('[data-testid="dataset-done"]');
      await expect.poll(() => done.count(), { timeout: 30_000 }).toBe(1);
      const { rows } = await pool.query<{ slug: string; format: string; split: string; imageCount: number; sha256: string }>(
        `SELECT slug, format, split, "imageCount", sha256 FROM "Dataset" WHERE name = $1`,
        [name],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ format: 'voc', split: 'val', imageCount: 4 });
      await expect(done.innerText()).resolves.toContain(`${rows[0].slug} (voc, 4 images`);
      await expect(done.innerText()).resolves.toContain(rows[0].sha256.slice(0, 12));
      await page.screenshot({ path: path.join(SHOTS, 'upload-dataset-done.png'), fullPage: true });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
