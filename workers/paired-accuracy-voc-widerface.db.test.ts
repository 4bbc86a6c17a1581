import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaPg } from '@prisma/adapter-pg';
import { addDataset } from '@/lib/datasets/dataset-registry';
import { writeSyntheticSplit } from '@/lib/datasets/synthetic';
import { writeSyntheticFacesSplit } from '@/lib/datasets/synthetic/faces-split';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { ZPairedAccuracy, ZStoredDetections } from '@/lib/runs/paired-accuracy';
import { getModelPage } from '@/lib/zoo/get-model';
import { loadZoo } from '@/lib/zoo/list-zoo-rows';
import { finishedResult, startWorker, registerTinyRun, type WorkerProcess } from '@/tests/pipeline/pipeline-worker';
import { createPipelineFixture, tinyMetadata, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';

/**
 * The worker's paired ΔAP beyond COCO (lib/runs/paired-accuracy.ts): a model and its declared baseline evaluated by
 * a real worker on a registered Pascal VOC dataset (ΔmAP) and on a registered WIDER FACE dataset (Δeasy, Δmedium,
 * Δhard) get the interval in the candidate's result, shown on the model page and in the zoo cell of that metric.
 * The deltas must equal the differences of the numbers the worker published (the same two evaluations).
 */

let f: PipelineFixture;
let worker: WorkerProcess;
let tmp: string;

beforeAll(async () => {
  f = await createPipelineFixture('pairedvoc', { leaseSeconds: 20, maintenanceSeconds: 2, maxAttempts: 2 });
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'slimboard-pairedvoc-'));
  await writeSyntheticSplit({ outDir: path.join(tmp, 'shapes'), split: 'val', count: 60, seed: 11 });
  await writeSyntheticFacesSplit({ outDir: path.join(tmp, 'faces'), perEvent: 12, seed: 11 });
  const deps = { pool: f.pipeline.pool, store: f.pipeline.store };
  // Registered datasets: the worker fetches them from the artifact store and reads them in their declared format.
  await addDataset(path.join(tmp, 'shapes'), { name: 'Shapes VOC', slug: 'shapes-voc', format: 'voc', split: 'val' }, deps);
  await addDataset(path.join(tmp, 'faces'), { name: 'Synthetic faces', slug: 'synthetic-faces', format: 'widerface' }, deps);
  worker = startWorker(f);
}, 300_000);

afterAll(async () => {
  await worker?.stop();
  await f?.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

const MEASUREMENTS = { analyse: false, evaluate: true, benchmark: false };

async function register(metadata: Record<string, unknown>, seed: number) {
  return registerTinyRun(f, metadata, seed, MEASUREMENTS);
}

const evaluateResult = (runId: string) => finishedResult(f, worker, runId, 'evaluate');

async function published(runId: string, metric: string): Promise<number> {
  const [m] = await f.query(
    `SELECT value FROM "Measurement" WHERE metric = $2 AND "jobId" IN (SELECT id FROM "RunJob" WHERE "runId" = $1)
      ORDER BY "createdAt" DESC LIMIT 1`,
    [runId, metric],
  );
  return m.value;
}

/** A baseline and a candidate (different weights) on `dataset`, the baseline evaluated first. */
async function pair(dataset: string, name: string) {
  const base = await register(
    {
      ...tinyMetadata({ name: `${name} base`, dataset, method: 'baseline', strategy: undefined, strategyParams: {} }),
      baseline: undefined,
    },
    51,
  );
  const baseResult = await evaluateResult(base.id);
  const cand = await register(tinyMetadata({ name: `${name} candidate`, dataset, baseline: base.modelSlug }), 52);
  return { base, baseResult, cand, candResult: await evaluateResult(cand.id) };
}

async function withDb<T>(fn: (db: PrismaClient) => Promise<T>): Promise<T> {
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: f.url }) });
  try {
    return await fn(db);
  } finally {
    await db.$disconnect();
  }
}

