import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaPg } from '@prisma/adapter-pg';
import { sensitivityParams } from '@/lib/compression/sensitivity';
import { startCompression } from '@/lib/compression/start-compression';
import { DEMO_ZOO_DIR, readDemoZooManifest, type TDemoZooManifest } from '@/lib/demo-zoo/manifest';
import { registerDemoZoo } from '@/lib/demo-zoo/register-demo-zoo';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { readModelFile } from '@/lib/onnx/model-file';
import { waitForRun } from '@/lib/runs/run-report';
import { getModelPage } from '@/lib/zoo/get-model';
import { createPipelineFixture, REPO_ROOT, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { startWorker, type WorkerProcess } from '@/tests/pipeline/pipeline-worker';

/**
 * The compression workbench's sensitivity and prune-to-target jobs with real worker processes, on the demo baseline
 * (its own adapter, 8 images of the demo val split at 320, 6 of its convs at 3 ratios: 19 evaluations):
 * - a worker SIGKILLed in the middle of the analysis: the next worker finishes the same job once, evaluating only the
 *   cells it lacks (cells keep the attempt that computed them); the analysis lands on the source run's page;
 * - prune-to-target on that analysis registers a pruned run whose measured GFLOPs change is the job's computed one.
 */

const IMAGES = 8;
const RATIOS = [0.3, 0.5, 0.7];
const PARAMS = 6;
const SIZE = 320;

let f: PipelineFixture;
let db: PrismaClient;
let tmp: string;
let worker: WorkerProcess | null = null;
let sourceRunId: string;
let sourceSlug: string;
let params: string[];

async function waitForJob(jobId: string, timeoutMs: number): Promise<{ state: string; error: string | null; attempts: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await f.query(`SELECT state, error, attempts FROM "RunJob" WHERE id = $1`, [jobId]);
    if (row && (row.state === 'done' || row.state === 'failed')) return row;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${row?.state}; worker log: ${worker?.logTail(3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  f = await createPipelineFixture('sensjob', { leaseSeconds: 6, maintenanceSeconds: 1, maxAttempts: 3 });
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: f.url }) });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'slimboard-sensjob-'));
  const shipped = await readDemoZooManifest(path.join(REPO_ROOT, DEMO_ZOO_DIR));
  const base = shipped.models.find((m) => m.lineage.method === 'baseline' && m.id === 'baseline')!;
  const sub: TDemoZooManifest = {
    ...shipped,
    adapter: { ...shipped.adapter, resize: { ...shipped.adapter.resize, evalSizes: [SIZE] } },
    models: [base],
  };
  await copyFile(path.join(REPO_ROOT, DEMO_ZOO_DIR, base.file), path.join(tmp, base.file));
  await writeFile(path.join(tmp, 'manifest.json'), JSON.stringify(sub));
  const report = await registerDemoZoo(f.pipeline, { zooDir: tmp, dataDir: f.dataDir, maxBytes: 1e9, valCount: IMAGES, facesPerEvent: 1 });
  expect(report.problems).toEqual([]);
  sourceRunId = report.models[0].runId!;
  sourceSlug = report.models[0].modelSlug!;
  const model = readModelFile(path.join(tmp, base.file)).model;
  params = sensitivityParams(model, base.file, RATIOS)
    .slice(0, PARAMS)
    .map((p) => p.param);
  expect(params).toHaveLength(PARAMS);
  // The demo run's own measurements first (a few seconds), so the analysis below has the worker to itself.
  worker = startWorker(f);
  expect((await waitForRun(f.pipeline.pool, sourceRunId, { timeoutMs: 240_000 })).state).toBe('done');
}, 300_000);

