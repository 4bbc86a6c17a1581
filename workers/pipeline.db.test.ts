import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '@/lib/auth/api-tokens';
import { defineApiRoute } from '@/lib/http/api-route';
import { runRoutes } from '@/lib/http/run-routes';
import { getRunReport, waitForRun, type RunReport } from '@/lib/runs/run-report';
import { createPipelineFixture, NUM_SHAPE_CLASSES, REPO_ROOT, tinyMetadata, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { tinyDetector, type TinyDetectorOptions } from '@/tests/pipeline/tiny-models';
import { startWorker, type WorkerProcess } from '@/tests/pipeline/pipeline-worker';

/**
 * The whole loop against a real PostgreSQL, with two real worker processes: a small ONNX detector is
 * registered through each of the three doors (upload form request, POST /api/runs, `submit --wait
 * --json`), and its analysis, latency and accuracy appear exactly once each, as zoo Measurements with
 * their job and device. Then the bad inputs that only a worker can see (NaN outputs, outputs that match
 * no adapter, a dataset whose classes differ, an input size the model rejects) each fail their run with
 * a clear reason and leave nothing in the zoo.
 */

let f: PipelineFixture;
let token: string;
const workers: WorkerProcess[] = [];
const workerLogs = () => workers.map((w) => w.logTail(1000)).join('\n');

beforeAll(async () => {
  f = await createPipelineFixture('loop', { leaseSeconds: 10, maintenanceSeconds: 2, maxAttempts: 2 });
  token = (await createApiToken(f.pipeline.pool, 'tests')).token;
  workers.push(startWorker(f), startWorker(f));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await f?.close();
});

function modelForm(meta: unknown, fileName: string, model: TinyDetectorOptions, extra: Record<string, string> = {}): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(extra)) fd.append(k, v);
  fd.append('meta', JSON.stringify(meta));
  fd.append('file', new Blob([Buffer.from(tinyDetector(model))]), fileName);
  return fd;
}

/** The run API exactly as the app serves it (route wrapper + handlers), on this test's pipeline. */
function api() {
  return runRoutes(
    defineApiRoute(async () => f.pipeline),
    { uploadMaxBytes: () => 2 * 1024 ** 3 },
  );
}

async function postRun(fd: FormData, headers: Record<string, string> = {}): Promise<string> {
  const req = new Request('http://127.0.0.1:3201/api/runs', {
    method: 'POST',
    body: fd,
    headers: { authorization: `Bearer ${token}`, ...headers },
  });
  const res = await api().register(req, { params: Promise.resolve({}) });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body.run.id as string;
}

