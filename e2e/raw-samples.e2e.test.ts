import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiToken } from '../lib/auth/api-tokens';
import { withPgTransaction } from '../lib/db/pg-transaction';
import type { JobContext } from '../lib/jobs/job-runner';
import { ZPairedLatencyResult } from '../lib/measure/benchmark-paired';
import { publishMeasurements, scalarsFromResult } from '../lib/runs/publish-measurements';
import { recordResult } from '../lib/runs/record-result';
import { pairedAccuracyView } from '../lib/zoo/paired-accuracy-view';
import { gotoFresh } from '../tests/setup/goto-fresh';
import { launchBrowser } from '../tests/setup/launch-browser';
import { benchmark } from '../workers/handlers/benchmark';
import type { MeasureContext } from '../workers/handlers/measure-context';

/**
 * Quality bar of issue #12: a measured run's benchmark result holds at least 100 raw samples per model (the
 * candidate's own benchmark, and both models of the paired one), and the compare page's box plot draws them.
 * The result is produced by the worker's own benchmark handler (workers/handlers/benchmark.ts: `bench --samples`,
 * then the paired `bench --baseline`) under the standard protocol, and committed the way the worker commits it
 * (record-result + publish-measurements). No worker process runs beside the e2e server.
 */

const appUrl = inject('appUrl');
const SHOTS = path.resolve(import.meta.dirname, '..', 'test-results');
const FIXTURES = path.resolve(import.meta.dirname, '..', 'lib', 'inference', '__fixtures__');
const MODEL_FILE = path.join(FIXTURES, 'detector-decoded.onnx');
const BASELINE_FILE = path.join(FIXTURES, 'detector-yolo.onnx');
const INPUT_SIZE = 320;
const DEVICE_SLUG = `e2e-raw-samples-${Date.now()}`;
let browser: Browser;
let page: Page;
let pool: pg.Pool;
let run: { id: string; modelSlug: string; jobs: Array<{ id: string; kind: string }> };

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 2 });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
});
afterAll(async () => {
  await browser?.close();
  await pool?.end();
});