afterAll(async () => {
  await worker?.stop();
  await db?.$disconnect();
  await f?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('sensitivity and prune-to-target compress jobs', () => {
  it('EXPECTED FAILURE: prune-to-target before any analysis is 409, a sensitivity on an unknown dataset 422; no job queued', async () => {
    const jobs = async () => (await f.query(`SELECT count(*)::int AS n FROM "RunJob" WHERE kind = 'compress'`))[0].n;
    const before = await jobs();
    const refused = async (request: unknown) =>
      startCompression(f.pipeline, { sourceRunId, request, door: 'api', tokenId: null }).then(
        () => null,
        (e: { status: number; message: string }) => e,
      );
    const noAnalysis = await refused({ method: 'prune-to-target', flopsTarget: 0.3 });
    expect(noAnalysis?.status).toBe(409);
    expect(noAnalysis?.message).toMatch(/has no sensitivity analysis .*start a "sensitivity" compression/);
    const noDataset = await refused({ method: 'sensitivity', dataset: 'no-such-set' });
    expect(noDataset?.status).toBe(422);
    expect(noDataset?.message).toMatch(/^dataset: no registered dataset "no-such-set"/);
    expect(await jobs()).toBe(before);
  });

  it('a worker SIGKILLed mid-analysis: the next one completes the job once, keeping the cells already computed', async () => {
    const started = await startCompression(f.pipeline, {
      sourceRunId,
      request: { method: 'sensitivity', dataset: 'demo-shapes', images: IMAGES, inputSize: SIZE, ratios: RATIOS, params },
      door: 'api',
      tokenId: null,
    });
    const total = 1 + PARAMS * RATIOS.length;
    let before: Array<{ param: string; ratio: number; ap: number; attempt: number }> = [];
    for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
      before = await f.query(`SELECT param, ratio, ap, attempt FROM "SensitivityCell" WHERE "jobId" = $1 ORDER BY param, ratio`, [
        started.jobId,
      ]);
      if (before.length >= 3) break;
      await new Promise((r) => setTimeout(r, 30));
    }
    await worker!.kill();
    before = await f.query(`SELECT param, ratio, ap, attempt FROM "SensitivityCell" WHERE "jobId" = $1 ORDER BY param, ratio`, [
      started.jobId,
    ]);
    expect(before.length, 'killed before the analysis finished').toBeLessThan(total);
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(before.every((c) => c.attempt === 1)).toBe(true);

    worker = startWorker(f);
    const job = await waitForJob(started.jobId, 180_000);
    expect(job.state, `${job.error} ${worker.logTail()}`).toBe('done');
    expect(job.attempts).toBe(2);
    const after = await f.query(`SELECT param, ratio, ap, attempt FROM "SensitivityCell" WHERE "jobId" = $1 ORDER BY param, ratio`, [
      started.jobId,
    ]);
    expect(after).toHaveLength(total);
    // The cells of the killed attempt are kept as they were; the second attempt computed only the rest.
    for (const c of before) expect(after).toContainEqual(c);
    expect(after.filter((c) => c.attempt === 2)).toHaveLength(total - before.length);

    // The analysis is on the source run, charted on its page: every parameter, every ratio, the stored APs.
    const page = (await getModelPage(db, sourceSlug))!;
    expect(page.sensitivity).not.toBeNull();
    const [run] = await f.query(`SELECT metadata->'sensitivityAnalysis' AS a FROM "RegisteredRun" WHERE id = $1`, [sourceRunId]);
    expect(Object.keys(run.a.parameters).sort()).toEqual([...params].sort());
    expect(run.a.baselineAp).toBe(after.find((c) => c.param === '')!.ap);
    for (const c of after.filter((x) => x.param !== '')) {
      const point = run.a.parameters[c.param].find((p: { ratio: number }) => p.ratio === c.ratio);
      expect(point.ap).toBe(c.ap);
      expect(point.loss).toBeCloseTo((run.a.baselineAp - c.ap) / run.a.baselineAp, 12);
    }
    expect(run.a.source.origin).toBe(`Slimboard compress job ${started.jobId}`);
    const [{ output }] = await f.query(`SELECT output FROM pgboss.job WHERE id::text = $1`, [started.jobId]);
    expect(output).toMatchObject({ computed: total - before.length, reused: before.length, parameters: PARAMS });
  }, 400_000);

  it('prune-to-target on the stored analysis: a new run whose measured GFLOPs change is the one the job computed', async () => {
    const started = await startCompression(f.pipeline, {
      sourceRunId,
      request: { method: 'prune-to-target', flopsTarget: 0.02 },
      door: 'api',
      tokenId: null,
    });
    const job = await waitForJob(started.jobId, 180_000);
    expect(job.state, `${job.error} ${worker?.logTail()}`).toBe('done');
    const [made] = await f.query(`SELECT id, metadata FROM "RegisteredRun" WHERE metadata->'compression'->>'jobId' = $1`, [started.jobId]);
    const report = made.metadata.compression.report;
    expect(made.metadata).toMatchObject({ method: 'prune', strategy: 'sensity', parent: sourceSlug });
    // Every chosen ratio's interpolated loss is at most the threshold found; the pruned params are the non-zero ones.
    for (const r of report.ratios) expect(r.interpolatedLoss).toBeLessThanOrEqual(report.lossThreshold + 1e-12);
    const chosen = report.ratios.filter((r: { ratio: number }) => r.ratio > 0);
    expect(made.metadata.strategyParams.prunedParams).toEqual(chosen.map((r: { param: string }) => r.param));
    expect(Math.abs(report.reduction - 0.02)).toBeLessThan(0.02);
    // The new run keeps the analysis its ratios were read from, with how they were read; its page places every chosen
    // ratio where the stored rule (paddleslim) puts it, so none is flagged.
    const [src] = await f.query(`SELECT metadata FROM "RegisteredRun" WHERE id = $1`, [sourceRunId]);
    expect(made.metadata.sensitivityAnalysis).toEqual({
      ...src.metadata.sensitivityAnalysis,
      selection: { lossThreshold: report.lossThreshold, targetGflopsReduction: 0.02, rule: 'paddleslim' },
    });
    const [{ slug: madeSlug }] = await f.query(
      `SELECT m.slug FROM "Model" m JOIN "RegisteredRun" r ON r."modelId" = m.id WHERE r.id = $1`,
      [made.id],
    );
    const page = await getModelPage(db, madeSlug);
    expect(page!.sensitivity!.ratioRule).toBe('paddleslim');
    expect(page!.sensitivity!.disagreeing).toEqual([]);
    // Pruning the pruned run to a target again would read its parent's curves: refused (409) before queueing.
    const compressJobs = async () => (await f.query(`SELECT count(*)::int AS n FROM "RunJob" WHERE kind = 'compress'`))[0].n;
    const before = await compressJobs();
    const again = await startCompression(f.pipeline, {
      sourceRunId: made.id,
      request: { method: 'prune-to-target', flopsTarget: 0.02 },
      door: 'api',
      tokenId: null,
    }).then(
      () => null,
      (e: { status: number; code: string; message: string }) => e,
    );
    expect(again?.status).toBe(409);
    expect(again?.message).toMatch(
      /was itself pruned with ratios chosen from the sensitivity analysis of .*start a "sensitivity" compression of this model first/,
    );
    expect(await compressJobs()).toBe(before);
    // Measured like an upload: its analyse job's GFLOPs against the source's give the job's reduction.
    expect((await waitForRun(f.pipeline.pool, made.id, { timeoutMs: 240_000 })).state).toBe('done');
    const gflops = async (runId: string) =>
      (await f.query(`SELECT metrics FROM "MeasuredResult" WHERE "runId" = $1 AND kind = 'analyse' AND "inputSize" = $2`, [runId, SIZE]))[0]
        .metrics.gflops as number;
    const measured = 1 - (await gflops(made.id)) / (await gflops(sourceRunId));
    expect(measured).toBeCloseTo(report.reduction, 9);
  }, 400_000);
});
