import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LocalDiskArtifactStore } from '../lib/artifacts/local-disk-store';
import { createApiToken } from '../lib/auth/api-tokens';
import { DEMO_DATASET_SEED, writeSyntheticSplit } from '../lib/datasets/synthetic';
import { DEMO_ZOO_DIR, readDemoZooManifest, type TDemoZooManifest } from '../lib/demo-zoo/manifest';
import { registerDemoZoo } from '../lib/demo-zoo/register-demo-zoo';
import { openPipeline } from '../lib/jobs/pipeline';
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

/**
 * From the demo baseline's page, a quantize job started with a token makes a new model that appears in the zoo
 * with its lineage and measured numbers. The e2e database has no demo zoo, so the test registers the baseline
 * alone (one evaluation size, 2 val images) through the function `npm start` calls, and a calibration dataset
 * (4 images of the demo's train split) beside it. One real worker process measures; it shares the test's data dir.
 * Other runs' queued jobs (left by earlier e2e files) are held back while it runs, so it serves the baseline, its
 * compress job and the run that job makes.
 */

const appUrl = inject('appUrl');
const ROOT = path.resolve(import.meta.dirname, '..');
const SHIPPED = path.join(ROOT, DEMO_ZOO_DIR);
const SHOTS = path.join(ROOT, 'test-results');
const CALIB = `demo-shapes-train-e2e-${Date.now().toString(36)}`;
let browser: Browser;
let page: Page;
let tmp: string;
let pool: pg.Pool;
let baselineSlug: string;
let baselineRunId: string;
let token: string;
let worker: WorkerProcess | null = null;
let held: HeldJobs | null = null;

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'slimboard-e2e-compress-'));
  const dataDir = path.join(tmp, 'data');
  const shipped = await readDemoZooManifest(SHIPPED);
  const base = shipped.models.find((m) => m.lineage.method === 'baseline')!;
  const zooDir = path.join(tmp, 'zoo');
  fs.mkdirSync(zooDir);
  const evalSizes = shipped.adapter.resize.evalSizes.slice(0, 1);
  const sub: TDemoZooManifest = {
    ...shipped,
    adapter: { ...shipped.adapter, resize: { ...shipped.adapter.resize, evalSizes } },
    models: [base],
  };
  await copyFile(path.join(SHIPPED, base.file), path.join(zooDir, base.file));
  await writeFile(path.join(zooDir, 'manifest.json'), JSON.stringify(sub));

  const store = new LocalDiskArtifactStore(path.join(dataDir, 'artifacts'));
  const pipeline = await openPipeline({ databaseUrl: inject('databaseUrl'), supervise: false, poolSize: 4, store });
  try {
    const report = await registerDemoZoo(pipeline, { zooDir, dataDir, maxBytes: 1e9, valCount: 2, facesPerEvent: 2 });
    expect(report.problems).toEqual([]);
    baselineSlug = report.models.find((m) => m.id === base.id)!.modelSlug!;
    baselineRunId = report.models.find((m) => m.id === base.id)!.runId!;
  } finally {
    await pipeline.close();
  }
  // Calibration: the demo's train split, installed on the worker's data dir and known to the database.
  await writeSyntheticSplit({ outDir: path.join(dataDir, 'datasets', CALIB), split: 'train', count: 4, seed: DEMO_DATASET_SEED });
  pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 2 });
  await pool.query(`INSERT INTO "Dataset" (slug, name, aliases) VALUES ($1, 'Demo shapes (train, e2e)', '{}')`, [CALIB]);
  token = (await createApiToken(pool, `e2e compress ${Date.now()}`)).token;

  held = await holdBackOtherJobs(pool, [baselineRunId]);
  worker = spawnWorker(quickWorkerEnv(inject('databaseUrl'), dataDir));

  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
});

afterAll(() => closeWorkerTest({ browser, worker, held, pool, tmp }));

describe('compress from the model page', () => {
  it('quantize with a token: the job registers a new model with its lineage, and the zoo shows its measured numbers', async () => {
    await page.goto(`${appUrl}/models/${baselineSlug}`);
    const form = page.locator('[data-testid="compress-form"]');
    await expect(form.count()).resolves.toBe(1);
    // The evaluation dataset is not offered for calibration; the train split is picked by default.
    await expect(form.locator('#calib-dataset option[value="demo-shapes"]').count()).resolves.toBe(0);
    await expect(form.locator('#calib-dataset').inputValue()).resolves.toBe(CALIB);
    await form.locator('#calib-images').fill('4');

    // Without a token: refused in the browser, nothing sent.
    await form.locator('#compress-token').fill('');
    await form.locator('button[type="submit"]').click();
    await expect(page.locator('[data-testid="compress-token-error"]').count()).resolves.toBe(1);

    await form.locator('#compress-token').fill(token);
    await form.locator('button[type="submit"]').click();
    const link = page.locator('[data-testid="compress-result-link"]');
    // The form polls the job; the worker first measures the baseline's own jobs, then quantizes (minutes on a busy machine).
    const deadline = Date.now() + 480_000;
    let apiDoneAt: number | null = null;
    while ((await link.count()) === 0) {
      const status = page.locator('[data-testid="compress-status"], [data-testid="compress-error"]');
      const text = (await status.count()) ? await status.first().innerText() : '(no status)';
      const failed = (await page.locator('[data-testid="compress-status"].error, [data-testid="compress-error"]').count()) > 0;
      const api = await fetch(`${appUrl}/api/runs/${baselineRunId}/compress`).then(async (r) => `${r.status} ${await r.text()}`);
      if (apiDoneAt === null && api.includes('"result":{')) apiDoneAt = Date.now();
      if (failed || Date.now() > deadline || (apiDoneAt !== null && Date.now() - apiDoneAt > 20_000)) {
        await page.screenshot({ path: path.join(SHOTS, 'compress-failed.png'), fullPage: true });
        const jobs = await pool.query(`SELECT kind, state, progress, error FROM "RunJob" ORDER BY "createdAt"`);
        throw new Error(
          `no new model linked: ${text}\napi: ${api.slice(0, 1500)}\njobs: ${JSON.stringify(jobs.rows)}\nworker log: ${worker?.logTail(2000)}`,
        );
      }
      await page.waitForTimeout(2000);
    }
    const newSlug = (await link.innerText()).trim();
    await page.screenshot({ path: path.join(SHOTS, 'compress-queued.png'), fullPage: true });

    await link.click();
    await page.waitForURL(`**/models/${newSlug}`);
    const lineage = page.locator('[data-testid="lineage"]');
    await expect(lineage.locator(`a[href="/models/${baselineSlug}"]`).count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('h1 .tag').innerText()).resolves.toBe('ptq-minmax');

    // Measured like an upload: the zoo's measured section for the demo dataset has the row with its GFLOPs and AP.
    const row = page.locator(`table[data-section="runs-demo-shapes"] tr[data-model="${newSlug}"]`);
    await expect
      .poll(
        async () => {
          await gotoFresh(page, `${appUrl}/zoo?source=measured`);
          if ((await row.count()) === 0) return 'no row';
          const gflops = await row.locator('td[data-column="gflops"] .metric').count();
          const ap = await row.locator('td[data-column="boxAp"] .metric').count();
          return gflops > 0 && ap > 0 ? 'measured' : `gflops ${gflops} ap ${ap}`;
        },
        { timeout: 420_000, interval: 5000 },
      )
      .toBe('measured');
    await page.screenshot({ path: path.join(SHOTS, 'compress-zoo-row.png'), fullPage: true });
  }, 1_000_000);
});