function submitWithCli(modelFile: string, metaFile: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(REPO_ROOT, 'lib', 'cli', 'main.ts'),
        'submit',
        modelFile,
        '--meta',
        metaFile,
        '--wait',
        '--json',
        '--timeout',
        '150',
      ],
      {
        cwd: REPO_ROOT,
        env: f.childEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

function expectMeasuredOnce(report: RunReport) {
  expect(report.state, `${report.failureReason} ${workerLogs()}`).toBe('done');
  expect(report.jobs.map((j) => `${j.kind}:${j.state}`).sort()).toEqual(['analyse:done', 'benchmark:done', 'evaluate:done']);
  expect(report.results.map((r) => r.kind).sort()).toEqual(['analyse', 'benchmark', 'evaluate']);
  const metrics = report.measurements.map((m) => `${m.metric}@${m.inputSize ?? '-'}`).sort();
  expect(metrics).toEqual(['box_ap@64', 'gflops@64', 'latency_ms@64', 'model_size_mb@-', 'params@-']);
  const latency = report.measurements.find((m) => m.metric === 'latency_ms')!;
  const benchJob = report.jobs.find((j) => j.kind === 'benchmark')!;
  expect(latency.device).toBe(benchJob.device);
  expect(latency.device).toMatch(/^d[0-9a-f]{16}$/);
  expect(latency.jobId).toBe(benchJob.id);
  for (const m of report.measurements) expect(Number.isFinite(m.value)).toBe(true);
  // Conv 3->(4+C) with a 32x32 kernel at stride 32 on 64x64: 2x2 outputs x (4+C) x 3 x 32 x 32 MACs / 2^30.
  const gflops = report.measurements.find((m) => m.metric === 'gflops')!.value;
  expect(gflops).toBeCloseTo((4 * (4 + NUM_SHAPE_CLASSES) * 3 * 32 * 32) / 1024 ** 3, 12);
}

describe('measurement pipeline with two workers', () => {
  it('registers a detector through each of the three doors and measures each exactly once', async () => {
    const meta = tinyMetadata();
    const viaApi = await postRun(modelForm({ ...meta, name: 'via api' }, 'api.onnx', { numClasses: NUM_SHAPE_CLASSES, seed: 1 }));
    const viaForm = await postRun(
      modelForm({ ...meta, name: 'via form' }, 'form.onnx', { numClasses: NUM_SHAPE_CLASSES, seed: 2 }, { door: 'web' }),
      {
        origin: 'http://127.0.0.1:3201',
        host: '127.0.0.1:3201',
        'sec-fetch-site': 'same-origin',
      },
    );
    const dir = path.join(f.dataDir, 'cli-door');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'cli.onnx'), tinyDetector({ numClasses: NUM_SHAPE_CLASSES, seed: 3 }));
    await fs.writeFile(path.join(dir, 'meta.json'), JSON.stringify({ ...meta, name: 'via cli' }));
    const cli = await submitWithCli(path.join(dir, 'cli.onnx'), path.join(dir, 'meta.json'));
    expect(cli.code, cli.stderr).toBe(0);
    const printed = JSON.parse(cli.stdout) as { run: RunReport };
    expect(printed.run.door).toBe('cli');
    expectMeasuredOnce(printed.run);

    for (const id of [viaApi, viaForm]) expectMeasuredOnce(await waitForRun(f.pipeline.pool, id, { timeoutMs: 240_000 }));
    expect((await getRunReport(f.pipeline.pool, viaForm))!.door).toBe('web');

    // Exactly once: one result per scope, nothing replaced, every pg-boss job completed once.
    const [{ n: history }] = await f.query(`SELECT count(*)::int AS n FROM "MeasuredResultHistory"`);
    expect(history).toBe(0);
    const perScope = await f.query(`SELECT "runId", kind, count(*)::int AS n FROM "MeasuredResult" GROUP BY 1, 2`);
    expect(perScope.every((r) => r.n === 1)).toBe(true);
    expect(perScope).toHaveLength(9);
    const boss = await f.query(
      `SELECT state, count(*)::int AS n FROM pgboss.job WHERE name IN ('analyse', 'benchmark', 'evaluate') GROUP BY state`,
    );
    expect(boss).toEqual([{ state: 'completed', n: 9 }]);
    const devices = await f.query(`SELECT slug, "cpuModel", "logicalCores", threads, "executionProvider" FROM "Device"`);
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({ threads: 1, executionProvider: 'cpu' });
  }, 300_000); // nine jobs on two workers: minutes on a busy 2-core machine

  it('a re-run replaces the current results and keeps the old ones in history; delete removes the run', async () => {
    const [{ id }] = await f.query(`SELECT id FROM "RegisteredRun" WHERE name = 'via api'`);
    const before = (await getRunReport(f.pipeline.pool, id))!;
    const auth = { authorization: `Bearer ${token}` };
    const res = await api().rerun(new Request(`http://127.0.0.1:3201/api/runs/${id}/rerun`, { method: 'POST', headers: auth }), {
      params: Promise.resolve({ id }),
    });
    expect(res.status).toBe(202);
    const after = await waitForRun(f.pipeline.pool, id, { timeoutMs: 120_000 });
    expect(after.state).toBe('done');
    expect(after.results).toHaveLength(3);
    expect(after.measurements).toHaveLength(5);
    const oldJobs = new Set(before.results.map((r) => r.jobId));
    for (const r of after.results) expect(oldJobs.has(r.jobId)).toBe(false);
    const history = await f.query(`SELECT kind, "jobId" FROM "MeasuredResultHistory" WHERE "runId" = $1 ORDER BY kind`, [id]);
    expect(history.map((h) => h.kind)).toEqual(['analyse', 'benchmark', 'evaluate']);
    for (const h of history) expect(oldJobs.has(h.jobId)).toBe(true);

    const sha = after.sha256!;
    const del = await api().remove(new Request(`http://127.0.0.1:3201/api/runs/${id}`, { method: 'DELETE', headers: auth }), {
      params: Promise.resolve({ id }),
    });
    expect(del.status).toBe(200);
    expect(await getRunReport(f.pipeline.pool, id)).toBeNull();
    expect(await f.query(`SELECT 1 FROM "Model" WHERE slug = $1`, [after.modelSlug])).toEqual([]);
    expect(await f.pipeline.store.stat(sha)).toBeNull();
  });

  const workerBadInputs: Array<[string, TinyDetectorOptions, Record<string, unknown>, RegExp]> = [
    [
      'NaN outputs',
      { numClasses: NUM_SHAPE_CLASSES, nan: true },
      {},
      /analyse job failed: nan\.onnx: output "scores" has \d+ of \d+ values NaN or infinite at input size 64/,
    ],
    ['outputs that match no adapter', { pooledOutput: true }, { adapter: undefined }, /evaluate job failed: .*adapter/i],
    ['a dataset whose class count differs from the model', { numClasses: 3 }, {}, /evaluate job failed: .*(class|categor)/i],
    [
      'an input size the model rejects',
      { numClasses: NUM_SHAPE_CLASSES, fixedSize: 64 },
      { inputSizes: [96] },
      /job failed: .*cannot take 96x96|input size/,
    ],
  ];
  for (const [what, model, metaOverrides, reason] of workerBadInputs) {
    it(`EXPECTED FAILURE: ${what} -> failed run with a clear reason, nothing in the zoo`, async () => {
      const [{ n: modelsBefore }] = await f.query(`SELECT count(*)::int AS n FROM "Model"`);
      const fileName = what === 'NaN outputs' ? 'nan.onnx' : 'model.onnx';
      const id = await postRun(modelForm({ ...tinyMetadata(), name: what, ...metaOverrides }, fileName, model));
      const report = await waitForRun(f.pipeline.pool, id, { timeoutMs: 90_000 });
      expect(report.state).toBe('failed');
      expect(report.failureReason).toMatch(reason);
      expect(report.failureReason!.split('\n')).toHaveLength(1);
      expect(report.modelSlug).toBeNull();
      expect(report.measurements).toEqual([]);
      // Let the run's other jobs settle (cancelled or skipped), then check nothing was recorded.
      await new Promise((r) => setTimeout(r, 1500));
      const after = (await getRunReport(f.pipeline.pool, id))!;
      expect(after.results).toEqual([]);
      expect(after.measurements).toEqual([]);
      const [{ n: modelsAfter }] = await f.query(`SELECT count(*)::int AS n FROM "Model"`);
      expect(modelsAfter).toBe(modelsBefore);
    });
  }
});
