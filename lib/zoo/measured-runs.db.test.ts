import { Readable } from 'node:stream';
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '@/lib/auth/api-tokens';
import { withPgTransaction } from '@/lib/db/pg-transaction';
import { buildChartModel } from '@/lib/explorer/chart-model';
import { compareChoices } from '@/lib/explorer/compare-table';
import { entryKey } from '@/lib/explorer/entry';
import { headlineNumbers } from '@/lib/explorer/overview';
import { listJobs, parseJobsQuery } from '@/lib/jobs/list-jobs';
import { DEFAULT_VIEW } from '@/lib/explorer/view-state';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { publishMeasurements, scalarsFromResult } from '@/lib/runs/publish-measurements';
import { recordResult } from '@/lib/runs/record-result';
import { defineApiRoute } from '@/lib/http/api-route';
import { runRoutes } from '@/lib/http/run-routes';
import { registerRun, type RegisteredRunSummary } from '@/lib/runs/register-run';
import { createPipelineFixture, tinyMetadata, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { tinyDetector } from '@/tests/pipeline/tiny-models';
import { sortValue } from './columns';
import { deviceLabelsOf, zooRowsToCsv } from './export';
import { getModelPage } from './get-model';
import { listExplorerEntries } from './list-explorer-entries';
import { listZooRows, loadZoo, RUN_SECTION_PREFIX } from './list-zoo-rows';
import { parseZooQuery } from './query';

/**
 * Registered runs in every view, against a real PostgreSQL: a run registered through the library path
 * (lib/runs/register-run.ts) is a row of the `runs-<dataset>` section as soon as it is queued (progress
 * 0 of N jobs), fills in as its jobs publish numbers (what is done so far), and is in the explorer's
 * points, the compare picker and the overview counts. Filterable by submitter. A model that a stored
 * section already lists (the demo zoo) is not listed twice.
 */

let f: PipelineFixture;
let db: PrismaClient;
let run: RegisteredRunSummary;
let tokenValue: string;
const SECTION = `${RUN_SECTION_PREFIX}shapes`;

async function finishJob(kind: 'analyse' | 'evaluate', result: Record<string, unknown>): Promise<string> {
  const job = run.jobs.find((j) => j.kind === kind)!;
  await withPgTransaction(f.pipeline.pool, async (client) => {
    await recordResult(client, { runId: run.id, kind, dataset: kind === 'evaluate' ? 'shapes' : '', inputSize: 64, device: '' }, result, {
      jobId: job.id,
      attempt: 1,
    });
    const scalars = scalarsFromResult(kind, 64, result);
    await publishMeasurements(client, {
      runId: run.id,
      jobId: job.id,
      scalars,
      deviceId: null,
      deviceSlug: null,
      datasetSlug: kind === 'evaluate' ? 'shapes' : null,
    });
    await client.query(`UPDATE "RunJob" SET state = 'done', progress = 1, "finishedAt" = now() WHERE id = $1`, [job.id]);
  });
  return job.id;
}

beforeAll(async () => {
  f = await createPipelineFixture('zoo_runs');
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: f.url }) });
  const token = await createApiToken(f.pipeline.pool, 'ci-bot');
  tokenValue = token.token;
  run = await registerRun(f.pipeline, {
    metadata: tinyMetadata({ name: 'Tiny r50 upload', inputSizes: [64] }),
    fileName: 'tiny.onnx',
    file: Readable.from([Buffer.from(tinyDetector())]),
    door: 'api',
    tokenId: token.id,
    maxBytes: 1e8,
  });
});
afterAll(async () => {
  await db?.$disconnect();
  await f?.close();
});

