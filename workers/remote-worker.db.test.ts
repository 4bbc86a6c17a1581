import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ArtifactCache } from '@/lib/artifacts/artifact-cache';
import { handleArtifactDownload } from '@/lib/artifacts/http-download';
import { S3ArtifactStore, parseS3StoreUrl } from '@/lib/artifacts/s3-store';
import { createApiToken } from '@/lib/auth/api-tokens';
import { addDataset } from '@/lib/datasets/dataset-registry';
import { isSlimboardError } from '@/lib/errors';
import { defineApiRoute } from '@/lib/http/api-route';
import { runRoutes } from '@/lib/http/run-routes';
import { waitForRun, type RunReport } from '@/lib/runs/run-report';
import { createPipelineFixture, NUM_SHAPE_CLASSES, tinyMetadata, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { tinyDetector } from '@/tests/pipeline/tiny-models';
import { startTestS3Server, type TestS3Server } from '@/tests/setup/s3-server';
import { spawnWorker, type WorkerProcess } from '@/tests/setup/worker-process';

/**
 * Workers that share no disk with the web side. The "web side" here is this test process: it registers
 * the dataset and the run through the same library paths as the web app, then its data directory is
 * DELETED before any worker starts, so a worker that tried to read it would find nothing. Each worker
 * gets its own empty data directory and only DATABASE_URL plus either
 * - the S3 settings (SLIMBOARD_STORE_URL + AWS_*), against a real S3-protocol server (s3rver), or
 * - SLIMBOARD_REMOTE_URL + SLIMBOARD_API_TOKEN, against an HTTP server that answers with the web app's
 *   own download handler (handleArtifactDownload, which the Next.js route wraps).
 * The run must be measured end to end (analyse, benchmark, evaluate on the registered dataset).
 */

const cleanups: (() => Promise<unknown>)[] = [];
const workers: WorkerProcess[] = [];

afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function emptyDir(label: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `slimboard-${label}-`));
  cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

function startWorker(env: NodeJS.ProcessEnv): void {
  workers.push(spawnWorker(env));
}

/** Environment of a worker on "another host": the database, its own data dir, and what `extra` adds. Nothing else of ours. */
function workerEnv(f: PipelineFixture, dataDir: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...f.childEnv, SLIMBOARD_DATA_DIR: dataDir, ...extra };
  for (const k of ['SLIMBOARD_STORE_URL', 'SLIMBOARD_REMOTE_URL', 'AWS_ENDPOINT_URL_S3']) if (!(k in extra)) delete env[k];
  return env;
}

const NO_PARAMS = { params: Promise.resolve({}) };

/** The run API through its route wrapper (auth, errors), as app/api serves it, on this fixture's pipeline. */
function routesOf(f: PipelineFixture) {
  return runRoutes(
    defineApiRoute(async () => f.pipeline),
    { uploadMaxBytes: () => 1e9 },
  );
}

async function registerShapesAndRun(f: PipelineFixture): Promise<{ runId: string; datasetSha: string }> {
  const ds = await addDataset(
    path.join(f.dataDir, 'datasets', 'shapes'),
    { name: 'Synthetic shapes', slug: 'shapes', format: 'coco' },
    { pool: f.pipeline.pool, store: f.pipeline.store },
  );
  const token = (await createApiToken(f.pipeline.pool, 'remote-worker-test')).token;
  const fd = new FormData();
  fd.append('meta', JSON.stringify(tinyMetadata({ name: 'remote measured' })));
  fd.append('file', new Blob([Buffer.from(tinyDetector({ numClasses: NUM_SHAPE_CLASSES, seed: 11 }))]), 'remote.onnx');
  const res = await routesOf(f).register(
    new Request('http://127.0.0.1/api/runs', { method: 'POST', body: fd, headers: { authorization: `Bearer ${token}` } }),
    NO_PARAMS,
  );
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(201);
  return { runId: body.run.id as string, datasetSha: ds.sha256 };
}

function expectMeasured(report: RunReport): void {
  expect(report.state, `${report.failureReason}\n${workers.map((w) => w.logTail(1500)).join('\n')}`).toBe('done');
  expect(report.jobs.map((j) => `${j.kind}:${j.state}`).sort()).toEqual(['analyse:done', 'benchmark:done', 'evaluate:done']);
  expect(report.measurements.map((m) => `${m.metric}@${m.inputSize ?? '-'}`).sort()).toEqual([
    'box_ap@64',
    'gflops@64',
    'latency_ms@64',
    'model_size_mb@-',
    'params@-',
  ]);
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  return out;
}