describe('raw latency samples of a measured run', () => {
  it('>= 100 samples per model in the benchmark result, drawn by the compare page box plot', async () => {
    const token = (await createApiToken(pool, `e2e raw samples ${Date.now()}`)).token;
    const fd = new FormData();
    fd.append(
      'meta',
      JSON.stringify({
        name: `E2E raw samples ${Date.now()}`,
        family: 'YOLOv3',
        backbone: 'mobilenet_v1',
        dataset: 'coco',
        method: 'prune',
        strategy: 'r578',
        baseline: 'yolov3-mobilenet-v1-coco',
        inputSizes: [INPUT_SIZE],
        measurements: { analyse: false, benchmark: true, evaluate: true },
      }),
    );
    fd.append('file', new Blob([fs.readFileSync(MODEL_FILE)]), 'detector-decoded.onnx');
    const res = await fetch(`${appUrl}/api/runs`, { method: 'POST', body: fd, headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { run: { id: string; modelSlug: string; jobs: Array<{ id: string; kind: string }> } };
    expect(res.status, JSON.stringify(body)).toBe(201);
    run = body.run;
    const job = run.jobs.find((j) => j.kind === 'benchmark')!;
    const device = (
      await pool.query(`INSERT INTO "Device" (slug, name, runtime, threads) VALUES ($1, 'E2E CPU', 'onnxruntime-node', 1) RETURNING id`, [
        DEVICE_SLUG,
      ])
    ).rows[0] as { id: number };

    // The worker's benchmark handler, standard protocol (SLIMBOARD_BENCH_QUICK is not set here).
    const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-raw-samples-'));
    const progress: number[] = [];
    const ctx: MeasureContext = {
      job: {
        jobId: job.id,
        queue: 'benchmark',
        kind: 'benchmark',
        attempt: 1,
        payload: { runId: run.id, inputSize: INPUT_SIZE },
        workerId: 'e2e',
        deviceId: device.id,
        signal: new AbortController().signal,
        reportProgress: async (f) => void progress.push(f),
      } as JobContext,
      modelPath: MODEL_FILE,
      label: 'detector-decoded.onnx',
      adapterFromRunId: null,
      meta: {} as MeasureContext['meta'],
      device: { id: device.id, slug: DEVICE_SLUG, threads: 1 },
      baseline: { modelPath: BASELINE_FILE, slug: 'yolov3-mobilenet-v1-coco' },
      scratchDir,
      dataDir: scratchDir,
      datasets: { pool, store: null as unknown as MeasureContext['datasets']['store'] },
    };
    const metrics = await benchmark(ctx);
    fs.rmSync(scratchDir, { recursive: true, force: true });
    const samples = metrics.samplesMs as number[];
    expect(samples.length).toBeGreaterThanOrEqual(100);
    const paired = ZPairedLatencyResult.parse(metrics.paired);
    expect(paired.quick).toBe(false);
    expect(paired.candidate.samplesMs.length).toBeGreaterThanOrEqual(100);
    expect(paired.baseline.samplesMs.length).toBeGreaterThanOrEqual(100);
    expect(progress.some((p) => p > 0 && p < 1)).toBe(true);

    await withPgTransaction(pool, async (client) => {
      const key = { runId: run.id, kind: 'benchmark' as const, dataset: '', inputSize: INPUT_SIZE, device: DEVICE_SLUG };
      await recordResult(client, key, metrics, { jobId: job.id, attempt: 1 });
      const scalars = scalarsFromResult('benchmark', INPUT_SIZE, metrics);
      await publishMeasurements(client, {
        runId: run.id,
        jobId: job.id,
        scalars,
        deviceId: device.id,
        deviceSlug: DEVICE_SLUG,
        datasetSlug: null,
      });
      await client.query(`UPDATE "RunJob" SET state = 'done', progress = 1, "finishedAt" = now() WHERE id = $1`, [job.id]);
    });
    // What the database holds is what was measured.
    const stored = (await pool.query(`SELECT metrics FROM "MeasuredResult" WHERE "runId" = $1 AND kind = 'benchmark'`, [run.id])).rows[0]
      .metrics;
    expect((stored.samplesMs as number[]).length).toBe(samples.length);
    expect((stored.paired.candidate.samplesMs as number[]).length).toBe(paired.candidate.samplesMs.length);

    await page.goto(`${appUrl}/compare?models=${run.modelSlug},yolov3-mobilenet-v1-coco`);
    const rows = page.locator('[data-testid="box-plot-row"]');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(1);
    const all = await rows.evaluateAll((gs) => gs.map((g) => g.querySelector('text')?.textContent ?? ''));
    expect(
      all.some((t) => t.includes(`(n=${samples.length})`)),
      `box plot rows: ${all.join(' | ')}`,
    ).toBe(true);
    // The box (quartiles) and the histogram are drawn from those samples.
    await expect(rows.first().locator('rect').count()).resolves.toBeGreaterThan(1);
    await page.screenshot({ path: path.join(SHOTS, 'compare-raw-samples.png'), fullPage: true });
  }, 600_000);

  it('with a stored ΔAP too: the zoo cell shows it, the explorer draws both interval bars and states them on hover', async () => {
    const job = run.jobs.find((j) => j.kind === 'evaluate')!;
    // An evaluate result as the worker stores it once the baseline's evaluation is paired (lib/runs/paired-accuracy.ts).
    const ap = { candidate: 0.25, baseline: 0.254, delta: -0.004, lower: -0.009, upper: 0.001, significant: false, undefinedResamples: 0 };
    const result = {
      metrics: { AP: 0.25, AP50: 0.5, AP75: 0.2, APs: -1, APm: 0.1, APl: 0.3 },
      pairedAccuracy: {
        baselineRunId: 'e2e',
        baselineSlug: 'yolov3-mobilenet-v1-coco',
        baselineJobId: 'e2e-base-job',
        candidateJobId: job.id,
        comparison: {
          method: 'paired-bootstrap-images-percentile',
          images: 300,
          resamples: 1000,
          seed: 20261204,
          confidence: 0.95,
          metrics: { AP: ap },
        },
      },
    };
    await withPgTransaction(pool, async (client) => {
      await recordResult(client, { runId: run.id, kind: 'evaluate', dataset: 'coco', inputSize: INPUT_SIZE, device: '' }, result, {
        jobId: job.id,
        attempt: 1,
      });
      const scalars = scalarsFromResult('evaluate', INPUT_SIZE, result);
      await publishMeasurements(client, { runId: run.id, jobId: job.id, scalars, deviceId: null, deviceSlug: null, datasetSlug: 'coco' });
      await client.query(`UPDATE "RunJob" SET state = 'done', progress = 1, "finishedAt" = now() WHERE id = $1`, [job.id]);
    });
    const view = pairedAccuracyView(result)!;
    expect(view.text).toBe('ΔAP \u22120.4 [\u22120.9, +0.1] (not significant)');

    await gotoFresh(page, `${appUrl}/zoo?source=measured`);
    const cell = page.locator(`tr[data-model="${run.modelSlug}"] td[data-column="boxAp"] [data-paired-accuracy="true"]`);
    await expect.poll(() => cell.count()).toBe(1);
    await expect(cell.innerText()).resolves.toBe(`(${view.text})`);
    await expect(cell.getAttribute('class')).resolves.toContain('neutral');

    await gotoFresh(page, `${appUrl}/explorer?dataset=coco&x=latency&device=${DEVICE_SLUG}&sizes=${INPUT_SIZE}`);
    const bars = page.locator('svg.sb-chart-svg [data-testid="interval-bars"]');
    await expect.poll(() => bars.getAttribute('data-count')).toBe('2');
    // Not significant (ΔAP) is drawn grey, in the one path of undecided bars.
    await expect(bars.locator('path.sb-interval-undecided').count()).resolves.toBe(1);
    // The vertical (ΔAP) bar starts `M x,y0 V`, the horizontal (latency) one `M x0,y H`: together they give the point.
    const d = (await bars.locator('path').evaluateAll((ps) => ps.map((x) => x.getAttribute('d') ?? ''))).join('');
    const px = Number(/M([\d.]+),[\d.]+V/.exec(d)![1]);
    const py = Number(/M[\d.]+,([\d.]+)H/.exec(d)![1]);
    const box = (await page.locator('svg.sb-chart-svg').boundingBox())!;
    await page.mouse.move(box.x + px, box.y + py);
    const tooltip = page.locator('[data-testid="chart-tooltip"]');
    await expect(tooltip.locator('[data-testid="point-details"]').getAttribute('data-key')).resolves.toBe(`${run.modelSlug}@${INPUT_SIZE}`);
    await expect(tooltip.locator('[data-testid="accuracy-interval"]').innerText()).resolves.toBe(
      'ΔAP \u22120.4 [\u22120.9, +0.1] (95 % interval; not significant)',
    );
    await expect(tooltip.locator('[data-testid="latency-interval"]').innerText()).resolves.toMatch(/ % \[.*\] .*\(95 % interval; /);
    const row = page.locator(`tr[data-key="${run.modelSlug}@${INPUT_SIZE}"]`);
    await expect(row.count()).resolves.toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'explorer-interval-bars.png'), fullPage: true });
  }, 120_000);
});
