import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaPg } from '@prisma/adapter-pg';
import { DEMO_DATASET_SEED, writeSyntheticSplit } from '@/lib/datasets/synthetic';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { cocoPairedAccuracy, ZPairedAccuracy, ZStoredDetections } from '@/lib/runs/paired-accuracy';
import { getRunReport } from '@/lib/runs/run-report';
import { rerunRequest } from '@/lib/runs/run-writes';
import { getModelPage } from '@/lib/zoo/get-model';
import { loadZoo } from '@/lib/zoo/list-zoo-rows';
import { pairedAccuracyView } from '@/lib/zoo/paired-accuracy-view';
import { finishedResult, startWorker, registerTinyRun, type WorkerProcess } from '@/tests/pipeline/pipeline-worker';
import { createPipelineFixture, REPO_ROOT, tinyMetadata, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';

/**
 * The worker's evaluate job on the 300-image demo split (dataset synth's seed): its stored progress moves while
 * it runs (images done / total), it keeps its detections, and a model evaluated after its declared baseline (or
 * a baseline evaluated after its candidate) gets ΔAP with a 95 % paired-bootstrap interval, shown on the model
 * page, in the zoo cell and in the CSV (lib/runs/paired-accuracy.ts).
 */

let f: PipelineFixture;
let worker: WorkerProcess;

beforeAll(async () => {
  f = await createPipelineFixture('pairedap', { leaseSeconds: 20, maintenanceSeconds: 2, maxAttempts: 2 });
  // The demo split (300 images) in place of the fixture's 3-image one.
  const dir = path.join(f.dataDir, 'datasets', 'shapes');
  await fs.rm(dir, { recursive: true, force: true });
  await writeSyntheticSplit({ outDir: dir, split: 'val', count: 300, seed: DEMO_DATASET_SEED });
  worker = startWorker(f);
}, 300_000);

afterAll(async () => {
  await worker?.stop();
  await f?.close();
});

const MEASUREMENTS = { analyse: false, evaluate: true, benchmark: false };

async function register(metadata: Record<string, unknown>, seed: number) {
  return registerTinyRun(f, metadata, seed, MEASUREMENTS);
}

const evaluateResult = (runId: string) => finishedResult(f, worker, runId, 'evaluate');

async function boxAp(runId: string): Promise<number> {
  const [m] = await f.query(
    `SELECT value FROM "Measurement" WHERE metric = 'box_ap' AND "jobId" IN (SELECT id FROM "RunJob" WHERE "runId" = $1)
      ORDER BY "createdAt" DESC LIMIT 1`,
    [runId],
  );
  return m.value;
}

const baselineMeta = (name: string) => ({
  ...tinyMetadata({ name, method: 'baseline', strategy: undefined, strategyParams: {} }),
  baseline: undefined,
});

describe('worker evaluate: live progress, stored detections, paired ΔAP', () => {
  let base: Awaited<ReturnType<typeof register>>;
  let cand: Awaited<ReturnType<typeof register>>;

  it('a baseline on the demo split: progress seen strictly between 0 and 1 at least 3 times; detections stored', async () => {
    base = await register(baselineMeta('ap base'), 41);
    const seen = new Set<number>();
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const rows = await f.query(`SELECT progress FROM "RunJob" WHERE "runId" = $1 AND kind = 'evaluate' AND state = 'running'`, [
          base.id,
        ]);
        for (const r of rows) seen.add(r.progress);
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    const { metrics } = await evaluateResult(base.id);
    polling = false;
    await poll;
    // Only the images-done lines give values strictly between the handler's own 0.1 and 0.85 marks.
    const fromImages = [...seen].filter((p) => p > 0.1 && p < 0.85);
    expect(fromImages.length, `progress seen: ${[...seen].sort().join(', ')}`).toBeGreaterThanOrEqual(3);
    expect([...seen].every((p) => p >= 0 && p <= 1)).toBe(true);
    const d = ZStoredDetections.parse(metrics.detections);
    expect(d.count).toBe(metrics.detectionCount);
    expect(metrics.savedDetections).toBeUndefined();
    expect(metrics.pairedAccuracySkipped).toBe('the model declares no baseline (it is one)');
  }, 300_000);

  it('a candidate evaluated after its baseline: ΔAP = its AP − the baseline AP, with the interval, on page, zoo, CSV', async () => {
    cand = await register(tinyMetadata({ name: 'ap candidate', baseline: base.modelSlug }), 42);
    const { metrics, jobId } = await evaluateResult(cand.id);
    const paired = ZPairedAccuracy.parse(metrics.pairedAccuracy);
    expect(paired.baselineSlug).toBe(base.modelSlug);
    expect(paired.candidateJobId).toBe(jobId);
    const ap = paired.comparison.metrics.AP;
    expect(paired.comparison.images).toBe(300);
    expect(paired.comparison.resamples).toBe(1000);
    // Direction and plumbing: the delta is the difference of the two published Box AP numbers.
    expect(ap.delta! * 100).toBeCloseTo((await boxAp(cand.id)) - (await boxAp(base.id)), 9);
    expect(ap.lower!).toBeLessThanOrEqual(ap.delta!);
    expect(ap.upper!).toBeGreaterThanOrEqual(ap.delta!);
    // The same two stored files and ground truth give the same interval (fixed seed).
    const baseMetrics = (await evaluateResult(base.id)).metrics;
    const store = f.pipeline.store;
    const gt = (metrics.dataset as { annotations: string }).annotations;
    const again = cocoPairedAccuracy(
      path.resolve(REPO_ROOT, gt),
      await store.localPath(ZStoredDetections.parse(metrics.detections).sha256),
      await store.localPath(ZStoredDetections.parse(baseMetrics.detections).sha256),
    );
    expect(again).toEqual(paired.comparison);

    const view = pairedAccuracyView(metrics)!;
    expect(view.text).toMatch(/^ΔAP [+−]\d+\.\d \[[+−]\d+\.\d, [+−]\d+\.\d\]/);
    const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: f.url }) });
    try {
      const page = await getModelPage(db, cand.modelSlug);
      expect(page!.numbers.find((n) => n.metric === 'box_ap')!.pairedAccuracy?.text).toBe(view.text);
      const zoo = await loadZoo(db);
      const row = zoo.rows.find((r) => r.model.slug === cand.modelSlug)!;
      expect(row.cells.boxAp.pairedAccuracy?.text).toBe(view.text);
      const { zooRowsToCsv } = await import('@/lib/zoo/export');
      const csv = zooRowsToCsv([row], { baseUrl: 'http://localhost' }).split('\r\n');
      const header = csv[0].split(',');
      const line = csv[1].split(',');
      expect(Number(line[header.indexOf('box_ap_paired_delta_points')])).toBeCloseTo(view.delta, 3);
      expect(line[header.indexOf('box_ap_paired_significant')]).toBe(String(view.significant));
      const basePage = await getModelPage(db, base.modelSlug);
      expect(basePage!.numbers.find((n) => n.metric === 'box_ap')!.pairedAccuracy).toBeNull();
    } finally {
      await db.$disconnect();
    }
  }, 300_000);

  it('a baseline re-evaluated after its candidate writes the (identical) ΔAP into the candidate result, naming its new job', async () => {
    const before = ZPairedAccuracy.parse((await evaluateResult(cand.id)).metrics.pairedAccuracy);
    // Runs registered by the library door are owned by `local`: an admin re-runs them (docs/owners.md).
    const admin = { name: 'tests-admin', owner: 'tests-admin', role: 'admin' as const, scope: 'full' as const };
    const res = await rerunRequest(f.pipeline, base.id, admin);
    expect(res.status).toBe(202);
    const { jobId: newBaseJob } = await evaluateResult(base.id);
    expect(newBaseJob).not.toBe(before.baselineJobId);
    const after = ZPairedAccuracy.parse((await evaluateResult(cand.id)).metrics.pairedAccuracy);
    expect(after.baselineJobId).toBe(newBaseJob);
    expect(after.candidateJobId).toBe(before.candidateJobId);
    expect(after.comparison).toEqual(before.comparison);
    const report = await getRunReport(f.pipeline.pool, cand.id, { fullResults: true });
    expect(report!.state).toBe('done');
  }, 300_000);
});