describe('workers without shared disk', () => {
  it('two workers with only DATABASE_URL and S3 settings measure an upload (analyse, benchmark, evaluate)', async () => {
    const s3: TestS3Server = await startTestS3Server('slimboard-remote');
    cleanups.push(() => s3.close());
    const prefix = 'team-a';
    const f = await createPipelineFixture(
      's3w',
      { leaseSeconds: 10, maintenanceSeconds: 2, maxAttempts: 2 },
      {
        store: (dataDir) =>
          S3ArtifactStore.create(
            parseS3StoreUrl(`s3://${s3.bucket}/${prefix}`),
            new ArtifactCache({ root: path.join(dataDir, 'cache', 'artifacts'), maxBytes: 1e9 }),
            {
              region: 'us-east-1',
              endpoint: s3.endpoint,
              forcePathStyle: true,
              credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
            },
          ),
      },
    );
    cleanups.push(() => f.close());
    const { runId, datasetSha } = await registerShapesAndRun(f);
    await fs.rm(f.dataDir, { recursive: true, force: true });

    const dirs = [await emptyDir('worker-a'), await emptyDir('worker-b')];
    for (const d of dirs) startWorker(workerEnv(f, d, s3.env(prefix)));
    expectMeasured(await waitForRun(f.pipeline.pool, runId, { timeoutMs: 150_000 }));

    await expect(fs.access(f.dataDir)).rejects.toThrow();
    const files = (await Promise.all(dirs.map(listFiles))).flat();
    // Whoever evaluated fetched the dataset archive and unpacked it under its own cache.
    expect(files.some((p) => p.startsWith(`cache/datasets/${datasetSha}/`))).toBe(true);
    expect(files.some((p) => p === `cache/artifacts/sha256/${datasetSha.slice(0, 2)}/${datasetSha}`)).toBe(true);
  });

  it('a worker with SLIMBOARD_REMOTE_URL and a token fetches models and datasets over HTTP from the web side', async () => {
    const f = await createPipelineFixture('httpw', { leaseSeconds: 10, maintenanceSeconds: 2, maxAttempts: 2 });
    cleanups.push(() => f.close());
    const token = (await createApiToken(f.pipeline.pool, 'device-lab', 'worker')).token;
    const seen: string[] = [];
    const server = http.createServer(async (req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization === `Bearer ${token}` ? 'token' : 'no-token'}`);
      try {
        const sha = /^\/api\/artifacts\/([^/?]+)$/.exec(req.url ?? '')?.[1] ?? '';
        const webReq = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers: req.headers as Record<string, string> });
        const out = await handleArtifactDownload(webReq, sha, f.pipeline.pool, f.pipeline.store);
        res.writeHead(out.status, Object.fromEntries(out.headers));
        if (out.body) Readable.fromWeb(out.body as import('node:stream/web').ReadableStream).pipe(res);
        else res.end();
      } catch (e) {
        res.writeHead(isSlimboardError(e) ? e.status : 500).end(String(e));
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const { runId, datasetSha } = await registerShapesAndRun(f);
    const dir = await emptyDir('worker-http');
    startWorker(workerEnv(f, dir, { SLIMBOARD_REMOTE_URL: url, SLIMBOARD_API_TOKEN: token }));
    expectMeasured(await waitForRun(f.pipeline.pool, runId, { timeoutMs: 150_000 }));

    expect(seen.filter((s) => s.startsWith('GET')).every((s) => s.endsWith(' token'))).toBe(true);
    expect(seen.some((s) => s.startsWith(`GET /api/artifacts/${datasetSha}`))).toBe(true);
    const files = await listFiles(dir);
    expect(files.some((p) => p.startsWith(`cache/datasets/${datasetSha}/`))).toBe(true);
    expect(files.some((p) => p.startsWith('artifacts/'))).toBe(false);

    // The worker's token cannot register, re-run or delete runs.
    const auth = { authorization: `Bearer ${token}` };
    const fd = new FormData();
    fd.append('meta', JSON.stringify(tinyMetadata({ name: 'by a worker token' })));
    fd.append('file', new Blob([Buffer.from(tinyDetector({ numClasses: NUM_SHAPE_CLASSES, seed: 12 }))]), 'w.onnx');
    const api = routesOf(f);
    const reg = await api.register(new Request('http://127.0.0.1/api/runs', { method: 'POST', body: fd, headers: auth }), NO_PARAMS);
    expect(reg.status).toBe(403);
    expect((await reg.json()).error.message).toMatch(/worker token.*token create/);
    const idParams = { params: Promise.resolve({ id: runId }) };
    expect(
      (await api.remove(new Request(`http://127.0.0.1/api/runs/${runId}`, { method: 'DELETE', headers: auth }), idParams)).status,
    ).toBe(403);
    expect(
      (await api.rerun(new Request(`http://127.0.0.1/api/runs/${runId}/rerun`, { method: 'POST', headers: auth }), idParams)).status,
    ).toBe(403);
    expect((await f.query(`SELECT count(*)::int AS n FROM "RegisteredRun"`))[0].n).toBe(1);
  });
});