describe('registered runs in the zoo, explorer, compare and overview', () => {
  it("a queued run is a row of its dataset's measured section with no numbers yet and 0 of 3 jobs done", async () => {
    const { rows, facets } = await loadZoo(db);
    const mine = rows.filter((r) => r.model.slug === run.modelSlug);
    expect(mine.map((r) => [r.section.slug, r.inputSize, r.source])).toEqual([[SECTION, 64, 'measured']]);
    expect(mine[0].cells).toEqual({});
    expect(mine[0].run).toMatchObject({
      id: run.id,
      state: 'queued',
      door: 'api',
      submitter: 'ci-bot',
      jobsDone: 0,
      jobsTotal: 3,
      jobsFailed: 0,
    });
    expect(mine[0].section.columns).toEqual([
      'model',
      'backbone',
      'method',
      'strategy',
      'inputSize',
      'gflops',
      'params',
      'modelSizeMb',
      'boxAp',
      'download',
    ]);
    expect(mine[0].download?.url).toBe(`/api/artifacts/${run.sha256}`);
    expect(facets.submitters).toEqual(['ci-bot']);
  });

  it('shows what is done so far, then every view includes the model', async () => {
    const analyseJob = await finishJob('analyse', { gflops: 0.125, bytes: 2_000_000, params: 1234 });
    const { rows: partial } = await loadZoo(db);
    const row = partial.find((r) => r.model.slug === run.modelSlug)!;
    expect(Object.keys(row.cells).sort()).toEqual(['gflops', 'modelSizeMb', 'params']);
    expect(row.cells.gflops.value).toBe(0.125);
    expect(row.cells.params.value).toBe(1234);
    expect(row.cells.modelSizeMb.value).toBe(2);
    expect(row.cells.gflops.provenance).toEqual({ kind: 'measured', jobId: analyseJob, deviceSlug: null });
    expect(row.run).toMatchObject({ jobsDone: 1, jobsTotal: 3 });
    expect(row.cocoDetail).toBeNull();

    const evaluateJob = await finishJob('evaluate', { metrics: { AP: 0.4, AP50: 0.625, AP75: 0.375, APs: -1, APm: 0.25, APl: 0.5 } });
    const { rows, data } = await listZooRows(db, parseZooQuery({ submitter: 'ci-bot' }));
    expect(rows.map((r) => r.model.slug)).toEqual([run.modelSlug]);
    expect(rows[0].cells.boxAp.value).toBeCloseTo(40, 9);
    expect(rows[0].cocoDetail).toEqual({ ap50: 62.5, ap75: 37.5, apSmall: null, apMedium: 25, apLarge: 50, jobId: evaluateJob });
    expect(rows[0].run).toMatchObject({ jobsDone: 2, jobsTotal: 3 });
    // The optional COCO detail columns are offered once a row has them (shown with `show=ap50,...`).
    expect(rows[0].section.columns.slice(-6)).toEqual(['ap50', 'ap75', 'apSmall', 'apMedium', 'apLarge', 'download']);
    expect(sortValue(rows[0], 'ap50')).toBe(62.5);
    expect(sortValue(rows[0], 'apSmall')).toBeNull();
    expect((await listZooRows(db, parseZooQuery({ submitter: 'someone-else' }))).rows).toEqual([]);
    expect((await listZooRows(db, parseZooQuery({ source: 'measured', dataset: 'shapes' }))).rows.map((r) => r.model.slug)).toEqual([
      run.modelSlug,
    ]);

    const csv = zooRowsToCsv(rows, { baseUrl: 'http://sb.test', deviceLabels: deviceLabelsOf(data.devices) });
    expect(csv).toContain(`http://sb.test/models/${run.modelSlug},http://sb.test/api/artifacts/${run.sha256}\r\n`);

    const entries = await listExplorerEntries(db);
    const entry = entries.find((e) => entryKey(e) === `${run.modelSlug}@64`);
    expect(entry).toMatchObject({ source: 'measured', dataset: 'shapes', gflops: 0.125, accuracy: { boxAp: expect.closeTo(40, 9) } });
    const chart = buildChartModel(entries, { ...DEFAULT_VIEW, dataset: 'shapes', x: 'gflops' });
    expect(chart.points.map((p) => p.key)).toContain(`${run.modelSlug}@64`);
    expect(compareChoices(entries)).toContainEqual({ id: run.modelSlug, name: expect.any(String), dataset: 'shapes', source: 'measured' });
    const head = headlineNumbers(entries);
    expect(head.models).toBe(1);
    expect(head.measuredModels).toBe(1);
    expect(head.datasets).toEqual(['shapes']);
  });

  it('the jobs list links each job to its run and model, and filters by run (the model page links there)', async () => {
    const all = await listJobs(f.pipeline.pool);
    const mine = all.jobs.filter((j) => j.runId === run.id);
    expect(mine.map((j) => j.kind).sort()).toEqual(['analyse', 'benchmark', 'evaluate']);
    for (const j of mine) expect(j.modelSlug).toBe(run.modelSlug);
    const other = await registerRun(f.pipeline, {
      metadata: tinyMetadata({ name: 'Other run', inputSizes: [64] }),
      fileName: 'other.onnx',
      file: Readable.from([Buffer.from(tinyDetector({ seed: 9 }))]),
      door: 'cli',
      tokenId: null,
      maxBytes: 1e8,
    });
    const only = await listJobs(f.pipeline.pool, { runId: parseJobsQuery(new URLSearchParams({ run: other.id })).run });
    expect(only.jobs.map((j) => j.runId)).toEqual([other.id, other.id, other.id]);
    expect(only.counts.queued).toBe(3);
    expect(only.counts.done).toBe(0);
    expect((await listJobs(f.pipeline.pool)).counts.done).toBe(2);
    expect(() => parseJobsQuery(new URLSearchParams({ run: 'not-a-uuid' }))).toThrow(/run/);
    expect(() => parseJobsQuery(new URLSearchParams({ rnu: other.id }))).toThrow(/rnu/);
    const { rows } = await loadZoo(db);
    expect(rows.find((r) => r.model.slug === other.modelSlug)?.run?.submitter).toBe('local');
    await f.query(`DELETE FROM "RegisteredRun" WHERE id = $1`, [other.id]);
    await f.query(`DELETE FROM "Model" WHERE slug = $1`, [other.modelSlug]);
  });

  it("a latency measured on a busy machine carries the noise guard's flag in the zoo and on the model page", async () => {
    const [device] = await f.query(
      `INSERT INTO "Device" (slug, name, runtime, threads) VALUES ('dbusy00000000000', 'busy box', 'onnxruntime-node', 1) RETURNING id, slug`,
    );
    const job = run.jobs.find((j) => j.kind === 'benchmark')!;
    const reasons = ['load average 3.10 on 2 cores is above 1 per core'];
    const machineLoad = {
      available: true,
      cores: 2,
      elapsedMs: 10_000,
      loadAverage1m: { before: 3.1, after: 2.9 },
      otherCores: 1.2,
      ownCores: 1,
      stealFraction: 0,
      busy: true,
      reasons,
    };
    const result = { summary: { p50Ms: 12.5, p90Ms: 13, p99Ms: 14, meanMs: 12.6 }, samplesMs: [12.5], machineLoad };
    await withPgTransaction(f.pipeline.pool, async (client) => {
      const key = { runId: run.id, kind: 'benchmark' as const, dataset: '', inputSize: 64, device: device.slug };
      await recordResult(client, key, result, { jobId: job.id, attempt: 1 });
      const scalars = scalarsFromResult('benchmark', 64, result);
      await publishMeasurements(client, {
        runId: run.id,
        jobId: job.id,
        scalars,
        deviceId: device.id,
        deviceSlug: device.slug,
        datasetSlug: null,
      });
    });
    const { rows } = await loadZoo(db);
    const cell = rows.find((r) => r.model.slug === run.modelSlug)!.cells[`latency:${device.slug}`];
    expect(cell.value).toBe(12.5);
    expect(cell.busy?.reasons).toEqual(reasons);
    const page = await getModelPage(db, run.modelSlug);
    expect(page!.numbers.find((n) => n.metric === 'latency_ms')!.busy?.title).toMatch(/^Measured on a busy machine: load average 3\.10/);
    // A quiet benchmark of another model is not flagged.
    expect(rows.flatMap((r) => Object.values(r.cells)).filter((c) => c.busy)).toHaveLength(1);
  });

  it('a model that a stored section lists is not listed again in the runs section', async () => {
    const [model] = await f.query(`SELECT id FROM "Model" WHERE slug = $1`, [run.modelSlug]);
    const [section] = await f.query(
      `INSERT INTO "ZooSection" (slug, title, position, provenance, columns) VALUES ('demo-like', 'Demo-like', 5000, 'measured', '{model,gflops}') RETURNING id`,
    );
    await f.query(`INSERT INTO "ZooEntry" ("sectionId", position, "modelId", "inputSize") VALUES ($1, 1, $2, 64)`, [section.id, model.id]);
    const { rows } = await loadZoo(db);
    expect(rows.filter((r) => r.model.slug === run.modelSlug).map((r) => r.section.slug)).toEqual(['demo-like']);
    expect(rows.some((r) => r.section.slug === SECTION)).toBe(false);
  });

  it("POST /api/runs answers the model page's absolute URL (on the request's origin)", async () => {
    const fd = new FormData();
    fd.append('meta', JSON.stringify(tinyMetadata({ name: 'Posted run', inputSizes: [64] })));
    fd.append('file', new Blob([Buffer.from(tinyDetector({ seed: 5 }))]), 'posted.onnx');
    const req = new Request('http://sb.local:3200/api/runs', {
      method: 'POST',
      body: fd,
      headers: { authorization: `Bearer ${tokenValue}` },
    });
    const api = runRoutes(
      defineApiRoute(async () => f.pipeline),
      { uploadMaxBytes: () => 1e8 },
    );
    const res = await api.register(req, { params: Promise.resolve({}) });
    const body = (await res.json()) as { run: { modelSlug: string }; modelUrl: string };
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body.modelUrl).toBe(`http://sb.local:3200/models/${body.run.modelSlug}`);
  });
});
