import { spawn } from 'node:child_process';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '@/lib/auth/api-tokens';
import { writeSyntheticSplit } from '@/lib/datasets/synthetic';
import { defineApiRoute } from '@/lib/http/api-route';
import { runRoutes } from '@/lib/http/run-routes';
import type { JobContext } from '@/lib/jobs/job-runner';
import { listRuns } from '@/lib/runs/list-runs';
import { registerRun } from '@/lib/runs/register-run';
import { getRunReport, waitForRun } from '@/lib/runs/run-report';
import { createPipelineFixture, NUM_SHAPE_CLASSES, REPO_ROOT, tinyMetadata, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { tinyDetector } from '@/tests/pipeline/tiny-models';
import { spawnWorker, type WorkerProcess } from '@/tests/setup/worker-process';
import { runCompressJob } from './handlers/compress';

/**
 * Compression jobs against a real PostgreSQL and a real worker process: POST /api/runs/<id>/compress (the route
 * as the app serves it) -> `compress` job -> worker handler -> a new run registered through register-run with
 * parent = source model, method and parameters in its metadata, then measured by the usual jobs. A retry of the
 * same job (same job id) yields the same single run; a prune the graph cannot carry fails the job and leaves the
 * source run as it was.
 */

let f: PipelineFixture;
let token: string;
let worker: WorkerProcess | null = null;
let sourceRunId = '';
let sourceSlug = '';

const api = () =>
  runRoutes(
    defineApiRoute(async () => f.pipeline),
    { uploadMaxBytes: () => 64 * 1024 * 1024 },
  );
const auth = () => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

function compress(id: string, body: unknown, headers: Record<string, string> = auth()) {
  const req = new Request(`http://127.0.0.1:3202/api/runs/${id}/compress`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return api().compress(req, { params: Promise.resolve({ id }) });
}

async function compressJobs(id: string) {
  const res = await api().compressJobs(new Request(`http://127.0.0.1:3202/api/runs/${id}/compress`), { params: Promise.resolve({ id }) });
  expect(res.status).toBe(200);
  return (await res.json()).jobs as Array<{
    id: string;
    state: string;
    error: string | null;
    result: { runId: string; modelSlug: string } | null;
  }>;
}

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'lib', 'cli', 'main.ts'), ...args], {
      cwd: REPO_ROOT,
      env: f.childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function waitForJob(jobId: string, timeoutMs: number): Promise<{ state: string; error: string | null }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await f.query(`SELECT state, error FROM "RunJob" WHERE id = $1`, [jobId]);
    if (row && (row.state === 'done' || row.state === 'failed')) return row;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${row?.state}; worker log: ${worker?.logTail(3000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  f = await createPipelineFixture('compress', { leaseSeconds: 10, maintenanceSeconds: 2, maxAttempts: 2 });
  token = (await createApiToken(f.pipeline.pool, 'tests')).token;
  // Calibration split: another registered dataset than the one the models are evaluated on ('shapes', val).
  await writeSyntheticSplit({ outDir: path.join(f.dataDir, 'datasets', 'shapes-train'), split: 'train', count: 4, seed: 11 });
  await f.query(`INSERT INTO "Dataset" (slug, name, aliases) VALUES ('shapes-train', 'Synthetic shapes (train)', '{}')`);
  const meta = tinyMetadata({
    name: 'tiny stem source',
    strategyParams: {},
    strategy: 'r0',
    measurements: { analyse: true, benchmark: false, evaluate: true },
  });
  const source = await registerRun(f.pipeline, {
    metadata: meta,
    fileName: 'source.onnx',
    file: Readable.from([Buffer.from(tinyDetector({ numClasses: NUM_SHAPE_CLASSES, stem: 8, seed: 5 }))]),
    door: 'cli',
    tokenId: null,
    maxBytes: 64 * 1024 * 1024,
  });
  sourceRunId = source.id;
  sourceSlug = source.modelSlug;
}, 120_000);

/** The worker process starts once the test that plays a killed attempt has run (before it, jobs stay queued). */
function startWorker(): void {
  worker = spawnWorker(f.childEnv);
}

/** The job as a worker's claim sees it (payload from pg-boss), for running the handler in this process. */
async function claimContext(jobId: string, attempt: number): Promise<JobContext> {
  const [row] = await f.query(`SELECT data FROM pgboss.job WHERE id::text = $1`, [jobId]);
  return {
    jobId,
    queue: 'compress',
    kind: 'compress',
    attempt,
    payload: row.data,
    workerId: 'test',
    deviceId: 0,
    signal: new AbortController().signal,
    reportProgress: async () => undefined,
  };
}

afterAll(async () => {
  await worker?.stop();
  await f?.close();
});

describe('POST /api/runs/<id>/compress refuses bad requests before queueing anything', () => {
  it('EXPECTED FAILURE: 401 without a token, 400 with zod issues, 404 for an unknown run, 422 when calibrating on the evaluation set', async () => {
    const before = await f.query(`SELECT count(*)::int AS n FROM "RunJob" WHERE kind = 'compress'`);
    expect(
      (await compress(sourceRunId, { method: 'quantize', calibDataset: 'shapes-train' }, { 'content-type': 'application/json' })).status,
    ).toBe(401);

    const bad = await compress(sourceRunId, { method: 'quantize', calibDataset: 'shapes-train', calibImages: 0, percentile: 99 });
    expect(bad.status).toBe(400);
    const badBody = await bad.json();
    expect(badBody.error.code).toBe('bad_compress_request');
    expect(badBody.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['calibImages', 'percentile']);

    const unknownMethod = await compress(sourceRunId, { method: 'distill' });
    expect(unknownMethod.status).toBe(400);
    expect((await unknownMethod.json()).error.issues[0].path).toBe('method');
    expect((await compress(sourceRunId, 'not json')).status).toBe(400);

    const missing = await compress('00000000-0000-4000-8000-000000000000', { method: 'quantize', calibDataset: 'shapes-train' });
    expect(missing.status).toBe(404);

    const onEval = await compress(sourceRunId, { method: 'quantize', calibDataset: 'shapes' });
    expect(onEval.status).toBe(422);
    expect((await onEval.json()).error.code).toBe('calibration_is_evaluation');
    expect((await compress(sourceRunId, { method: 'quantize', calibDataset: 'nope' })).status).toBe(422);

    expect(await f.query(`SELECT count(*)::int AS n FROM "RunJob" WHERE kind = 'compress'`)).toEqual(before);
  });
});

describe('a compress job makes one new, measured run', () => {
  let quantJobId = '';
  let quantRunId = '';

  it('a job killed after it registered its run (before completing): the next claim links to that run, one result', async () => {
    const res = await compress(sourceRunId, {
      method: 'prune',
      params: ['stem.conv.weights'],
      ratios: [0.75],
      name: 'killed after registering',
    });
    expect(res.status).toBe(202);
    const jobId = (await res.json()).job.id as string;
    // Attempt 1 runs the handler here and "dies" before the runner's commit: the run exists, the job is still queued.
    const first = await runCompressJob(f.pipeline, await claimContext(jobId, 1), {
      dataDir: f.dataDir,
      threads: 1,
      maxBytes: 64 * 1024 * 1024,
    });
    expect(first.output).toMatchObject({ resumed: false });
    const [queued] = await f.query(`SELECT state FROM "RunJob" WHERE id = $1`, [jobId]);
    expect(queued.state).toBe('queued');

    startWorker();
    expect((await waitForJob(jobId, 240_000)).state).toBe('done');
    const runs = await f.query(`SELECT id FROM "RegisteredRun" WHERE metadata->'compression'->>'jobId' = $1`, [jobId]);
    expect(runs.map((r) => r.id)).toEqual([first.output.runId]);
    const [boss] = await f.query(`SELECT output FROM pgboss.job WHERE id::text = $1`, [jobId]);
    expect(boss.output).toMatchObject({ runId: first.output.runId, resumed: true });
  }, 300_000);

  it('quantize: 202 with the job; the worker registers an int8 run with its lineage, and it is measured like an upload', async () => {
    expect((await waitForRun(f.pipeline.pool, sourceRunId, { timeoutMs: 240_000 })).state).toBe('done');
    const res = await compress(sourceRunId, { method: 'quantize', calibDataset: 'shapes-train', calibImages: 3, calibration: 'minmax' });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(202);
    quantJobId = body.job.id;
    expect(body.inputSize).toBe(64);
    expect((await waitForJob(quantJobId, 240_000)).state).toBe('done');

    const jobs = await compressJobs(sourceRunId);
    const job = jobs.find((j) => j.id === quantJobId)!;
    expect(job.result).not.toBeNull();
    quantRunId = job.result!.runId;
    const report = await waitForRun(f.pipeline.pool, quantRunId, { timeoutMs: 240_000 });
    expect(report.state, `${report.failureReason} ${worker?.logTail(2000)}`).toBe('done');
    expect(report.jobs.map((j) => `${j.kind}:${j.state}`).sort()).toEqual(['analyse:done', 'evaluate:done']);
    expect(report.measurements.map((m) => m.metric)).toContain('box_ap');

    const [run] = await f.query(
      `SELECT r.metadata, r.door, r."tokenId", m.method::text AS method, p.slug AS parent, b.slug AS baseline
         FROM "RegisteredRun" r JOIN "Model" m ON m.id = r."modelId" LEFT JOIN "Model" p ON p.id = m."parentId" LEFT JOIN "Model" b ON b.id = m."baselineId"
        WHERE r.id = $1`,
      [quantRunId],
    );
    expect(run.parent).toBe(sourceSlug);
    expect(run.baseline).toBe('tiny-baseline');
    expect(run.door).toBe('api');
    expect(run.tokenId).not.toBeNull();
    expect(run.metadata.method).toBe('quant');
    expect(run.metadata.strategy).toBe('ptq-minmax');
    expect(run.metadata.strategyParams).toEqual({ quantMode: 'post' });
    expect(run.metadata.compression).toMatchObject({
      jobId: quantJobId,
      sourceRunId,
      sourceModel: sourceSlug,
      request: { method: 'quantize', calibDataset: 'shapes-train', calibImages: 3, calibration: 'minmax', exclude: [] },
    });
    // Both convs quantized: their Q/DQ pairs make the file differ from the source and the report counts them.
    expect(run.metadata.compression.report.quantizedNodes).toBe(2);
    const [src] = await f.query(`SELECT sha256, state FROM "RegisteredRun" WHERE id = $1`, [sourceRunId]);
    expect(report.sha256).not.toBe(src.sha256);
  }, 300_000);

  it('a retry of the same job links to the run it registered: one run per job', async () => {
    const again = await runCompressJob(f.pipeline, await claimContext(quantJobId, 2), {
      dataDir: f.dataDir,
      threads: 1,
      maxBytes: 64 * 1024 * 1024,
    });
    expect(again.output).toMatchObject({ runId: quantRunId, resumed: true });
    const runs = await f.query(`SELECT id FROM "RegisteredRun" WHERE metadata->'compression'->>'jobId' = $1`, [quantJobId]);
    expect(runs.map((r) => r.id)).toEqual([quantRunId]);
  }, 120_000);

  it('prune with ratios: the new run has the pruned stem, parent and ratios; the source run is untouched', async () => {
    const res = await compress(sourceRunId, { method: 'prune', params: ['stem.conv.weights'], ratios: [0.5] });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(202);
    expect((await waitForJob(body.job.id, 240_000)).state).toBe('done');
    const job = (await compressJobs(sourceRunId)).find((j) => j.id === body.job.id)!;
    const [run] = await f.query(`SELECT metadata FROM "RegisteredRun" WHERE id = $1`, [job.result!.runId]);
    expect(run.metadata.method).toBe('prune');
    expect(run.metadata.parent).toBe(sourceSlug);
    expect(run.metadata.strategyParams).toEqual({ prunedParams: ['stem.conv.weights'], prunedRatios: [0.5] });
    expect(run.metadata.compression.report.pruned).toEqual([
      { param: 'stem.conv.weights', ratio: 0.5, channelsBefore: 8, channelsAfter: 4 },
    ]);
    // 8 -> 4 stem filters: 4 x (3 + 1) stem parameters and 4 x K x 32 x 32 head weights fewer.
    const K = 4 + NUM_SHAPE_CLASSES;
    expect(run.metadata.compression.report.paramsBefore - run.metadata.compression.report.paramsAfter).toBe(4 * 4 + 4 * K * 32 * 32);
    expect((await waitForRun(f.pipeline.pool, job.result!.runId, { timeoutMs: 240_000 })).state).toBe('done');
  }, 300_000);

  it('the CLI door: `compress submit <model slug> --method prune … --wait --json` queues the same job and prints the measured run', async () => {
    const bad = await cli('compress', 'submit', sourceSlug, '--method', 'quantize', '--calib-images', 'many');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: request: calibDataset: .*calibImages: /m);
    const res = await cli(
      'compress',
      'submit',
      sourceSlug,
      '--method',
      'prune',
      '--params',
      'stem.conv.weights',
      '--ratios',
      '0.25',
      '--wait',
      '--json',
    );
    expect(res.code, res.stderr).toBe(0);
    const printed = JSON.parse(res.stdout) as { job: { id: string }; run: { id: string; state: string; door: string }; modelSlug: string };
    expect(printed.run.state).toBe('done');
    expect(printed.run.door).toBe('cli');
    const [run] = await f.query(`SELECT metadata FROM "RegisteredRun" WHERE id = $1`, [printed.run.id]);
    expect(run.metadata.compression.jobId).toBe(printed.job.id);
    expect(run.metadata.strategyParams).toEqual({ prunedParams: ['stem.conv.weights'], prunedRatios: [0.25] });
  }, 300_000);

  it('EXPECTED FAILURE: a prune the graph cannot carry fails the job for good with the reason; the source run stays done', async () => {
    const res = await compress(sourceRunId, { method: 'prune', params: ['head.conv.weights'], ratios: [0.5] });
    expect(res.status).toBe(202);
    const jobId = (await res.json()).job.id;
    const done = await waitForJob(jobId, 240_000);
    expect(done.state).toBe('failed');
    expect(done.error).toMatch(/head|output|shape|Reshape/i);
    const source = await getRunReport(f.pipeline.pool, sourceRunId);
    expect(source!.state).toBe('done');
    expect(source!.measurements.length).toBeGreaterThan(0);
    // Its progress counts its measuring jobs only (analyse + evaluate), not the compress jobs started from it.
    const [listed] = await listRuns(f.pipeline.pool, 1, sourceSlug);
    expect(listed).toMatchObject({ id: sourceRunId, jobsDone: 2, jobsTotal: 2 });
    expect(await f.query(`SELECT id FROM "RegisteredRun" WHERE metadata->'compression'->>'jobId' = $1`, [jobId])).toEqual([]);
  }, 300_000);
});