describe('worker paired ΔAP on VOC and WIDER FACE datasets', () => {
  it('VOC: ΔmAP of the candidate against its baseline, = the difference of the published mAPs, on the page and in the zoo', async () => {
    const { base, baseResult, cand, candResult } = await pair('shapes-voc', 'voc');
    const stored = ZStoredDetections.parse(candResult.metrics.detections);
    expect(stored).toMatchObject({ format: 'voc', vocApType: '11point' });
    expect(ZStoredDetections.parse(baseResult.metrics.detections).gtSha256).toBe(stored.gtSha256);
    const paired = ZPairedAccuracy.parse(candResult.metrics.pairedAccuracy);
    expect(paired.baselineSlug).toBe(base.modelSlug);
    expect(Object.keys(paired.comparison.metrics)).toEqual(['mAP']);
    expect(paired.comparison.images).toBe(60);
    const d = paired.comparison.metrics.mAP;
    const [candMap, baseMap] = [await published(cand.id, 'voc_map'), await published(base.id, 'voc_map')];
    // The two tiny detectors find something and not the same: the delta is a real difference.
    expect(Math.max(candMap, baseMap)).toBeGreaterThan(0);
    expect(d.delta).not.toBe(0);
    expect(d.delta! * 100).toBeCloseTo(candMap - baseMap, 9);
    expect(d.lower!).toBeLessThanOrEqual(d.delta!);
    expect(d.upper!).toBeGreaterThanOrEqual(d.delta!);
    await withDb(async (db) => {
      const page = await getModelPage(db, cand.modelSlug);
      const text = page!.numbers.find((n) => n.metric === 'voc_map')!.pairedAccuracy?.text;
      expect(text).toMatch(/^ΔmAP [+−]\d+\.\d \[[+−]\d+\.\d, [+−]\d+\.\d\]/);
      const row = (await loadZoo(db)).rows.find((r) => r.model.slug === cand.modelSlug)!;
      expect(row.cells.vocMap.pairedAccuracy?.text).toBe(text);
      const { zooRowsToCsv } = await import('@/lib/zoo/export');
      const [header, line] = zooRowsToCsv([row], { baseUrl: 'http://localhost' })
        .split('\r\n')
        .map((l) => l.split(','));
      expect(Number(line[header.indexOf('voc_map_paired_delta_points')])).toBeCloseTo(d.delta! * 100, 3);
    });
  }, 600_000);

  it('WIDER FACE: Δeasy, Δmedium, Δhard, each = the difference of the published APs, in the three zoo cells', async () => {
    const { base, cand, candResult } = await pair('synthetic-faces', 'faces');
    expect(ZStoredDetections.parse(candResult.metrics.detections)).toMatchObject({ format: 'widerface' });
    const paired = ZPairedAccuracy.parse(candResult.metrics.pairedAccuracy);
    // jsonb orders keys its own way.
    expect(Object.keys(paired.comparison.metrics).sort()).toEqual(['easy', 'hard', 'medium']);
    for (const setting of ['easy', 'medium', 'hard'] as const) {
      const d = paired.comparison.metrics[setting];
      const metric = `wider_${setting}`;
      const [candAp, baseAp] = [await published(cand.id, metric), await published(base.id, metric)];
      expect(Math.max(candAp, baseAp)).toBeGreaterThan(0);
      expect(d.delta).not.toBe(0);
      expect(d.delta! * 100).toBeCloseTo(candAp - baseAp, 9);
    }
    await withDb(async (db) => {
      const row = (await loadZoo(db)).rows.find((r) => r.model.slug === cand.modelSlug)!;
      for (const col of ['widerEasy', 'widerMedium', 'widerHard']) expect(row.cells[col].pairedAccuracy?.text).toMatch(/^ΔAP [+−]\d/);
    });
  }, 600_000);
});
